// Graceful shutdown: SIGTERM turns readiness off, lets in-flight requests finish, then the process exits cleanly.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFaultServer } from './fault-server.js';
import { startApi, type ApiProcess } from './harness.js';

let faults: Awaited<ReturnType<typeof startFaultServer>>;
let api: ApiProcess;

beforeAll(async () => {
  faults = await startFaultServer({ delayMs: 3000 });
  api = await startApi({ BIGQUERY_EMULATOR_HOST: faults.host, SHUTDOWN_TIMEOUT_MS: '8000' });
});
afterAll(async () => {
  await api?.stop('SIGKILL');
  await faults?.close();
});

it('completes a request that is in flight when SIGTERM arrives, then exits 0', async () => {
  faults.setMode('slow');
  const inFlight = fetch(`${api.url}/maps/tileset/carto-demo-data.demo_tilesets.osm_buildings/0/0/0`);
  // Wait (bounded) until the request is really waiting on BigQuery: a fixed sleep was too short on a loaded machine.
  for (let waited = 0; faults.queryCount() === 0 && waited < 2500; waited += 20) {
    await new Promise((r) => setTimeout(r, 20));
  }
  expect(faults.queryCount()).toBe(1);
  api.child.kill('SIGTERM');
  const res = await inFlight;
  expect(res.status).toBe(200);
  expect(res.headers.get('connection')).toBe('close');
  expect(await api.exited).toBe(0);
  expect(api.logs.some((line) => line.includes('draining'))).toBe(true);
});
