import type { TableField } from '@google-cloud/bigquery';
import { badRequest, forbidden } from './errors.js';

// BigQuery naming rules, narrowed to what this API serves: project ids as Google Cloud allows them, dataset and table
// names as ASCII identifiers (tables may also hold '-'). Anything else never reaches SQL text.
export const TABLE_ID_PATTERN =
  '^[a-z][a-z0-9-]{4,28}[a-z0-9]\\.[A-Za-z_][A-Za-z0-9_]{0,1023}\\.[A-Za-z0-9_][A-Za-z0-9_-]{0,1023}$';
export const COLUMN_PATTERN = '^[A-Za-z_][A-Za-z0-9_]{0,299}$';
const tableIdRegex = new RegExp(TABLE_ID_PATTERN);

export interface TableRef {
  projectId: string;
  datasetId: string;
  tableId: string;
}

/** What BigQuery's metadata says about a table (read by bigquery.ts, used by the tile plan and the caching headers). */
export interface TableInfo {
  ref: TableRef;
  location: string;
  lastModified: Date;
  /** column name → BigQuery type (top-level columns only) */
  columns: Map<string, string>;
  schema: TableField[];
  /** TABLE, VIEW, MATERIALIZED_VIEW, EXTERNAL, SNAPSHOT, CLONE: only tables list their rows (tabledata.list). */
  type: string;
  numBytes: number;
  numRows: number;
}

export const formatTableRef = (ref: TableRef) => `${ref.projectId}.${ref.datasetId}.${ref.tableId}`;

/** The setting that decides which tables are served (config.ts parses it). */
export interface TableAccess {
  /** public id -> the table read for it (its backing table, or itself). */
  SERVED_TABLES: ReadonlyMap<string, string>;
}

/**
 * The table a request's id names: only a public id listed in SERVED_TABLES is served, from the table it is mapped to
 * (so clients keep one URL in every environment); any other id is refused (403) without asking BigQuery.
 */
export function resolveTableId(id: string, { SERVED_TABLES: served }: TableAccess): TableRef {
  if (!tableIdRegex.test(id)) throw badRequest('id must be a table id "project.dataset.table"');
  const backing = served.get(id);
  if (!backing) {
    throw forbidden(
      `table ${id} is not served by this API; public table ids served here: ${[...served.keys()].join(', ')}`,
    );
  }
  const [projectId, datasetId, tableId] = backing.split('.') as [string, string, string];
  return { projectId, datasetId, tableId };
}
