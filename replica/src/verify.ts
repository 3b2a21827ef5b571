// Equality proof of a copy: schema, layout (partitioning, clustering), row count and both fingerprints, each side
// read at a stated point in time; once labelled, also the source's labels and description it carries.
import type { BigQuery, TableField } from '@google-cloud/bigquery';
import { computeFingerprints, type Fingerprint, type Side } from './fingerprint.js';
import { carriedDifferences, carriedFrom, type Carried } from './labels.js';
import type { Layout } from './metadata.js';
import { layoutDifferences, schemaDifferences } from './schema.js';
import { formatRef } from './table-ref.js';

export interface Verification {
  ok: boolean;
  source: string;
  sourceAsOf: string | null;
  destination: string;
  schemaDifferences: string[];
  /** Partitioning, clustering, carried labels and description that differ. */
  metadataDifferences: string[];
  sourceFingerprint?: Fingerprint;
  destinationFingerprint?: Fingerprint;
  mismatches: string[];
  queryJobId?: string;
  bytesProcessed?: string;
}

export async function verifyCopy(
  bigquery: BigQuery,
  source: Side & { schema: TableField[]; layout: Layout; carried?: Carried },
  destination: Side & {
    schema: TableField[];
    layout: Layout;
    labels: Record<string, string>;
    description: string;
  },
  location: string,
): Promise<Verification> {
  const base = {
    source: formatRef(source.table),
    sourceAsOf: source.asOf === undefined ? null : new Date(source.asOf).toISOString(),
    destination: formatRef(destination.table),
  };
  const differences = schemaDifferences(source.schema, destination.schema);
  const layout = layoutDifferences(source.layout, destination.layout);
  const carried = source.carried
    ? carriedDifferences(source.carried, carriedFrom(destination.labels, destination.description))
    : [];
  const metadataDifferences = [...layout, ...carried];
  const named = metadataDifferences.map((difference) => difference.split(':')[0]!);
  if (differences.length > 0 || layout.length > 0) {
    // Different columns or storage: not the same table, whatever the rows; no need to pay for the fingerprint scan.
    const mismatches = [...(differences.length > 0 ? ['schema'] : []), ...named];
    return { ok: false, ...base, schemaDifferences: differences, metadataDifferences, mismatches };
  }
  const result = await computeFingerprints(bigquery, [source, destination], location);
  const [want, got] = result.fingerprints as [Fingerprint, Fingerprint];
  const mismatches: string[] = [...named];
  if (want.rowCount !== got.rowCount) mismatches.push('row count');
  if (want.xorFingerprint !== got.xorFingerprint) mismatches.push('xor fingerprint');
  if (want.sumFingerprint !== got.sumFingerprint) mismatches.push('sum fingerprint');
  return {
    ok: mismatches.length === 0,
    ...base,
    schemaDifferences: [],
    metadataDifferences,
    sourceFingerprint: want,
    destinationFingerprint: got,
    mismatches,
    queryJobId: result.jobId,
    bytesProcessed: result.bytesProcessed,
  };
}
