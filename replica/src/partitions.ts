// Before a copy is published: proof that the API can serve it pruned (issue 27 item 2). The metadata row's partition
// scheme, then one capped query sampling stored rows across zooms and partitions, both from the API's own code
// (api/src/carto-partition.ts, api/src/partition-check.ts), so the tool refuses exactly what the API could not serve.
import type { BigQuery } from '@google-cloud/bigquery';
import { parseJson, readPartitionScheme } from '../../api/src/carto-partition.js';
import {
  checkSample,
  metadataRowQuery,
  sampleCap,
  sampleQuery,
  type StoredTile,
} from '../../api/src/partition-check.js';
import { dryRunBytes, verificationCap } from './fingerprint.js';
import { formatRef, type TableRef } from './table-ref.js';

export interface PartitionCheck {
  ok: boolean;
  table: string;
  /** Which form the scheme was written in (CARTO's tiler: object; Maps API: string). */
  form?: 'object' | 'string';
  checked?: number;
  zooms?: number;
  partitions?: number;
  problem?: string;
}

/** Who pays, in the billing export and INFORMATION_SCHEMA.JOBS. */
export const PARTITION_CHECK_LABELS = { app: 'maps-api', route: 'replica_partitions' } as const;

export async function checkPartitions(
  bigquery: BigQuery,
  table: TableRef,
  numRows: number,
  location: string,
): Promise<PartitionCheck> {
  const id = formatRef(table);
  const refused = (problem: string): PartitionCheck => ({ ok: false, table: id, problem });
  const metadata = metadataRowQuery(id);
  const metadataCap = verificationCap(await dryRunBytes(bigquery, metadata, {}, location), 1);
  const [metadataRows] = await bigquery.query({
    query: metadata,
    location,
    maximumBytesBilled: String(metadataCap),
    labels: PARTITION_CHECK_LABELS,
  });
  const data = (metadataRows[0] as { data?: unknown } | undefined)?.data;
  if (!Buffer.isBuffer(data)) return refused('no metadata row (z = -1, carto_partition IS NULL)');
  const reading = readPartitionScheme(parseJson(data.toString('utf8')));
  if (!reading.ok) return refused(reading.problem);
  const [rows] = await bigquery.query({
    ...sampleQuery(id),
    location,
    maximumBytesBilled: String(sampleCap(numRows)),
    labels: PARTITION_CHECK_LABELS,
  });
  const tiles: StoredTile[] = (rows as Record<string, unknown>[]).map((row) => ({
    z: Number(row.z),
    x: Number(row.x),
    y: Number(row.y),
    carto_partition: row.carto_partition === null ? null : Number(row.carto_partition),
  }));
  const check = checkSample(reading.scheme, tiles);
  if (!check.ok) return { ...refused(check.problem), form: reading.form };
  const { checked, zooms, partitions } = check;
  return { ok: true, table: id, form: reading.form, checked, zooms, partitions };
}
