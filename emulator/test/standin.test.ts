// The stand-in judges queries the way BigQuery does where cost is decided: the estimate made before running, with
// partition pruning counted and clustering not, the 10 MiB minimum bill, and jobs only when the caller needs one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MIB,
  SAMPLE_TILESET,
  startBigQueryStandIn,
  startSeededEmulator,
  type BigQueryStandIn,
  type Emulator,
} from '../src/index.js';

let emulator: Emulator;
let standIn: BigQueryStandIn;
const GIB = 1024 * MIB;

beforeAll(async () => {
  emulator = await startSeededEmulator();
  standIn = await startBigQueryStandIn(emulator.host);
  standIn.declare(SAMPLE_TILESET, {
    numBytes: 40 * GIB,
    numRows: 4_000_000,
    partitioning: { column: 'carto_partition', count: 4000, largestPartitionBytes: 12 * MIB },
  });
});
afterAll(async () => {
  await standIn?.stop();
  await emulator?.stop();
});

async function jobsQuery(body: Record<string, unknown>) {
  const res = await fetch(`${standIn.host}/projects/local/queries`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ useLegacySql: false, ...body }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const params = [
  { name: 'p', parameterType: { type: 'INT64' }, parameterValue: { value: '0' } },
  { name: 'z', parameterType: { type: 'INT64' }, parameterValue: { value: '0' } },
];

describe('the BigQuery stand-in', () => {
  it('refuses a capped query filtered only on clustering columns: the estimate is the whole table', async () => {
    const { status, json } = await jobsQuery({
      query: `SELECT data FROM \`${SAMPLE_TILESET}\` WHERE z = @z LIMIT 1`,
      queryParameters: params.slice(1),
      maximumBytesBilled: String(10 * GIB),
    });
    expect(status).toBe(400);
    expect(json).toMatchObject({ error: { errors: [{ reason: 'bytesBilledLimitExceeded' }] } });
  });

  it('accepts the same query pruned to one partition and bills that partition', async () => {
    const { status, json } = await jobsQuery({
      query: `SELECT data FROM \`${SAMPLE_TILESET}\` WHERE carto_partition = @p AND z = @z LIMIT 1`,
      queryParameters: params,
      maximumBytesBilled: String(16 * MIB),
    });
    expect(status).toBe(200);
    expect(json).toMatchObject({ totalBytesProcessed: String(12 * MIB), totalBytesBilled: String(12 * MIB) });
  });

  it('bills at least 10 MiB for a query over a small table', async () => {
    const { json } = await jobsQuery({
      query: 'SELECT COUNT(*) AS n FROM `carto-demo-data.demo_tables.retail_stores`',
    });
    expect(json.totalBytesBilled).toBe(String(10 * MIB));
  });

  it('creates no job under JOB_CREATION_OPTIONAL and a job otherwise', async () => {
    const query = 'SELECT 1 AS one FROM `carto-demo-data.demo_tables.retail_stores` LIMIT 1';
    const optional = await jobsQuery({ query, jobCreationMode: 'JOB_CREATION_OPTIONAL' });
    expect(optional.json).not.toHaveProperty('jobReference');
    expect(optional.json.rows).toEqual([{ f: [{ v: '1' }] }]);
    const required = await jobsQuery({ query });
    expect(required.json).toHaveProperty('jobReference.jobId');
    expect(standIn.queries.slice(-2).map((q) => q.jobCreated)).toEqual([false, true]);
  });

  it('reports the declared size and partitioning in table metadata', async () => {
    const [project, dataset, table] = SAMPLE_TILESET.split('.');
    const res = await fetch(`${standIn.host}/projects/${project}/datasets/${dataset}/tables/${table}`);
    expect(await res.json()).toMatchObject({
      numBytes: String(40 * GIB),
      numRows: '4000000',
      rangePartitioning: { field: 'carto_partition' },
    });
  });
});
