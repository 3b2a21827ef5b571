// Proof that a CARTO tileset can be served pruned: its metadata row's scheme, and one capped query that checks stored
// rows' carto_partition against the partition the scheme gives their z/x/y, sampled across zooms and partitions (not
// the first rows a listing returns: tabledata.list has no defined order). One place for both users: the API before it
// serves a table version pruned (tile-plan.ts), the replica tool before it publishes a copy (replica/src/execute.ts).
import { tilePartition, OUTSIDE_PARTITIONS, type PartitionScheme } from './carto-partition.js';

/** The z = -1 row CARTO's tiler writes (carto_partition NULL: one partition, pruned to it). */
export const metadataRowQuery = (table: string) =>
  `SELECT data FROM \`${table}\` WHERE carto_partition IS NULL AND z = -1 LIMIT 1`;

/** Rows kept per zoom level and per partition: every used partition is seen once, every zoom 50 times. */
export const SAMPLE = { perZoom: 50, perPartition: 1 } as const;

/**
 * The sample: the first rows of each zoom and of each partition in a pseudo-random but fixed order (the fingerprint
 * of z/x/y), so the same table version always gives the same sample. Reads four INT64 columns of every stored tile,
 * never `data`: at most 32 bytes a row.
 */
export function sampleQuery(table: string): {
  query: string;
  params: { per_zoom: number; per_partition: number };
} {
  const order = "FARM_FINGERPRINT(FORMAT('%d/%d/%d', z, x, y))";
  return {
    query:
      `SELECT z, x, y, carto_partition FROM \`${table}\` WHERE z >= 0 ` +
      `QUALIFY ROW_NUMBER() OVER (PARTITION BY z ORDER BY ${order}) <= @per_zoom ` +
      `OR ROW_NUMBER() OVER (PARTITION BY carto_partition ORDER BY ${order}) <= @per_partition`,
    params: { per_zoom: SAMPLE.perZoom, per_partition: SAMPLE.perPartition },
  };
}

const MIB = 1024 * 1024;
/** Rows a sample can hold: 31 zooms × 50 + 4,000 partitions (CARTO's maximum), below one page of results. */
export const SAMPLE_MAX_ROWS = 10_000;

/**
 * maximumBytesBilled of the sample query: what it reads at most (four INT64 columns, 8 bytes each, of every row the
 * table's metadata counts) plus 10% for rows added meanwhile, never below BigQuery's 10 MiB minimum bill.
 */
export function sampleCap(numRows: number): number {
  return Math.max(10 * MIB, Math.ceil(numRows * 4 * 8 * 1.1));
}

export interface StoredTile {
  z: number;
  x: number;
  y: number;
  carto_partition: number | null;
}

export type SampleCheck =
  | {
      ok: true;
      checked: number;
      zooms: number;
      partitions: number;
      /** Some stored tile lies outside the scheme's zoom range or box (partition 0): no tile can be ruled out. */
      outsideUsed: boolean;
    }
  | { ok: false; problem: string };

/** Every sampled row must sit in the partition the scheme computes for its z/x/y. */
export function checkSample(scheme: PartitionScheme, tiles: StoredTile[]): SampleCheck {
  if (tiles.length === 0)
    return { ok: false, problem: 'no stored tile (z >= 0) to check the scheme against' };
  const wrong = tiles
    .map((tile) => ({ tile, expected: tilePartition(scheme, tile.z, tile.x, tile.y) }))
    .filter(({ tile, expected }) => tile.carto_partition !== expected);
  if (wrong.length > 0) {
    const examples = wrong
      .slice(0, 3)
      .map(
        ({ tile, expected }) =>
          `${tile.z}/${tile.x}/${tile.y} is in ${tile.carto_partition}, the scheme says ${expected}`,
      );
    return {
      ok: false,
      problem: `${wrong.length} of ${tiles.length} sampled tiles are in another partition than the scheme says (${examples.join('; ')})`,
    };
  }
  return {
    ok: true,
    checked: tiles.length,
    zooms: new Set(tiles.map((tile) => tile.z)).size,
    partitions: new Set(tiles.map((tile) => tile.carto_partition)).size,
    outsideUsed: tiles.some((tile) => tile.carto_partition === OUTSIDE_PARTITIONS),
  };
}
