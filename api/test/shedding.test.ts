// Shedding before collapse: with BigQuery slow, an instance keeps at most MAX_CONCURRENT_BIGQUERY_CALLS calls in
// flight and answers the rest at once with 503 + Retry-After (Varnish then serves a stale copy if it has one).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFaultServer } from './fault-server.js';
import { startApi, type ApiProcess } from './harness.js';

const TILESET = 'carto-demo-data.demo_tilesets.osm_buildings';
let faults: Awaited<ReturnType<typeof startFaultServer>>;
let api: ApiProcess;

beforeAll(async () => {
  faults = await startFaultServer({ delayMs: 2000 });
  api = await startApi({
    BIGQUERY_EMULATOR_HOST: faults.host,
    MAX_CONCURRENT_BIGQUERY_CALLS: '2',
    QUERY_TIMEOUT_MS: '8000',
  });
});
afterAll(async () => {
  await api?.stop();
  await faults?.close();
});

it('answers excess misses at once with 503 OVERLOADED + Retry-After while BigQuery is slow', async () => {
  faults.setMode('ok');
  expect((await fetch(`${api.url}/maps/tileset/${TILESET}/0/0/0`)).status).toBe(200); // table and plan known
  faults.setMode('slow');
  const before = faults.queryCount();
  const started = Date.now();
  const answers = await Promise.all(
    [1, 2, 3, 4, 5, 6].map(async (y) => {
      const res = await fetch(`${api.url}/maps/tileset/${TILESET}/3/0/${y}`);
      return {
        status: res.status,
        retryAfter: res.headers.get('retry-after'),
        body: await res.text(),
        ms: Date.now() - started,
      };
    }),
  );
  const shed = answers.filter((a) => a.status === 503);
  expect(answers.filter((a) => a.status === 200)).toHaveLength(2);
  expect(shed).toHaveLength(4);
  for (const answer of shed) {
    expect(answer.retryAfter).toBe('1');
    expect(JSON.parse(answer.body)).toMatchObject({ error: 'OVERLOADED' });
  }
  // at once: every 503 arrived before either slow query (2 s at the fault server) was answered
  const served = answers.filter((a) => a.status === 200).map((a) => a.ms);
  expect(Math.max(...shed.map((a) => a.ms))).toBeLessThan(Math.min(...served));
  expect(faults.queryCount() - before).toBe(2);
  const metrics = await (await fetch(`${api.url}/metrics`)).text();
  expect(metrics).toMatch(/^bigquery_calls_shed_total\{kind="tile"\} 4$/m);
});
