// A burst of requests for one table costs one BigQuery metadata call: concurrent lookups share the one in flight, and
// a failed lookup (a listed table BigQuery lacks) is answered from memory for TABLE_LOOKUP_FAILURE_TTL_MS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SAMPLE_TABLE,
  SAMPLE_TILESET,
  startBigQueryStandIn,
  startSeededEmulator,
  type BigQueryStandIn,
  type Emulator,
} from '@maps-api/emulator';
import { startApi, type ApiProcess } from './harness.js';

const MISSING = 'carto-demo-data.demo_tables.not_there';
const N = 20;

let emulator: Emulator;
let standIn: BigQueryStandIn;
let api: ApiProcess;

beforeAll(async () => {
  emulator = await startSeededEmulator();
  standIn = await startBigQueryStandIn(emulator.host);
  api = await startApi({
    BIGQUERY_EMULATOR_HOST: standIn.host,
    SERVED_TABLES: [SAMPLE_TILESET, SAMPLE_TABLE, MISSING].join(','),
    TABLE_LOOKUP_FAILURE_TTL_MS: '1500',
  });
});
afterAll(async () => {
  await api?.stop();
  await standIn?.stop();
  await emulator?.stop();
});

const lookups = (id: string) => {
  const [project, dataset, table] = id.split('.');
  const get = new RegExp(`^GET /projects/${project}/datasets/${dataset}/tables/${table}(\\?|$)`);
  return standIn.requests.filter((request) => get.test(request)).length;
};
const burst = (id: string) =>
  Promise.all(
    Array.from({ length: N }, () =>
      fetch(`${api.url}/maps/table/${id}?geomField=geom`).then((res) => res.status),
    ),
  );

describe('table lookups', () => {
  it(`collapse ${N} concurrent requests for one table into one BigQuery call`, async () => {
    expect(await burst(SAMPLE_TABLE)).toEqual(Array(N).fill(200));
    expect(lookups(SAMPLE_TABLE)).toBe(1);
  });

  it('answer a failed lookup from memory for a while, then ask BigQuery again', async () => {
    expect(await burst(MISSING)).toEqual(Array(N).fill(404));
    expect(lookups(MISSING)).toBe(1);
    expect(await burst(MISSING)).toEqual(Array(N).fill(404));
    expect(lookups(MISSING)).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1600));
    expect(await burst(MISSING)).toEqual(Array(N).fill(404));
    expect(lookups(MISSING)).toBe(2);
  });
});
