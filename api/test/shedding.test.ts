// Shedding before collapse: with BigQuery slow, an instance keeps at most MAX_CONCURRENT_BIGQUERY_CALLS calls in
// flight and answers the rest at once with 503 + Retry-After (Varnish then serves a stale copy if it has one).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { samplePartitionScheme } from '@maps-api/emulator';
import { faultyBigQuery, startApi, type ApiProcess } from './harness.js';

const TILESET = 'carto-demo-data.demo_tilesets.osm_buildings';
let faults: Awaited<ReturnType<typeof faultyBigQuery>>;
let api: ApiProcess;

beforeAll(async () => {
  faults = await faultyBigQuery({ slowMs: 2000 });
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
  faults.setFault('none');
  expect((await fetch(`${api.url}/maps/tileset/${TILESET}/0/0/0`)).status).toBe(200); // table and plan known
  faults.setFault('slow');
  const before = faults.queryCount();
  const started = Date.now();
  const answers = await Promise.all(
    // six tiles inside the sample's bounding box at its max zoom: each one is a query (outside, the API asks nothing)
    [0, 1, 2, 3, 4, 5].map(async (i) => {
      const { zmax, xmin, ymin } = samplePartitionScheme();
      const res = await fetch(
        `${api.url}/maps/tileset/${TILESET}/${zmax}/${xmin + (i % 3)}/${ymin + Math.floor(i / 3)}`,
      );
      return {
        status: res.status,
        retryAfter: res.headers.get('retry-after'),
        body: await res.text(),
        ms: Date.now() - started,
      };
    }),
  );
  const shed = answers.filter((a) => a.status === 503);
  // answered from the emulator's sample data: a tile (200) or none there (204)
  expect(answers.filter((a) => a.status === 200 || a.status === 204)).toHaveLength(2);
  expect(shed).toHaveLength(4);
  for (const answer of shed) {
    expect(answer.retryAfter).toBe('1');
    expect(JSON.parse(answer.body)).toMatchObject({ error: 'OVERLOADED' });
  }
  // at once: every 503 arrived before either slow query (2 s at the stand-in) was answered
  const served = answers.filter((a) => a.status !== 503).map((a) => a.ms);
  expect(Math.max(...shed.map((a) => a.ms))).toBeLessThan(Math.min(...served));
  expect(faults.queryCount() - before).toBe(2);
  const metrics = await (await fetch(`${api.url}/metrics`)).text();
  expect(metrics).toMatch(/^bigquery_calls_shed_total\{kind="tile"\} 4$/m);
});
