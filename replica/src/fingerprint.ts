// Row-set fingerprints computed by BigQuery itself. Each row becomes FARM_FINGERPRINT(TO_JSON_STRING(row)) (INT64);
// BIT_XOR of those is order-independent but cancels any pair of equal rows, so a SUM (as BIGNUMERIC: no overflow,
// exact) is computed too: it changes when a duplicated row is swapped for another duplicated row.
import type { BigQuery } from '@google-cloud/bigquery';
import { sqlRef, type TableRef } from './table-ref.js';

export interface Fingerprint {
  rowCount: string;
  xorFingerprint: string | null;
  sumFingerprint: string | null;
}

export interface Side {
  table: TableRef;
  /** Read the table as of this instant (time travel); omitted: its current state. */
  asOf?: number;
}

function sideSql(side: Side, name: string, param: string): string {
  const from =
    side.asOf === undefined ? sqlRef(side.table) : `${sqlRef(side.table)} FOR SYSTEM_TIME AS OF @${param}`;
  return `SELECT '${name}' AS side, COUNT(*) AS row_count,
  CAST(BIT_XOR(FARM_FINGERPRINT(TO_JSON_STRING(t))) AS STRING) AS xor_fingerprint,
  CAST(SUM(CAST(FARM_FINGERPRINT(TO_JSON_STRING(t)) AS BIGNUMERIC)) AS STRING) AS sum_fingerprint
FROM (SELECT * FROM ${from}) AS t`;
}

/** One query job over all sides (UNION ALL): one scan of each table, one bill. */
export function fingerprintQuery(sides: Side[]): { query: string; params: Record<string, Date> } {
  const params: Record<string, Date> = {};
  const parts = sides.map((side, i) => {
    if (side.asOf !== undefined) params[`as_of_${i}`] = new Date(side.asOf);
    return sideSql(side, String(i), `as_of_${i}`);
  });
  return { query: parts.join('\nUNION ALL\n'), params };
}

/** An integral BIGNUMERIC as plain digits (BigQuery prints `123`; DuckDB-backed emulators print `123.000…`). */
function integerText(value: string | null): string | null {
  return value === null ? null : value.replace(/\.0*$/, '');
}

export interface FingerprintResult {
  fingerprints: Fingerprint[];
  jobId: string;
  bytesProcessed: string | undefined;
}

export async function computeFingerprints(
  bigquery: BigQuery,
  sides: Side[],
  location: string,
): Promise<FingerprintResult> {
  const { query, params } = fingerprintQuery(sides);
  const estimate = await dryRunBytes(bigquery, query, params, location);
  const [job] = await bigquery.createQueryJob({
    query,
    params,
    location,
    maximumBytesBilled: String(verificationCap(estimate, sides.length)),
    labels: FINGERPRINT_LABELS,
  });
  const [rows] = await job.getQueryResults();
  const [metadata] = await job.getMetadata();
  const bySide = new Map(rows.map((row: Record<string, unknown>) => [String(row.side), row]));
  const fingerprints = sides.map((_, i) => {
    const row = bySide.get(String(i));
    if (!row) throw new Error(`fingerprint query returned no row for side ${i}`);
    return {
      rowCount: String(row.row_count),
      xorFingerprint: (row.xor_fingerprint as string | null) ?? null,
      sumFingerprint: integerText(row.sum_fingerprint as string | null),
    };
  });
  return { fingerprints, jobId: job.id ?? '', bytesProcessed: metadata.statistics?.totalBytesProcessed };
}

/** Who pays, in the billing export and INFORMATION_SCHEMA.JOBS (the API's queries carry app and route too). */
export const FINGERPRINT_LABELS = { app: 'maps-api', route: 'replica_verify' } as const;

const MIB = 1024 * 1024;
/** BigQuery bills at least 10 MiB per table a query references. */
const MIN_BILLED_PER_TABLE = 10 * MIB;

/**
 * maximumBytesBilled for the fingerprint query: its dry-run estimate (a full scan of every side: no pruning applies)
 * plus 10 % for a table that grows between the estimate and the run, never below BigQuery's billing minimum. A query
 * that would bill more fails before it is billed, instead of scanning an unexpectedly large table.
 */
export function verificationCap(estimate: number, tables: number): number {
  return Math.max(Math.ceil(estimate * 1.1), tables * MIN_BILLED_PER_TABLE);
}

export async function dryRunBytes(
  bigquery: BigQuery,
  query: string,
  params: Record<string, Date>,
  location: string,
): Promise<number> {
  const [job] = await bigquery.createQueryJob({ query, params, location, dryRun: true });
  return Number(job.metadata?.statistics?.totalBytesProcessed ?? 0);
}

/** What the verification would scan, from a dry run of the source side (the copy has the same size). */
export async function estimateBytes(bigquery: BigQuery, source: Side, location: string): Promise<number> {
  const { query, params } = fingerprintQuery([source]);
  return dryRunBytes(bigquery, query, params, location);
}
