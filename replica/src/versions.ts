// Versioned mode: dated copies `<table>_v<YYYYMMDDHHmmssSSS>` (UTC, from the source snapshot, to the millisecond: two
// snapshots within one second are two versions) beside the stable table. Names from before the milliseconds
// (`_v<YYYYMMDDHHmmss>`) are still listed: as text they sort before any later millisecond name.
import type { BigQuery } from '@google-cloud/bigquery';
import { tableRef, type TableRef } from './table-ref.js';

export function versionName(table: string, snapshot: number): string {
  const stamp = new Date(snapshot).toISOString().replace(/[-:T.Z]/g, '');
  return `${table}_v${stamp}`;
}

/** Version table names of a stable table, oldest first (the stamp sorts as text). */
export async function listVersions(bigquery: BigQuery, stable: TableRef): Promise<string[]> {
  const pattern = new RegExp(`^${stable.tableId.replace(/[-]/g, '\\-')}_v\\d{14}(\\d{3})?$`);
  const [tables] = await bigquery.dataset(stable.datasetId, { projectId: stable.projectId }).getTables();
  return tables
    .map((table) => table.id ?? '')
    .filter((id) => pattern.test(id))
    .sort();
}

export function versionRef(stable: TableRef, name: string): TableRef {
  return tableRef(stable.projectId, stable.datasetId, name);
}

/** Which versions to delete so that `keep` remain, never the one the stable table currently holds. */
export function versionsToPrune(versions: string[], keep: number, current: string): string[] {
  const newestFirst = [...versions].reverse();
  return newestFirst.slice(keep).filter((name) => name.toLowerCase() !== current.toLowerCase());
}
