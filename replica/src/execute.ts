// Runs a plan (plan.ts) step by step. Each step does exactly what its description says; a failed verification stops
// the run before anything that would publish the copy.
import type { BigQuery } from '@google-cloud/bigquery';
import { banTable, type BanResult } from './ban.js';
import { runCopyJob, type JobRecord, type Log } from './jobs.js';
import { replicaDescription, replicaLabels } from './labels.js';
import { createDataset, labelTable, requireTable, tableHandle } from './metadata.js';
import { checkPartitions, type PartitionCheck } from './partitions.js';
import { describe, type Plan, type Step } from './plan.js';
import type { Clock } from './read-instant.js';
import { layoutDifferences, schemaDifferences } from './schema.js';
import { formatRef } from './table-ref.js';
import { verifyCopy, type Verification } from './verify.js';
import { listVersions, versionRef, versionsToPrune } from './versions.js';

export interface Context extends Clock {
  bigquery: BigQuery;
  log: Log;
  pollMs: number;
}

export interface Execution {
  /** Descriptions of the steps that ran, in order: the dry run's plan when nothing failed. */
  steps: string[];
  jobs: JobRecord[];
  verification?: Verification;
  partitionCheck?: PartitionCheck;
  prunedVersions?: string[];
  ban?: BanResult;
  /** Set when a step stopped the run on purpose (a failed verification, a copy the API could not serve pruned). */
  stoppedBy?: Extract<Step, { kind: 'verify' | 'check-partitions' }>;
}

export async function execute(plan: Plan, ctx: Context): Promise<Execution> {
  const execution: Execution = { steps: [], jobs: [] };
  for (const step of plan) {
    ctx.log(describe(step));
    await run(step, ctx, execution);
    execution.steps.push(describe(step));
    if (execution.stoppedBy) break;
  }
  return execution;
}

async function run(step: Step, ctx: Context, execution: Execution): Promise<void> {
  const { bigquery } = ctx;
  switch (step.kind) {
    case 'create-dataset':
      return createDataset(bigquery, step.projectId, step.datasetId, step.location, step.description);
    case 'reuse-version':
      return;
    case 'copy':
      execution.jobs.push(await runCopyJob(bigquery, step.request, ctx.log, ctx.pollMs));
      return;
    case 'verify': {
      const copied = await requireTable(bigquery, step.table, 'copied');
      const { schema, layout, labels, description } = copied;
      execution.verification = await verifyCopy(
        bigquery,
        step.source,
        { table: step.table, schema, layout, labels, description },
        step.location,
      );
      if (!execution.verification.ok) execution.stoppedBy = step;
      return;
    }
    case 'check-partitions': {
      const copied = await requireTable(bigquery, step.table, 'copied');
      execution.partitionCheck = await checkPartitions(
        bigquery,
        step.table,
        Number(copied.numRows),
        step.location,
      );
      ctx.log(
        execution.partitionCheck.ok
          ? `partitions: ${execution.partitionCheck.checked} sampled tiles over ${execution.partitionCheck.zooms} zooms and ${execution.partitionCheck.partitions} partitions agree with the ${execution.partitionCheck.form} scheme`
          : `partitions: ${execution.partitionCheck.problem}`,
      );
      if (!execution.partitionCheck.ok) execution.stoppedBy = step;
      return;
    }
    case 'switch': {
      // A copy of a verified table: comparing metadata suffices (a second fingerprint scan would double the cost).
      const { source: version, destination: stable } = step.request;
      const expected = await requireTable(bigquery, version, 'version');
      execution.jobs.push(await runCopyJob(bigquery, step.request, ctx.log, ctx.pollMs));
      const switched = await requireTable(bigquery, stable, 'stable');
      if (
        schemaDifferences(expected.schema, switched.schema).length > 0 ||
        layoutDifferences(expected.layout, switched.layout).length > 0 ||
        switched.numRows !== expected.numRows
      ) {
        throw new Error(
          `${formatRef(stable)} does not match ${version.tableId} after the ${step.request.kind}`,
        );
      }
      return;
    }
    case 'prune': {
      const doomed = versionsToPrune(await listVersions(bigquery, step.stable), step.keep, step.current);
      for (const name of doomed) {
        ctx.log(`deleting old version ${name}`);
        await tableHandle(bigquery, versionRef(step.stable, name)).delete();
      }
      execution.prunedVersions = doomed;
      return;
    }
    case 'label': {
      const facts = { ...step.facts, copiedAt: ctx.now() };
      return labelTable(bigquery, step.table, replicaLabels(facts), replicaDescription(facts));
    }
    case 'invalidate': {
      await ctx.sleep(step.settleMs);
      // The data version the API now reports for the table: its lastModifiedTime after this run's last write.
      const { lastModifiedTime } = await requireTable(bigquery, step.table, 'stable');
      const dataVersion = new Date(lastModifiedTime).toISOString();
      execution.ban = await banTable(step.target, step.table, dataVersion);
      const { ok, answers } = execution.ban;
      ctx.log(
        `ban ${ok ? 'done' : 'FAILED'}: ${answers.map((a) => `${a.pod ?? a.url} ${a.status ?? a.error}`).join(', ')}`,
      );
      return;
    }
  }
}
