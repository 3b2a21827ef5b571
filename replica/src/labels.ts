// What the copy says about itself, next to what it carries over from its source. Labels are machine-readable
// (lowercase, max 63 chars); the description is for people. The tool owns the LABEL keys and the note it appends to
// the description; the source's other labels and its own description are copied as they are (an exact copy).
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

const OWNED = new Set<string>(Object.values(LABEL));
/** Where the tool's note starts in a copy's description: what comes before it is the source's. */
const NOTE = 'Replica of ';

/** The metadata a copy carries over from its source, besides the data: what the tool does not own. */
export interface Carried {
  labels: Record<string, string>;
  description: string;
}

/** A table's labels and description without the tool's own: what a copy of it must carry. */
export function carriedFrom(labels: Record<string, string>, description: string): Carried {
  const note = description.startsWith(NOTE) ? 0 : description.lastIndexOf(`\n\n${NOTE}`);
  return {
    labels: Object.fromEntries(
      Object.entries(labels).filter(([key, value]) => !OWNED.has(key) && typeof value === 'string'),
    ),
    description: note < 0 ? description : description.slice(0, note),
  };
}

/** 'labels: …' / 'description: …' where a copy does not carry its source's; empty when it does. */
export function carriedDifferences(expected: Carried, actual: Carried): string[] {
  const sorted = (labels: Record<string, string>) => JSON.stringify(Object.entries(labels).sort());
  const differences: string[] = [];
  if (sorted(expected.labels) !== sorted(actual.labels))
    differences.push(`labels: expected ${sorted(expected.labels)}, found ${sorted(actual.labels)}`);
  if (expected.description !== actual.description)
    differences.push(
      `description: expected ${JSON.stringify(expected.description)}, found ${JSON.stringify(actual.description)}`,
    );
  return differences;
}

export interface CopyFacts {
  source: TableRef;
  /** The source's lastModifiedTime that was copied (ms). */
  snapshot: number;
  /** The instant the source was read at (copy and verification), which covers the snapshot's commit (ms). */
  readAt: number;
  copiedAt: number;
  version?: string;
  carried: Carried;
}

export function replicaLabels(facts: CopyFacts): Record<string, string> {
  const labels: Record<string, string> = {
    ...facts.carried.labels,
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
  const source = facts.carried.description ? `${facts.carried.description}\n\n` : '';
  return (
    `${source}${NOTE}${formatRef(facts.source)} as last modified at ${new Date(facts.snapshot).toISOString()} ` +
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
