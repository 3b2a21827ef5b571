// Loads the embedded sample data into an emulator under the real table names.
import { BigQuery, type TableField } from '@google-cloud/bigquery';
import {
  SAMPLE_LOCATION,
  SAMPLE_TABLE,
  SAMPLE_TILESET,
  STORES_SCHEMA,
  TILESET_RANGE_PARTITIONING,
  TILESET_SCHEMA,
  sampleStoreRows,
  sampleTileRows,
} from './sample-data.js';

export function emulatorClient(host: string, projectId = 'carto-demo-data'): BigQuery {
  // No Google metadata server exists locally: skip the client's probe for one (and its warning).
  process.env.METADATA_SERVER_DETECTION ??= 'none';
  return new BigQuery({ projectId, apiEndpoint: host.replace(/\/bigquery\/v2$/, '') });
}

export async function createTable(
  bigquery: BigQuery,
  tableId: string,
  schema: TableField[],
  rows: Record<string, unknown>[],
  extra: Record<string, unknown> = {},
): Promise<void> {
  const [project, datasetId, tableName] = tableId.split('.') as [string, string, string];
  const dataset = bigquery.dataset(datasetId, { projectId: project });
  const [datasetExists] = await dataset.exists();
  if (!datasetExists) await dataset.create({ location: SAMPLE_LOCATION });
  const table = dataset.table(tableName);
  const [tableExists] = await table.exists();
  if (tableExists) await table.delete();
  await dataset.createTable(tableName, { schema: { fields: schema }, ...extra });
  for (let i = 0; i < rows.length; i += 500) {
    await table.insert(rows.slice(i, i + 500));
  }
}

/** The sample tileset's storage and description: also what an exact copy of it (a replica) carries. */
export const TILESET_TABLE_OPTIONS = {
  clustering: { fields: ['z', 'x', 'y'] },
  rangePartitioning: TILESET_RANGE_PARTITIONING,
  description: 'Embedded sample of carto-demo-data.demo_tilesets.osm_buildings',
};

export async function seedSampleData(host: string): Promise<{ tiles: number; stores: number }> {
  const bigquery = emulatorClient(host);
  const tiles = sampleTileRows().map((row) => ({ ...row, data: row.data.toString('base64') }));
  await createTable(bigquery, SAMPLE_TILESET, TILESET_SCHEMA, tiles, TILESET_TABLE_OPTIONS);
  const stores = sampleStoreRows();
  await createTable(bigquery, SAMPLE_TABLE, STORES_SCHEMA, stores as unknown as Record<string, unknown>[]);
  return { tiles: tiles.length, stores: stores.length };
}
