import type { CacheTarget } from './cache-target.js';
import { tableRef, type TableRef, UsageError } from './table-ref.js';

export type Mode = 'overwrite' | 'versioned';
/** The one default mode: the CLI's, hence the Dagger function's and the scheduled workflow's (they pass none). */
export const DEFAULT_MODE: Mode = 'versioned';
export type Action = 'refresh' | 'rollback' | 'verify';

export interface ReplicaOptions {
  source: TableRef;
  /** The stable table readers use. */
  destination: TableRef;
  mode: Mode;
  /** Versioned mode: how many dated copies to keep. */
  keep: number;
  action: Action;
  dryRun: boolean;
  /** After a refresh or rollback switched the stable table: ban its cached objects in this Varnish. */
  invalidate?: { target: CacheTarget; settleMs: number };
}

/**
 * Default wait between the last write and the ban: the API caches a table's metadata (hence the X-Data-Version it
 * stamps on answers) for TABLE_METADATA_TTL_MS, 30 s by default (api/src/config.ts; a test keeps the two equal), plus
 * 1 s. After it every API pod reports the new version, so the ban can keep the objects already on it.
 */
export const DEFAULT_SETTLE_MS = 31_000;

export function parseSettleMs(value: string): number {
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 0 || ms > 600_000)
    throw new UsageError(`--settle-ms must be an integer from 0 to 600000, got ${value}`);
  return ms;
}

export function parseMode(value: string): Mode {
  if (value === 'overwrite' || value === 'versioned') return value;
  throw new UsageError(`--mode must be overwrite or versioned, got ${JSON.stringify(value)}`);
}

export function parseKeep(value: string): number {
  const keep = Number(value);
  if (!Number.isInteger(keep) || keep < 1)
    throw new UsageError(`--keep must be an integer >= 1, got ${value}`);
  return keep;
}

export function destinationRef(project: string | undefined, dataset: string, table: string): TableRef {
  if (!project) throw new UsageError('--dest-project is required (or set GOOGLE_CLOUD_PROJECT)');
  return tableRef(project, dataset, table);
}
