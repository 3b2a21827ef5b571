// Table names are spliced into SQL (BigQuery cannot bind identifiers as parameters), so they are validated strictly.
export interface TableRef {
  projectId: string;
  datasetId: string;
  tableId: string;
}

const PROJECT = /^[a-z][a-z0-9-]{1,61}[a-z0-9]$/;
const DATASET = /^[A-Za-z0-9_]{1,1024}$/;
const TABLE = /^[A-Za-z0-9_-]{1,1024}$/;

export function assertProject(projectId: string): string {
  if (!PROJECT.test(projectId)) throw new UsageError(`invalid project id: ${JSON.stringify(projectId)}`);
  return projectId;
}

export function tableRef(projectId: string, datasetId: string, tableId: string): TableRef {
  assertProject(projectId);
  if (!DATASET.test(datasetId)) throw new UsageError(`invalid dataset id: ${JSON.stringify(datasetId)}`);
  if (!TABLE.test(tableId)) throw new UsageError(`invalid table id: ${JSON.stringify(tableId)}`);
  return { projectId, datasetId, tableId };
}

export function parseTableRef(id: string): TableRef {
  const parts = id.split('.');
  if (parts.length !== 3)
    throw new UsageError(`table must be project.dataset.table, got ${JSON.stringify(id)}`);
  const [projectId, datasetId, tableId] = parts as [string, string, string];
  return tableRef(projectId, datasetId, tableId);
}

export function formatRef(ref: TableRef): string {
  return `${ref.projectId}.${ref.datasetId}.${ref.tableId}`;
}

/** The table as a quoted GoogleSQL path; only ever called on validated refs. */
export function sqlRef(ref: TableRef): string {
  return `\`${formatRef(ref)}\``;
}

/** Bad flags or names: exit code USAGE. */
export class UsageError extends Error {}
