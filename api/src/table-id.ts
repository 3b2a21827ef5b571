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

/** The two settings that decide which tables are served (config.ts parses and cross-checks them). */
export interface TableAccess {
  ALLOWED_DATASETS: ReadonlySet<string>;
  /** public id -> backing table id; the backing table is inside ALLOWED_DATASETS. */
  TABLE_ALIASES: ReadonlyMap<string, string>;
}

/**
 * The table a request's id names: a public id in TABLE_ALIASES is served from its backing table (so clients keep one
 * URL in every environment), any other id only when its dataset is allowed (403 otherwise).
 */
export function resolveTableId(id: string, access: TableAccess): TableRef {
  const { ALLOWED_DATASETS: allowedDatasets, TABLE_ALIASES: tableAliases } = access;
  if (!tableIdRegex.test(id)) throw badRequest('id must be a table id "project.dataset.table"');
  const [projectId, datasetId, tableId] = (tableAliases.get(id) ?? id).split('.') as [string, string, string];
  if (!allowedDatasets.has(`${projectId}.${datasetId}`)) {
    const publicIds = [...tableAliases.keys()];
    const hint = publicIds.length > 0 ? `; public table ids served here: ${publicIds.join(', ')}` : '';
    throw forbidden(`dataset ${projectId}.${datasetId} is not served by this API${hint}`);
  }
  return { projectId, datasetId, tableId };
}
