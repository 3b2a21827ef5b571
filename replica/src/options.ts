import { tableRef, type TableRef, UsageError } from './table-ref.js';

export type Mode = 'overwrite' | 'versioned';
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
  /** Varnish base URL: ban the destination's cached objects after a verified refresh or rollback. */
  banUrl?: string;
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
