// Tile reads pruned to one CARTO partition: a tileset far too big for the bytes-billed cap when estimated whole is
// served under a cap just above its largest partition, and a tileset whose metadata cannot be trusted is still served
// correctly by the plain z/x/y query. BigQuery here is the emulator behind the stand-in (emulator/src/standin.ts).
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
import { startApi, type ApiProcess } from './harness.js';

const NO_METADATA = 'carto-demo-data.demo_tilesets.buildings_without_metadata';
const WRONG_PARTITIONS = 'carto-demo-data.demo_tilesets.buildings_wrong_partitions';
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
  standIn = await startBigQueryStandIn(emulator.host);
  const big = {
    numBytes: 40 * 1024 * MIB,
    numRows: 4_000_000,
    partitioning: { column: 'carto_partition', count: 4000, largestPartitionBytes: LARGEST_PARTITION },
  };
  standIn.declare(SAMPLE_TILESET, big);
  api = await startApi({ BIGQUERY_EMULATOR_HOST: standIn.host });
});
afterAll(async () => {
  await api?.stop();
  await standIn?.stop();
  await emulator?.stop();
});

const tile = (id: string, z: number, x: number, y: number) =>
  fetch(`${api.url}/maps/tileset/${id}/${z}/${x}/${y}`);
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

  it('answers 204 for a tile the tileset does not hold, after looking in its partition', async () => {
    const res = await tile(SAMPLE_TILESET, 3, 0, 0);
    expect(res.status).toBe(204);
    expect(tileQueries(SAMPLE_TILESET).at(-1)).toMatchObject({ refused: false });
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
    // the stored rows were listed to check the scheme, and contradicted it
    expect(standIn.requests).toContainEqual(
      expect.stringMatching(
        /^GET \/projects\/[^/]+\/datasets\/demo_tilesets\/tables\/buildings_wrong_partitions\/data\?/,
      ),
    );
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
});
