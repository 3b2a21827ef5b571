// Tile queries take BigQuery's short-query path, report what they cost, and do not leave abandoned jobs running.
// BigQuery here is the emulator behind the stand-in that models jobs and billing (emulator/src/standin.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MINIMUM_BILLED_BYTES,
  SAMPLE_TILESET,
  startBigQueryStandIn,
  startSeededEmulator,
  type BigQueryStandIn,
  type Emulator,
} from '@maps-api/emulator';
import { startApi, type ApiProcess } from './harness.js';

let emulator: Emulator;
let standIn: BigQueryStandIn;
let api: ApiProcess;
const tile = (base: string) => fetch(`${base}/maps/tileset/${SAMPLE_TILESET}/0/0/0`);

beforeAll(async () => {
  emulator = await startSeededEmulator();
  standIn = await startBigQueryStandIn(emulator.host);
  api = await startApi({
    BIGQUERY_EMULATOR_HOST: standIn.host,
    // jobs.query then waits 4 s (QUERY_TIMEOUT_MS - 2 s): room for the emulator on a loaded machine
    QUERY_TIMEOUT_MS: '6000',
    BIGQUERY_MAX_RETRIES: '0',
  });
});
afterAll(async () => {
  await api?.stop();
  await standIn?.stop();
  await emulator?.stop();
});

describe('tile queries', () => {
  it('ask for the short-query path (JOB_CREATION_OPTIONAL), so BigQuery creates no job', async () => {
    const before = standIn.queries.length;
    const res = await tile(api.url);
    expect(res.status).toBe(200);
    const tileQueries = standIn.queries.slice(before).filter((q) => q.sql.includes('data'));
    expect(tileQueries.length).toBeGreaterThan(0);
    for (const query of tileQueries) {
      expect(query).toMatchObject({ jobCreationMode: 'JOB_CREATION_OPTIONAL', jobCreated: false });
    }
    expect(standIn.requests.filter((r) => /^POST \/projects\/[^/]+\/jobs$/.test(r))).toEqual([]);
  });

  it('count bytes billed per route next to bytes processed on /metrics', async () => {
    await tile(api.url);
    const text = await (await fetch(`${api.url}/metrics`)).text();
    const billed = Number(text.match(/^bigquery_bytes_billed_total\{kind="tile"\} (\d+)/m)?.[1]);
    expect(billed).toBeGreaterThanOrEqual(MINIMUM_BILLED_BYTES);
    expect(billed % MINIMUM_BILLED_BYTES).toBe(0);
    expect(text).toMatch(/^bigquery_bytes_processed_total\{kind="tile"\} \d+/m);
  });

  it('cancel the job BigQuery left running when the query timeout passes, and answer 504', async () => {
    standIn.holdQueries = true;
    try {
      const started = Date.now();
      const res = await tile(api.url);
      expect(res.status).toBe(504);
      expect(Date.now() - started).toBeLessThan(9000);
      const deadline = Date.now() + 3000;
      while (standIn.cancelledJobs.length === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(standIn.cancelledJobs).toEqual(['held_1']);
    } finally {
      standIn.holdQueries = false;
    }
  });
});
