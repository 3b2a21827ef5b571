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
    // the columns it reads (data, carto_partition, z) of that partition: a little less than all of it
    expect(Number(json.totalBytesProcessed)).toBeGreaterThan(11.9 * MIB);
    expect(Number(json.totalBytesProcessed)).toBeLessThanOrEqual(12 * MIB);
    expect(json.totalBytesBilled).toBe(String(12 * MIB));
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

const P = (name: string, value: string) => ({
  name,
  parameterType: { type: 'INT64' },
  parameterValue: { value },
});
const CAP_16_MIB = String(16 * MIB);

describe('partition pruning counts only where BigQuery can use it before reading', () => {
  it.each([
    ['under OR', `SELECT data FROM \`${SAMPLE_TILESET}\` WHERE carto_partition = @p OR z = @z`],
    [
      'in the select list',
      `SELECT carto_partition = @p AS wanted, data FROM \`${SAMPLE_TILESET}\` WHERE z = @z`,
    ],
    [
      'inside a subquery',
      `SELECT data FROM \`${SAMPLE_TILESET}\` WHERE z IN (SELECT z FROM \`${SAMPLE_TILESET}\` WHERE carto_partition = @p)`,
    ],
  ])(
    'refuses a capped query whose partition filter is %s: estimated over every partition',
    async (_where, query) => {
      const { status, json } = await jobsQuery({
        query,
        queryParameters: [P('p', '1'), P('z', '0')],
        maximumBytesBilled: CAP_16_MIB,
      });
      expect(status).toBe(400);
      expect(json).toMatchObject({ error: { errors: [{ reason: 'bytesBilledLimitExceeded' }] } });
    },
  );

  it('prunes a top-level ANDed IS NULL, and an IN list to its partitions', async () => {
    const isNull = await jobsQuery({
      query: `SELECT data FROM \`${SAMPLE_TILESET}\` WHERE carto_partition IS NULL AND z = -1 LIMIT 1`,
      maximumBytesBilled: CAP_16_MIB,
    });
    expect(isNull.status).toBe(200);
    const inList = await jobsQuery({
      query: `SELECT data FROM \`${SAMPLE_TILESET}\` WHERE z = @z AND carto_partition IN (@p, @q)`,
      queryParameters: [P('p', '1'), P('q', '2'), P('z', '0')],
      maximumBytesBilled: String(32 * MIB),
    });
    expect(inList.status).toBe(200);
    expect(inList.json.totalBytesBilled).toBe(String(24 * MIB));
  });
});

describe('billing and estimates', () => {
  it('bills every referenced table at least 10 MiB, not the query as a whole', async () => {
    const { json } = await jobsQuery({
      query:
        `SELECT data FROM \`${SAMPLE_TILESET}\` WHERE carto_partition = @p AND ` +
        'z IN (SELECT store_id FROM `carto-demo-data.demo_tables.retail_stores`)',
      queryParameters: [P('p', '1')],
    });
    // the pruned partition (12 MiB) + the 10 MiB minimum of the small table
    expect(json.totalBytesBilled).toBe(String(22 * MIB));
  });

  it('estimates only the columns a query reads (a dry run through jobs.insert answers it)', async () => {
    const res = await fetch(`${standIn.host}/projects/local/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        configuration: {
          dryRun: true,
          query: {
            query: `SELECT z, x, y, carto_partition FROM \`${SAMPLE_TILESET}\``,
            useLegacySql: false,
          },
        },
      }),
    });
    const json = (await res.json()) as { statistics: { totalBytesProcessed: string } };
    expect(json.statistics.totalBytesProcessed).toBe(String(4_000_000 * 4 * 8));
  });

  it('caps jobs.insert queries too: a failed job that never ran', async () => {
    const jobId = `capped_${Date.now()}`;
    const res = await fetch(`${standIn.host}/projects/local/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        jobReference: { projectId: 'local', jobId, location: 'US' },
        configuration: {
          query: {
            query: `SELECT data FROM \`${SAMPLE_TILESET}\``,
            useLegacySql: false,
            maximumBytesBilled: String(GIB),
          },
        },
      }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: { state: 'DONE', errorResult: { reason: 'bytesBilledLimitExceeded' } },
    });
    const asked = await fetch(`${standIn.host}/projects/local/jobs/${jobId}?location=US`);
    expect(await asked.json()).toMatchObject({
      status: { errorResult: { reason: 'bytesBilledLimitExceeded' } },
    });
    expect((await fetch(`${emulator.host}/projects/local/jobs/${jobId}?location=US`)).ok).toBe(false);
  });
});

describe('INFORMATION_SCHEMA', () => {
  const partitions = (location: string) =>
    jobsQuery({
      query:
        'SELECT MAX(total_logical_bytes) AS largest FROM `carto-demo-data.demo_tilesets.INFORMATION_SCHEMA.PARTITIONS` WHERE table_name = @table',
      queryParameters: [
        { name: 'table', parameterType: { type: 'STRING' }, parameterValue: { value: 'osm_buildings' } },
      ],
      location,
    });

  it("answers a dataset's partition sizes in the dataset's location only", async () => {
    expect((await partitions('US')).json).toMatchObject({ rows: [{ f: [{ v: String(12 * MIB) }] }] });
    const elsewhere = await partitions('EU');
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.json).toMatchObject({ error: { errors: [{ reason: 'notFound' }] } });
  });
});
