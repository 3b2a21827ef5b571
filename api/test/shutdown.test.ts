// Graceful shutdown: SIGTERM turns readiness off, lets in-flight requests finish, then the process exits cleanly.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { faultyBigQuery, startApi, type ApiProcess } from './harness.js';

let faults: Awaited<ReturnType<typeof faultyBigQuery>>;
let api: ApiProcess;

beforeAll(async () => {
  faults = await faultyBigQuery({ slowMs: 3000 });
  api = await startApi({ BIGQUERY_EMULATOR_HOST: faults.host, SHUTDOWN_TIMEOUT_MS: '8000' });
});
afterAll(async () => {
  await api?.stop('SIGKILL');
  await faults?.close();
});

it('completes a request that is in flight when SIGTERM arrives, then exits 0', async () => {
  const tile = `${api.url}/maps/tileset/carto-demo-data.demo_tilesets.osm_buildings/0/0/0`;
  expect((await fetch(tile)).status).toBe(200); // table and plan known: the next tile is one slow query
  faults.setFault('slow');
  const before = faults.queryCount();
  const inFlight = fetch(tile);
  // Wait (bounded) until the request is really waiting on BigQuery: a fixed sleep was too short on a loaded machine.
  for (let waited = 0; faults.queryCount() === before && waited < 2500; waited += 20) {
    await new Promise((r) => setTimeout(r, 20));
  }
  expect(faults.queryCount()).toBe(before + 1);
  api.child.kill('SIGTERM');
  const res = await inFlight;
  expect(res.status).toBe(200);
  expect(res.headers.get('connection')).toBe('close');
  expect(await api.exited).toBe(0);
  expect(api.logs.some((line) => line.includes('draining'))).toBe(true);
});
