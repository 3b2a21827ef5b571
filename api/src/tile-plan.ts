// How tiles of one tileset version are read: pruned to the tile's CARTO partition when the tileset's metadata describes
// its partitions and a sample of stored rows agrees (partition-check.ts), otherwise the plain z/x/y query (correct, but
// BigQuery estimates it over every partition, so a big tileset may exceed the bytes-billed cap: a 413, never a wrong
// 204).
import type { TableInfo } from './table-id.js';
import { parseJson, readPartitionScheme, type PartitionScheme } from './carto-partition.js';
import { HttpError } from './errors.js';
import { checkSample, type StoredTile } from './partition-check.js';
import { tileJsonCoverage, type Coverage } from './tile-coverage.js';

export type TilePlan = (
  | { pruned: true; scheme: PartitionScheme; maximumBytesBilled: string }
  | {
      pruned: false;
      reason: string;
      maximumBytesBilled: string;
      /** A CARTO tileset (carto_partition column) whose scheme cannot be used: the loud failure, never a quiet one. */
      schemeUnusable: boolean;
    }
) & {
  /** The tiles this version can hold (tile-coverage.ts): any other is 204 without a query. */
  coverage: Coverage;
};

const UNKNOWN: Coverage = { kind: 'unknown' };

/** What planning reads from BigQuery, once per table version. */
export interface PlanSources {
  /** `data` of the z = -1 metadata row (CARTO keeps it in the NULL partition), or null. */
  metadataRow(table: TableInfo): Promise<Buffer | null>;
  /** The sample of stored rows (partition-check.ts), by one capped query. */
  sampleTiles(table: TableInfo): Promise<StoredTile[]>;
  /** Logical bytes of the table's largest partition, when BigQuery tells (INFORMATION_SCHEMA.PARTITIONS). */
  largestPartitionBytes(table: TableInfo): Promise<number | undefined>;
}

const MIB = 1024 * 1024;
/** BigQuery bills at least 10 MiB per query: a lower cap would refuse every query. */
const MINIMUM_CAP = 10 * MIB;

/** A cap just above the largest partition: 10% headroom, whole MiB, never below the minimum bill nor above `limit`. */
export function capAbove(largestPartitionBytes: number, limit: string): string {
  const cap = Math.max(MINIMUM_CAP, Math.ceil((largestPartitionBytes * 1.1) / MIB) * MIB);
  return String(Math.min(cap, Number(limit)));
}

export async function planTileReads(
  table: TableInfo,
  sources: PlanSources,
  maximumBytesBilled: string,
): Promise<TilePlan> {
  if (!table.columns.has('carto_partition')) {
    const reason = 'no carto_partition column';
    return { pruned: false, reason, maximumBytesBilled, schemeUnusable: false, coverage: UNKNOWN };
  }
  const row = await sources.metadataRow(table);
  const metadata = row ? parseJson(row.toString('utf8')) : undefined;
  const declared = tileJsonCoverage(metadata);
  const unpruned = (reason: string): TilePlan => ({
    pruned: false,
    reason,
    maximumBytesBilled,
    schemeUnusable: true,
    coverage: declared,
  });
  if (!row) return unpruned('no metadata row (z = -1, carto_partition IS NULL)');
  const reading = readPartitionScheme(metadata);
  if (!reading.ok) return unpruned(reading.problem);
  const { scheme } = reading;
  let tiles: StoredTile[];
  try {
    tiles = await sources.sampleTiles(table);
  } catch (error) {
    if (error instanceof HttpError && error.code === 'QUERY_TOO_EXPENSIVE')
      return unpruned('the sample query that checks stored partitions was refused over its bytes-billed cap');
    throw error;
  }
  const check = checkSample(scheme, tiles);
  if (!check.ok) return unpruned(check.problem);
  const largest = await sources.largestPartitionBytes(table);
  return {
    pruned: true,
    scheme,
    maximumBytesBilled: largest === undefined ? maximumBytesBilled : capAbove(largest, maximumBytesBilled),
    // nothing stored outside the scheme (partition 0 unused): the scheme is proof; tiles stored outside it make the
    // declared zooms and bounds suspect too, so then nothing is ruled out
    coverage: check.outsideUsed ? UNKNOWN : { kind: 'scheme', scheme },
  };
}
