// Runs the API as a real process (the production entry point, through tsx) and waits until it answers.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '@maps-api/emulator';

const SERVER = fileURLToPath(new URL('../api/src/server.ts', import.meta.url));

export interface ApiProcess {
  url: string;
  port: number;
  child: ChildProcess;
  logs: string[];
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface ApiOptions {
  env: Record<string, string>;
  /** 0 or absent: a free port. */
  port?: number;
  /** tsx watch: restart on every change under api/src (the development profile). */
  watch?: boolean;
  /** Echo the process's log lines, e.g. to the terminal of `npm start`. */
  onLog?: (line: string) => void;
}

export async function startApi({ env, port: wanted, watch, onLog }: ApiOptions): Promise<ApiProcess> {
  const port = wanted || (await freePort());
  const args = watch
    ? ['--import', 'tsx', '--watch-path', fileURLToPath(new URL('../api/src', import.meta.url)), SERVER]
    : ['--import', 'tsx', SERVER];
  const child = spawn(process.execPath, args, {
    env: {
      ...process.env,
      LOG_LEVEL: 'info',
      HOSTNAME: `api-${port}`,
      // Local processes have no Google metadata server; skip the client's probe for one.
      METADATA_SERVER_DETECTION: 'none',
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      for (const line of chunk.split('\n').filter(Boolean)) {
        logs.push(line);
        if (logs.length > 5000) logs.shift();
        onLog?.(line);
      }
    });
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return { url, port, child, logs, exited, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`API did not start on port ${port}:\n${logs.join('\n')}`);
}
