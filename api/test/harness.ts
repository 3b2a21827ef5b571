// Helpers for the API tests: real API processes, a recording proxy, raw HTTP reads.
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { freePort, startBigQueryStandIn, startSeededEmulator, type QueryFault } from '@maps-api/emulator';
import { startApi as startApiProcess, type ApiProcess } from '../../stack/api-process.js';

export type { ApiProcess };

/** A real API process (the production entry point) on a free port. */
export const startApi = (env: Record<string, string>) => startApiProcess({ env });

export type { QueryFault };

/**
 * BigQuery with failures: the seeded emulator behind the stand-in (emulator/src/standin.ts), whose `fault` injects on
 * jobs.query what the emulator cannot produce (slow, hung, 5xx, quota, rate limit, malformed answers).
 */
export async function faultyBigQuery(options: { slowMs?: number } = {}) {
  const emulator = await startSeededEmulator();
  const standin = await startBigQueryStandIn(emulator.host);
  standin.slowMs = options.slowMs ?? 1500;
  return {
    host: standin.host,
    setFault: (fault: QueryFault) => void (standin.fault = fault),
    /** jobs.query calls received, failed ones included. */
    queryCount: () => standin.requests.filter((r) => /^POST \/projects\/[^/]+\/queries(\?|$)/.test(r)).length,
    close: async () => {
      await standin.stop();
      await emulator.stop();
    },
  };
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

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** GET without any content decoding: the bytes exactly as the server sent them. */
export const rawGet = (url: string, headers: Record<string, string> = {}) =>
  rawRequest(url, { method: 'GET', headers });

/** Any method, TRACE included (fetch refuses to send it), without any content decoding. */
export function rawRequest(
  url: string,
  { method, headers = {} }: { method: string; headers?: Record<string, string> },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    httpRequest(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    })
      .on('error', reject)
      .end();
  });
}
