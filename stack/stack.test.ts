// The cache in front of five real API processes and the emulator, the production topology on one machine:
// traffic spreads, losing processes costs no request, and Varnish keeps serving what it has when every API is down.
// @module-tag needs-docker
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_TILESET, freePort, sampleTileRows } from '@maps-api/emulator';
import { startNativeStack, type NativeStack } from './native.js';

let stack: NativeStack;
const tiles = sampleTileRows().filter((row) => row.z >= 0);
const tileUrl = (i: number) => {
  const { z, x, y } = tiles[i % tiles.length]!;
  return `${stack.url}/maps/tileset/${SAMPLE_TILESET}/${z}/${x}/${y}`;
};
// The query string is not part of the cache key: a tile nobody asked for yet is a new position (zoom 20: the
// sample tileset has no tile there, so the API answers 204 after asking the emulator).
const newTileUrl = (worker: number, n: number) =>
  `${stack.url}/maps/tileset/${SAMPLE_TILESET}/20/${worker}/${n}`;

beforeAll(async () => {
  stack = await startNativeStack({
    apis: 5,
    varnishPort: await freePort(),
    // Short TTLs so objects go stale within the test and grace has something to prove.
    apiEnv: { TILE_CACHE_CONTROL: 'public, max-age=2', SHUTDOWN_TIMEOUT_MS: '5000' },
  });
});
afterAll(async () => {
  await stack?.stop();
});

/**
 * Concurrent clients requesting uncached URLs until stopped; every failure is kept. Mostly `/healthz` (passed: every
 * request reaches an API process, none waits on the emulator), every fifth one a tile nobody asked for yet.
 */
function load(workers = 6) {
  let running = true;
  let sent = 0;
  const failures: string[] = [];
  const done = Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      while (running) {
        const n = sent++;
        try {
          const res = await fetch(n % 5 === 0 ? newTileUrl(w, n) : `${stack.url}/healthz`);
          await res.arrayBuffer();
          if (res.status !== (n % 5 === 0 ? 204 : 200))
            failures.push(`${res.status} ${res.headers.get('x-cache')} #${n}`);
        } catch (error) {
          failures.push(`network error #${n}: ${(error as Error).message}`);
        }
      }
    }),
  );
  return {
    stop: async () => {
      running = false;
      await done;
      return { sent, failures };
    },
  };
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('condition not met in time');
}

/** How many API backends Varnish's health probes currently call healthy (varnishadm backend.list -j). */
async function healthyBackends(): Promise<number> {
  const stdout = await stack.varnish.adm('backend.list', '-j');
  const [, , , backends] = JSON.parse(stdout) as [
    number,
    string[],
    number,
    Record<string, { type: string; probe_message: [number, number, string] }>,
  ];
  return Object.entries(backends).filter(
    ([name, b]) => /\.api_\d+$/.test(name) && b.probe_message[2] === 'healthy',
  ).length;
}

describe('Varnish in front of five API processes', () => {
  it('spreads misses over all five API processes', async () => {
    const servedBy = new Set<string>();
    for (let i = 0; i < 25; i++) {
      // PURGE (loopback is a purger) makes every request a miss, whether or not the tile was cached.
      expect((await fetch(tileUrl(i), { method: 'PURGE' })).status).toBe(200);
      const res = await fetch(tileUrl(i));
      expect(res.headers.get('x-cache')).toBe('MISS');
      servedBy.add(res.headers.get('x-served-by')!);
    }
    expect(servedBy.size).toBe(5);
  });

  it('loses no request when one API process is killed under load', async () => {
    const traffic = load();
    await new Promise((r) => setTimeout(r, 1000));
    await stack.apis[2]!.stop('SIGKILL');
    await new Promise((r) => setTimeout(r, 3000));
    const { sent, failures } = await traffic.stop();
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(100);
    await stack.restartApi(2);
    await waitUntil(async () => (await healthyBackends()) === 5, 15_000);
  });

  it('loses no request during a rolling restart of all five under load', async () => {
    const traffic = load();
    for (let i = 0; i < stack.apis.length; i++) {
      expect(await stack.apis[i]!.stop('SIGTERM')).toBe(0); // drained cleanly
      await stack.restartApi(i);
      await waitUntil(async () => (await healthyBackends()) === 5, 15_000);
    }
    const { sent, failures } = await traffic.stop();
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(100);
  });

  it('serves every cached URL (graced) when all five are down, and fails an uncached one fast', async () => {
    const cached = Array.from({ length: 10 }, (_, i) => tileUrl(i));
    for (const url of cached) expect((await fetch(url)).status).toBe(200);
    await Promise.all(stack.apis.map((api) => api.stop('SIGKILL')));
    await waitUntil(async () => (await healthyBackends()) === 0, 15_000);
    await new Promise((r) => setTimeout(r, 2500)); // past max-age=2: only grace can answer now
    for (const url of cached) {
      const res = await fetch(url);
      expect(res.status, url).toBe(200);
      expect(res.headers.get('x-cache')).toBe('HIT-GRACE');
    }
    const started = Date.now();
    const uncached = await fetch(newTileUrl(99, 99));
    expect(uncached.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
