// Equality proof of a copy: schema, row count and both fingerprints, each side read at a stated point in time.
import type { BigQuery, TableField } from '@google-cloud/bigquery';
import { computeFingerprints, type Fingerprint, type Side } from './fingerprint.js';
import { schemaDifferences } from './schema.js';
import { formatRef } from './table-ref.js';

export interface Verification {
  ok: boolean;
  source: string;
  sourceAsOf: string | null;
  destination: string;
  schemaDifferences: string[];
  sourceFingerprint?: Fingerprint;
  destinationFingerprint?: Fingerprint;
  mismatches: string[];
  queryJobId?: string;
  bytesProcessed?: string;
}

export async function verifyCopy(
  bigquery: BigQuery,
  source: Side & { schema: TableField[] },
  destination: Side & { schema: TableField[] },
  location: string,
): Promise<Verification> {
  const base = {
    source: formatRef(source.table),
    sourceAsOf: source.asOf === undefined ? null : new Date(source.asOf).toISOString(),
    destination: formatRef(destination.table),
  };
  const differences = schemaDifferences(source.schema, destination.schema);
  if (differences.length > 0) {
    // Different columns give different row JSON: no need to pay for the fingerprint scan.
    return { ok: false, ...base, schemaDifferences: differences, mismatches: ['schema'] };
  }
  const result = await computeFingerprints(bigquery, [source, destination], location);
  const [want, got] = result.fingerprints as [Fingerprint, Fingerprint];
  const mismatches: string[] = [];
  if (want.rowCount !== got.rowCount) mismatches.push('row count');
  if (want.xorFingerprint !== got.xorFingerprint) mismatches.push('xor fingerprint');
  if (want.sumFingerprint !== got.sumFingerprint) mismatches.push('sum fingerprint');
  return {
    ok: mismatches.length === 0,
    ...base,
    schemaDifferences: [],
    sourceFingerprint: want,
    destinationFingerprint: got,
    mismatches,
    queryJobId: result.jobId,
    bytesProcessed: result.bytesProcessed,
  };
}
