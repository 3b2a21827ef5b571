// The one plan of a run: typed steps decided before the first write. `--dry-run` prints them (describe), a real run
// executes exactly them (execute.ts) and reports the same descriptions, so the printed plan cannot drift from the run.
import type { TableField } from '@google-cloud/bigquery';
import type { CacheTarget } from './cache-target.js';
import type { CopyRequest } from './jobs.js';
import type { Carried } from './labels.js';
import type { Layout } from './metadata.js';
import { formatRef, type TableRef } from './table-ref.js';

/** What the labels of a verified copy record (the copy instant is added when the step runs). */
export interface LabelFacts {
  source: TableRef;
  snapshot: number;
  readAt: number;
  version?: string;
  /** The source's labels and description, carried onto the copy with the tool's own. */
  carried: Carried;
}

export type Step =
  | { kind: 'create-dataset'; projectId: string; datasetId: string; location: string; description: string }
  | { kind: 'reuse-version'; version: TableRef }
  | { kind: 'copy'; request: CopyRequest }
  | {
      kind: 'verify';
      table: TableRef;
      /** What the copy must equal: the data at asOf, the schema, the layout; the carried metadata once labelled. */
      source: { table: TableRef; asOf: number; schema: TableField[]; layout: Layout; carried?: Carried };
      location: string;
    }
  /** The copy's stored carto_partition values follow its scheme: the API can serve it pruned (partitions.ts). */
  | { kind: 'check-partitions'; table: TableRef; location: string }
  /** A verified copy of a version onto the stable name (refresh: `switch`, rollback: `rollback`). */
  | { kind: 'switch'; request: CopyRequest & { kind: 'switch' | 'rollback' } }
  | { kind: 'prune'; stable: TableRef; keep: number; current: string }
  | { kind: 'label'; table: TableRef; facts: LabelFacts }
  | {
      kind: 'invalidate';
      table: TableRef;
      target: CacheTarget;
      /** Wait before the ban: every API pod's table-metadata cache has then seen the new data version. */
      settleMs: number;
    };

export type Plan = Step[];

function iso(millis: number): string {
  return new Date(millis).toISOString();
}

export function describeTarget(target: CacheTarget): string {
  return target.kind === 'url'
    ? target.url
    : `every ready pod of service ${target.namespace}/${target.service} (Kubernetes API port-forward to 127.0.0.1:${target.port})`;
}

/** One line per step: the dry run's output and the real run's record of what it did. */
export function describe(step: Step): string {
  switch (step.kind) {
    case 'create-dataset':
      return `create dataset ${step.projectId}:${step.datasetId} in ${step.location}`;
    case 'reuse-version':
      return `reuse verified version ${step.version.tableId}`;
    case 'copy': {
      const { source, sourceTime, destination, writeDisposition } = step.request;
      const at = sourceTime === undefined ? '' : `@${sourceTime}`;
      return `copy ${formatRef(source)}${at} -> ${formatRef(destination)} (${writeDisposition})`;
    }
    case 'verify':
      return `verify ${formatRef(step.table)} against ${formatRef(step.source.table)} as of ${iso(step.source.asOf)}`;
    case 'check-partitions':
      return (
        `check that ${formatRef(step.table)}'s stored carto_partition values follow its partition scheme ` +
        '(one capped query sampled across zooms and partitions)'
      );
    case 'switch':
      return `${step.request.kind} ${formatRef(step.request.destination)} to ${step.request.source.tableId} (copy, ${step.request.writeDisposition})`;
    case 'prune':
      return `keep the ${step.keep} newest versions of ${formatRef(step.stable)} (and ${step.current})`;
    case 'label': {
      const version = step.facts.version ? ` version ${step.facts.version}` : '';
      return `label ${formatRef(step.table)} with the source snapshot ${step.facts.snapshot}${version}`;
    }
    case 'invalidate':
      return (
        `after ${step.settleMs} ms, BAN objects of ${formatRef(step.table)} not on its new data version ` +
        `(X-Ban-Table, X-Ban-Data-Version) at ${describeTarget(step.target)}`
      );
  }
}
