import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

/** A small Node origin standing in for the API: a fixed gzip tile, and slow cold URLs that count their fetches. */
export interface Origin {
  port: number;
  tile: Buffer;
  fetchesOf(path: string): number;
  close(): Promise<void>;
}

const TILE_HEADERS = {
  'Content-Type': 'application/vnd.mapbox-vector-tile',
  'Content-Encoding': 'gzip',
  'Cache-Control': 'public, max-age=86400, stale-while-revalidate=3600, stale-if-error=604800',
  'X-Table-Id': 'bench.bench.tiles',
};

export async function startOrigin(coldDelayMs: number): Promise<Origin> {
  // About 4 KiB on the wire, like a mid-zoom vector tile (half random bytes so gzip cannot shrink it to nothing).
  const tile = gzipSync(Buffer.concat([randomBytes(3_000), Buffer.alloc(6_000, 'layer')]));
  const fetches = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    fetches.set(path, (fetches.get(path) ?? 0) + 1);
    if (path === '/healthz') {
      res.end('ok');
      return;
    }
    const send = () => {
      res.writeHead(200, { ...TILE_HEADERS, 'Content-Length': tile.length });
      res.end(tile);
    };
    if (path.startsWith('/cold/')) setTimeout(send, coldDelayMs);
    else send();
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    tile,
    fetchesOf: (path) => fetches.get(path) ?? 0,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
