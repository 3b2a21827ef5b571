// What the copy says about itself. Labels are machine-readable (lowercase, max 63 chars); the description is for people.
import { formatRef, type TableRef } from './table-ref.js';

export const LABEL = {
  managedBy: 'managed_by',
  source: 'replica_source',
  snapshot: 'replica_source_modified',
  readAt: 'replica_source_read_at',
  copiedAt: 'replica_copied_at',
  version: 'replica_version',
} as const;

export function labelValue(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '_')
    .slice(0, 63);
}

export interface CopyFacts {
  source: TableRef;
  /** The source's lastModifiedTime that was copied (ms). */
  snapshot: number;
  /** The instant the source was read at (copy and verification), which covers the snapshot's commit (ms). */
  readAt: number;
  copiedAt: number;
  version?: string;
}

export function replicaLabels(facts: CopyFacts): Record<string, string> {
  const labels: Record<string, string> = {
    [LABEL.managedBy]: 'maps-api-replica',
    [LABEL.source]: labelValue(formatRef(facts.source)),
    [LABEL.snapshot]: String(facts.snapshot),
    [LABEL.readAt]: String(facts.readAt),
    [LABEL.copiedAt]: String(facts.copiedAt),
  };
  if (facts.version) labels[LABEL.version] = labelValue(facts.version);
  return labels;
}

export function replicaDescription(facts: CopyFacts): string {
  const version = facts.version ? ` (version ${facts.version})` : '';
  return (
    `Replica of ${formatRef(facts.source)} as last modified at ${new Date(facts.snapshot).toISOString()} ` +
    `(read as of ${new Date(facts.readAt).toISOString()}), ` +
    `copied at ${new Date(facts.copiedAt).toISOString()}${version} by @maps-api/replica. Do not edit: refreshed by ` +
    `copy jobs.`
  );
}

/** The copy is the source's current state when its labels name this source and this snapshot. */
export function recordsSnapshot(labels: Record<string, string>, source: TableRef, snapshot: number): boolean {
  return (
    labels[LABEL.source] === labelValue(formatRef(source)) && labels[LABEL.snapshot] === String(snapshot)
  );
}
