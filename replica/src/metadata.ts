// Reads of table and dataset metadata, and the destination dataset's creation in the source's location.
import type { BigQuery, TableField, TableMetadata } from '@google-cloud/bigquery';
import { formatRef, type TableRef } from './table-ref.js';

/** How the table is stored, which the API relies on: range partitioning for pruning, clustering for cost. */
export interface Layout {
  rangePartitioning?: unknown;
  timePartitioning?: unknown;
  clustering?: unknown;
}

export interface TableInfo {
  ref: TableRef;
  location: string;
  schema: TableField[];
  layout: Layout;
  description: string;
  numRows: string;
  numBytes: string;
  lastModifiedTime: number;
  labels: Record<string, string>;
}

export class LocationMismatchError extends Error {}

function isNotFound(error: unknown): boolean {
  return (error as { code?: number }).code === 404;
}

export function tableHandle(bigquery: BigQuery, ref: TableRef) {
  return bigquery.dataset(ref.datasetId, { projectId: ref.projectId }).table(ref.tableId);
}

export async function readTable(bigquery: BigQuery, ref: TableRef): Promise<TableInfo | undefined> {
  let metadata: TableMetadata;
  try {
    [metadata] = await tableHandle(bigquery, ref).getMetadata();
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
  return {
    ref,
    location: String(metadata.location ?? ''),
    schema: metadata.schema?.fields ?? [],
    layout: {
      rangePartitioning: metadata.rangePartitioning,
      timePartitioning: metadata.timePartitioning,
      clustering: metadata.clustering,
    },
    description: String(metadata.description ?? ''),
    numRows: String(metadata.numRows ?? '0'),
    numBytes: String(metadata.numBytes ?? '0'),
    lastModifiedTime: Number(metadata.lastModifiedTime),
    labels: (metadata.labels as Record<string, string> | undefined) ?? {},
  };
}

export async function requireTable(bigquery: BigQuery, ref: TableRef, role: string): Promise<TableInfo> {
  const table = await readTable(bigquery, ref);
  if (!table) throw new Error(`${role} table ${formatRef(ref)} not found`);
  return table;
}

export function sameLocation(a: string, b: string): boolean {
  return a.toUpperCase() === b.toUpperCase();
}

/**
 * 'exists' | 'missing'; throws when the dataset exists in another location. BigQuery can copy a table to another region
 * (a cross-region copy, billed as data transfer and with its own limits), but the equality proof reads source and copy
 * in one query, and a query runs in one location: a copy elsewhere could not be verified, so it is refused.
 */
export async function checkDataset(
  bigquery: BigQuery,
  projectId: string,
  datasetId: string,
  location: string,
): Promise<'exists' | 'missing'> {
  try {
    const [metadata] = await bigquery.dataset(datasetId, { projectId }).getMetadata();
    const found = String(metadata.location ?? '');
    if (!sameLocation(found, location)) {
      throw new LocationMismatchError(
        `dataset ${projectId}:${datasetId} is in ${found} but the source is in ${location}: a replica must share the ` +
          `source's location, since its verification reads both tables in one query and a query runs in one ` +
          `location (a cross-region copy would also be billed as data transfer). Use a dataset in ${location} ` +
          `(another --dest-dataset) or move this one.`,
      );
    }
    return 'exists';
  } catch (error) {
    if (isNotFound(error)) return 'missing';
    throw error;
  }
}

export async function createDataset(
  bigquery: BigQuery,
  projectId: string,
  datasetId: string,
  location: string,
  description: string,
): Promise<void> {
  try {
    await bigquery.dataset(datasetId, { projectId }).create({ location, description });
  } catch (error) {
    // Another run created it meanwhile: fine if it is in the right place.
    if ((error as { code?: number }).code !== 409) throw error;
    await checkDataset(bigquery, projectId, datasetId, location);
  }
}

export async function labelTable(
  bigquery: BigQuery,
  ref: TableRef,
  labels: Record<string, string>,
  description: string,
): Promise<void> {
  const handle = tableHandle(bigquery, ref);
  const [current] = await handle.getMetadata();
  // tables.patch merges labels: a key the table has and `labels` lacks is removed only by sending it as null
  const removed = Object.keys(current.labels ?? {}).filter((key) => !(key in labels));
  const patch = { ...labels, ...Object.fromEntries(removed.map((key) => [key, null])) };
  await handle.setMetadata({ labels: patch as Record<string, string>, description });
}
