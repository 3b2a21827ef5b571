// The GeoJSON route reads stored rows for free (tabledata.list, no query job), keeps INT64 exact, and refuses a table
// that metadata alone proves too large before reading a row. BigQuery here is the emulator behind the stand-in that
// models sizes and billing (emulator/src/standin.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SAMPLE_TABLE,
  createTable,
  emulatorClient,
  startBigQueryStandIn,
  startSeededEmulator,
  type BigQueryStandIn,
  type Emulator,
} from '@maps-api/emulator';
import { startApi, type ApiProcess } from './harness.js';

const BIG_IDS = 'carto-demo-data.demo_tables.big_ids';
const HUGE = 'carto-demo-data.demo_tables.huge_points';
const LARGE_INT64 = '5256684166837174271';

let emulator: Emulator;
let standIn: BigQueryStandIn;
let api: ApiProcess;

beforeAll(async () => {
  emulator = await startSeededEmulator();
  const client = emulatorClient(emulator.host);
  const schema = [
    { name: 'id', type: 'INT64' },
    { name: 'small', type: 'INT64' },
    { name: 'geom', type: 'GEOGRAPHY' },
  ];
  await createTable(client, BIG_IDS, schema, [
    { id: LARGE_INT64, small: 42, geom: 'POINT(-3.7 40.4)' },
    { id: '-9223372036854775808', small: -7, geom: 'POINT(-3.71 40.41)' },
  ]);
  await createTable(client, HUGE, schema, [{ id: 1, small: 1, geom: 'POINT(0 0)' }]);
  standIn = await startBigQueryStandIn(emulator.host);
  standIn.declare(HUGE, { numBytes: 2 * 1024 ** 4, numRows: 30_000_000_000 });
  api = await startApi({
    BIGQUERY_EMULATOR_HOST: standIn.host,
    SERVED_TABLES: [SAMPLE_TABLE, BIG_IDS, HUGE].join(','),
  });
});
afterAll(async () => {
  await api?.stop();
  await standIn?.stop();
  await emulator?.stop();
});

interface Collection {
  features: { geometry: { coordinates: number[] }; properties: Record<string, unknown> }[];
}

const table = (id: string) => fetch(`${api.url}/maps/table/${id}?geomField=geom&format=geojson`);

describe('GeoJSON table reads', () => {
  it('keeps INT64 values beyond 2^53 exact as decimal strings and smaller ones as numbers', async () => {
    const res = await table(BIG_IDS);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain(`"id":"${LARGE_INT64}"`);
    const body = JSON.parse(text) as Collection;
    expect(body.features.map((f) => f.properties)).toEqual([
      { id: LARGE_INT64, small: 42 },
      { id: '-9223372036854775808', small: -7 },
    ]);
    expect(body.features[0]!.geometry.coordinates).toEqual([-3.7, 40.4]);
  });

  it('lists stored rows with tabledata.list in pages: no query job, nothing billed', async () => {
    const before = standIn.queries.length;
    const res = await table(SAMPLE_TABLE);
    expect(res.status).toBe(200);
    expect(((await res.json()) as Collection).features).toHaveLength(120);
    expect(standIn.queries.slice(before)).toEqual([]);
    expect(standIn.requests).toContainEqual(
      expect.stringMatching(
        /^GET \/projects\/carto-demo-data\/datasets\/demo_tables\/tables\/retail_stores\/data\?/,
      ),
    );
  });

  it('answers 413 from table metadata alone when the table cannot fit, reading no row', async () => {
    const res = await table(HUGE);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ statusCode: 413, error: 'RESPONSE_TOO_LARGE' });
    expect(standIn.requests.filter((r) => r.includes('huge_points/data'))).toEqual([]);
    expect(standIn.queries.filter((q) => q.sql.includes('huge_points'))).toEqual([]);
  });
});
