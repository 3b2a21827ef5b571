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
  const [job] = await bigquery.createQueryJob({ query, params, location });
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

/** What the verification would scan, from a dry run of the source side (the copy has the same size). */
export async function estimateBytes(bigquery: BigQuery, source: Side, location: string): Promise<number> {
  const { query, params } = fingerprintQuery([source]);
  const [job] = await bigquery.createQueryJob({ query, params, location, dryRun: true });
  return Number(job.metadata?.statistics?.totalBytesProcessed ?? 0);
}
