// Starts local-bigquery (installed by tools/install.sh) as a child process and waits until it answers.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Emulator {
  /** The value for BIGQUERY_EMULATOR_HOST (the Node client uses it as the REST base URL). */
  host: string;
  port: number;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Keep data between runs in this folder; default: a fresh temporary folder, removed on stop. */
  dataDir?: string;
  log?: (line: string) => void;
}

export function toolsDir(): string {
  return (
    process.env.MAPS_TOOLS_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'maps-api')
  );
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}

function emulatorBinary(): string {
  const installed = join(toolsDir(), 'bin', 'local-bigquery');
  if (existsSync(installed)) return installed;
  throw new Error(
    `BigQuery emulator not found at ${installed}: run tools/install.sh emulator (or devbox shell)`,
  );
}

export async function startEmulator(options: StartOptions = {}): Promise<Emulator> {
  const port = options.port || (await freePort());
  const grpcPort = await freePort();
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'bq-emulator-'));
  const output: string[] = [];
  // DuckDB finds its extensions (installed from PyPI) under $HOME/.duckdb, so the emulator gets its own HOME.
  const child = spawn(
    emulatorBinary(),
    [
      'serve',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--grpc-port',
      String(grpcPort),
      '--data-dir',
      dataDir,
    ],
    { env: { ...process.env, HOME: join(toolsDir(), 'emulator-home') }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      output.push(chunk);
      if (output.length > 200) output.shift();
      options.log?.(chunk.trimEnd());
    });
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const host = `http://127.0.0.1:${port}/bigquery/v2`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const res = await fetch(`${host}/projects/probe/datasets`);
      if (res.ok) return { host, port, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`BigQuery emulator did not start on port ${port}:\n${output.join('').slice(-4000)}`);
}
