// Starts real API processes (the same entry point as production) and helpers around them.
import { spawn, type ChildProcess } from 'node:child_process';
import {
  createServer,
  get as httpGet,
  request as httpRequest,
  type IncomingHttpHeaders,
  type Server,
} from 'node:http';
import { fileURLToPath } from 'node:url';
import { freePort } from '@maps-api/emulator';

const SERVER = fileURLToPath(new URL('../src/server.ts', import.meta.url));

export interface ApiProcess {
  url: string;
  child: ChildProcess;
  logs: string[];
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startApi(env: Record<string, string>): Promise<ApiProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER], {
    env: { ...process.env, LOG_LEVEL: 'info', ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => logs.push(...chunk.split('\n').filter(Boolean)));
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) {
        const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
          if (child.exitCode === null) child.kill(signal);
          return exited;
        };
        return { url, child, logs, exited, stop };
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`API did not start:\n${logs.join('\n')}`);
}

/** A pass-through HTTP proxy in front of the emulator that keeps every request body, to prove what reached BigQuery. */
export async function recordingProxy(
  target: string,
): Promise<{ host: string; bodies: string[]; close(): Promise<void> }> {
  const targetUrl = new URL(target);
  const bodies: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      bodies.push(`${req.method} ${req.url}\n${body.toString('utf8')}`);
      const upstream = httpRequest(
        {
          host: targetUrl.hostname,
          port: targetUrl.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      upstream.end(body);
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    host: `http://127.0.0.1:${port}${targetUrl.pathname}`,
    bodies,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** GET without any content decoding: the bytes exactly as the server sent them. */
export function rawGet(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    httpGet(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    }).on('error', reject);
  });
}
