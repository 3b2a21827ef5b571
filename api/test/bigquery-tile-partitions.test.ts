// Tile reads pruned to one CARTO partition: a tileset far too big for the bytes-billed cap when estimated whole is
// served under a cap just above its largest partition, and a tileset whose metadata cannot be trusted is still served
// correctly by the plain z/x/y query. BigQuery here is the emulator behind the stand-in (emulator/src/standin.ts).
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MIB,
  SAMPLE_TILESET,
  TILESET_SCHEMA,
  createTable,
  emulatorClient,
  sampleTileRows,
  startBigQueryStandIn,
  startSeededEmulator,
  type BigQueryStandIn,
  type Emulator,
} from '@maps-api/emulator';
import { readPartitionScheme, tilePartition, type PartitionScheme } from '../src/carto-partition.js';
import { sampleCap, sampleQuery } from '../src/partition-check.js';
import { startApi, type ApiProcess } from './harness.js';

function readScheme(metadata: unknown): PartitionScheme {
  const reading = readPartitionScheme(metadata);
  if (!reading.ok) throw new Error(reading.problem);
  return reading.scheme;
}

const NO_METADATA = 'carto-demo-data.demo_tilesets.buildings_without_metadata';
const WRONG_PARTITIONS = 'carto-demo-data.demo_tilesets.buildings_wrong_partitions';
const STRING_SCHEME = 'carto-demo-data.demo_tilesets.buildings_string_scheme';
const MALFORMED_SCHEME = 'carto-demo-data.demo_tilesets.buildings_malformed_scheme';
const MALFORMED = { version: 1, partitions: 3999, zmin: 0, zmax: 15 }; // no box
const WRONG_LATE = 'carto-demo-data.demo_tilesets.buildings_wrong_after_1000_rows';
const LARGEST_PARTITION = 12 * MIB;

let emulator: Emulator;
let standIn: BigQueryStandIn;
let api: ApiProcess;

beforeAll(async () => {
  emulator = await startSeededEmulator();
  const client = emulatorClient(emulator.host);
  const rows = sampleTileRows().map((row) => ({ ...row, data: row.data.toString('base64') }));
  await createTable(
    client,
    NO_METADATA,
    TILESET_SCHEMA,
    rows.filter((row) => row.z >= 0),
  );
  await createTable(
    client,
    WRONG_PARTITIONS,
    TILESET_SCHEMA,
    rows.map((row) => (row.z >= 0 ? { ...row, carto_partition: row.z } : row)),
  );
  const withMetadata = (metadata: (tileJson: Record<string, unknown>) => unknown) =>
    rows.map((row) => {
      if (row.z >= 0) return row;
      const tileJson = JSON.parse(Buffer.from(row.data, 'base64').toString('utf8')) as Record<
        string,
        unknown
      >;
      return { ...row, data: Buffer.from(JSON.stringify(metadata(tileJson))).toString('base64') };
    });
  await createTable(
    client,
    STRING_SCHEME,
    TILESET_SCHEMA,
    withMetadata((tileJson) => {
      const p = readScheme(tileJson);
      const string = [p.zmin, p.zmax, p.xmin, p.xmax, p.ymin, p.ymax, p.partitions, p.zstep].join('_');
      return { ...tileJson, carto_partition: string };
    }),
  );
  await createTable(
    client,
    MALFORMED_SCHEME,
    TILESET_SCHEMA,
    withMetadata((tileJson) => ({ ...tileJson, carto_partition: MALFORMED })),
  );
  // 1,000 rows that agree with the scheme (tiles outside its box, partition 0) listed first, then the sample whose
  // max-zoom tiles sit one partition off: a check of the first 1,000 listed rows sees nothing wrong.
  const scheme = readScheme(JSON.parse(sampleTileRows()[0]!.data.toString('utf8')));
  const agreeing = Array.from({ length: 1000 }, (_, x) => ({
    z: 10,
    x,
    y: 0,
    data: rows[1]!.data,
    carto_partition: tilePartition(scheme, 10, x, 0),
  }));
  await createTable(client, WRONG_LATE, TILESET_SCHEMA, [
    ...agreeing,
    ...rows.map((row) => (row.z === 15 ? { ...row, carto_partition: row.carto_partition! + 1 } : row)),
  ]);
  standIn = await startBigQueryStandIn(emulator.host);
  const big = {
    numBytes: 40 * 1024 * MIB,
    numRows: 4_000_000,
    partitioning: { column: 'carto_partition', count: 4000, largestPartitionBytes: LARGEST_PARTITION },
  };
  standIn.declare(SAMPLE_TILESET, big);
  api = await startApi({
    BIGQUERY_EMULATOR_HOST: standIn.host,
    SERVED_TABLES: [
      SAMPLE_TILESET,
      NO_METADATA,
      WRONG_PARTITIONS,
      STRING_SCHEME,
      MALFORMED_SCHEME,
      WRONG_LATE,
    ].join(','),
  });
});
afterAll(async () => {
  await api?.stop();
  await standIn?.stop();
  await emulator?.stop();
});

const tile = (id: string, z: number, x: number, y: number) =>
  fetch(`${api.url}/maps/tileset/${id}/${z}/${x}/${y}`);
async function unusableGauge(id: string): Promise<string | undefined> {
  const text = await (await fetch(`${api.url}/metrics`)).text();
  return text.match(new RegExp(`^tileset_partition_scheme_unusable\\{table="${id}"\\} (\\d+)$`, 'm'))?.[1];
}
async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${api.url}/metrics`)).text();
  return Number(text.match(new RegExp(`^${name} (\\d+)$`, 'm'))?.[1] ?? 0);
}
const schemeErrors = (id: string) =>
  api.logs
    .map((line) => JSON.parse(line) as { level: number; table?: string; found?: string; msg: string })
    .filter((entry) => entry.level >= 50 && entry.table === id);
const sampleQueries = (id: string) => standIn.queries.filter((q) => q.sql === sampleQuery(id).query);
const tileQueries = (id: string) =>
  standIn.queries.filter((q) => q.sql.startsWith(`SELECT data FROM \`${id}\``) && !q.sql.includes('z = -1'));

/** Two stored tiles of each zoom (the first and the last): every zoom's partition range, kept quick. */
function someTilesPerZoom(zooms: number[]) {
  return zooms.flatMap((z) => {
    const tiles = sampleTileRows().filter((row) => row.z === z);
    return [...new Set([tiles[0]!, tiles.at(-1)!])];
  });
}

describe('partition-pruned tile reads', () => {
  it('serves every tile of a 40 GiB tileset under a cap just above its largest partition', async () => {
    for (const row of someTilesPerZoom([0, 6, 12, 15])) {
      const res = await tile(SAMPLE_TILESET, row.z, row.x, row.y);
      expect(res.status, `${row.z}/${row.x}/${row.y}`).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(gunzipSync(row.data))).toBe(true);
    }
    const queries = tileQueries(SAMPLE_TILESET);
    expect(queries.length).toBeGreaterThan(5);
    for (const query of queries) {
      expect(query.sql).toContain('WHERE carto_partition = @p AND z = @z AND x = @x AND y = @y');
      expect(query.refused).toBe(false);
      expect(Number(query.maximumBytesBilled)).toBeGreaterThan(LARGEST_PARTITION);
      expect(Number(query.maximumBytesBilled)).toBeLessThanOrEqual(1.2 * LARGEST_PARTITION);
    }
  });

  it('answers 204 for a tile it cannot rule out (no metadata) after looking for it', async () => {
    const before = tileQueries(NO_METADATA).length;
    const res = await tile(NO_METADATA, 3, 0, 0);
    expect(res.status).toBe(204);
    expect(tileQueries(NO_METADATA).length).toBe(before + 1);
  });

  it('reads the partition scheme once per table version', async () => {
    await tile(SAMPLE_TILESET, 0, 0, 0);
    const metadataReads = standIn.queries.filter(
      (q) => q.sql.includes(SAMPLE_TILESET) && q.sql.includes('z = -1'),
    );
    expect(metadataReads).toHaveLength(1);
  });

  it('falls back to the z/x/y query when stored partitions disagree with the metadata: served, never a wrong 204', async () => {
    for (const row of someTilesPerZoom([0, 9, 15])) {
      const res = await tile(WRONG_PARTITIONS, row.z, row.x, row.y);
      expect(res.status, `${row.z}/${row.x}/${row.y}`).toBe(200);
    }
    // a sample of the stored rows was queried to check the scheme, and contradicted it
    expect(sampleQueries(WRONG_PARTITIONS)).toHaveLength(1);
    for (const query of tileQueries(WRONG_PARTITIONS)) expect(query.sql).not.toContain('carto_partition');
  });

  it('falls back to the z/x/y query when the tileset has no metadata row', async () => {
    const row = sampleTileRows().find((r) => r.z === 15)!;
    const res = await tile(NO_METADATA, row.z, row.x, row.y);
    expect(res.status).toBe(200);
    const lookedForMetadata = standIn.queries.filter(
      (q) => q.sql.includes(NO_METADATA) && q.sql.includes('z = -1'),
    );
    expect(lookedForMetadata).toHaveLength(1);
    expect(tileQueries(NO_METADATA).at(-1)?.sql).not.toContain('carto_partition');
  });

  it('reads the string form of the scheme too, and serves pruned', async () => {
    const row = sampleTileRows().find((r) => r.z === 15)!;
    const res = await tile(STRING_SCHEME, row.z, row.x, row.y);
    expect(res.status).toBe(200);
    expect(tileQueries(STRING_SCHEME).at(-1)?.sql).toContain('WHERE carto_partition = @p');
    expect(await unusableGauge(STRING_SCHEME)).toBe('0');
    expect(schemeErrors(STRING_SCHEME)).toEqual([]);
  });

  it('fails loudly on a scheme it cannot read: an error log naming the table and what it found, and the metric', async () => {
    const row = sampleTileRows().find((r) => r.z === 15)!;
    const res = await tile(MALFORMED_SCHEME, row.z, row.x, row.y);
    expect(res.status).toBe(200); // served unpruned: correct on this small table, refused (413) on a big one
    expect(tileQueries(MALFORMED_SCHEME).at(-1)?.sql).not.toContain('carto_partition');
    expect(await unusableGauge(MALFORMED_SCHEME)).toBe('1');
    const [logged] = schemeErrors(MALFORMED_SCHEME);
    expect(logged?.msg).toMatch(/partition scheme unusable/);
    expect(logged?.found).toContain(JSON.stringify(MALFORMED));
    expect(logged?.found).toMatch(/xmin is undefined/);
  });

  it('counts a missing metadata row and stored rows that contradict the scheme as the same loud failure', async () => {
    for (const id of [NO_METADATA, WRONG_PARTITIONS]) {
      expect(await unusableGauge(id), id).toBe('1');
      expect(schemeErrors(id), id).toHaveLength(1);
    }
    expect(schemeErrors(NO_METADATA)[0]?.found).toMatch(/no metadata row/);
    expect(schemeErrors(WRONG_PARTITIONS)[0]?.found).toMatch(/the scheme says/);
    expect(await unusableGauge(SAMPLE_TILESET)).toBe('0');
  });

  it('checks the scheme on a sample across zooms and partitions, not the first rows listed: never a wrong 204', async () => {
    const row = sampleTileRows().find((r) => r.z === 15)!;
    const res = await tile(WRONG_LATE, row.z, row.x, row.y);
    expect(res.status).toBe(200);
    expect(tileQueries(WRONG_LATE).at(-1)?.sql).not.toContain('carto_partition');
    expect(schemeErrors(WRONG_LATE)[0]?.found).toMatch(/sampled tiles are in another partition/);
  });

  it('samples with one query capped at four INT64 columns of every row (+10%), accepted on a 40 GiB tileset', async () => {
    const [sample] = sampleQueries(SAMPLE_TILESET);
    expect(sample).toMatchObject({ refused: false, maximumBytesBilled: String(sampleCap(4_000_000)) });
    expect(sample!.estimatedBytes).toBe(4_000_000 * 32);
  });

  it('documents in docs/bigquery-replica.md the dry run of the query it sends: same SQL, same parameters', async () => {
    const doc = readFileSync(new URL('../../docs/bigquery-replica.md', import.meta.url), 'utf8');
    const command = doc.split('\n').find((line) => line.includes('bq query --dry_run'))!;
    const sql = /'(SELECT [^']+)'/.exec(command)![1]!.replaceAll('\\`', '`');
    const parameters = [...command.matchAll(/--parameter=(\w+):INT64:\d+/g)].map(([, name]) => name);
    const row = sampleTileRows().find((r) => r.z === 12)!;
    await tile(SAMPLE_TILESET, row.z, row.x, row.y);
    const sent = tileQueries(SAMPLE_TILESET).at(-1)!;
    expect(sql.replace('P.D.T', SAMPLE_TILESET)).toBe(sent.sql);
    expect(parameters).toEqual([...sent.sql.matchAll(/@(\w+)/g)].map(([, name]) => name));
  });

  it("answers a cacheable 204 without a query for tiles outside the tileset's zooms or area", async () => {
    const inside = sampleTileRows().find((r) => r.z === 15)!;
    const cases = [
      [SAMPLE_TILESET, 16, inside.x * 2, inside.y * 2], // above the scheme's zmax
      [SAMPLE_TILESET, 15, 0, 0], // outside the scheme's box
      [SAMPLE_TILESET, 3, 0, 0],
      [MALFORMED_SCHEME, 16, inside.x * 2, inside.y * 2], // no usable scheme: the TileJSON's maxzoom
      [MALFORMED_SCHEME, 15, 0, 0], // and its bounds
    ] as const;
    for (const [id] of cases) await tile(id, 0, 0, 0); // plan both versions first
    const before = standIn.queries.length;
    const outsideBefore = await metric('tiles_outside_tileset_total');
    for (const [id, z, x, y] of cases) {
      const res = await tile(id, z, x, y);
      expect(res.status, `${id} ${z}/${x}/${y}`).toBe(204);
      expect(res.headers.get('cache-control')).toMatch(/^public, max-age=86400/);
    }
    expect(standIn.queries.slice(before)).toEqual([]);
    expect((await metric('tiles_outside_tileset_total')) - outsideBefore).toBe(cases.length);
    // inside: still read
    expect((await tile(MALFORMED_SCHEME, inside.z, inside.x, inside.y)).status).toBe(200);
    expect(standIn.queries.length).toBe(before + 1);
  });
});
