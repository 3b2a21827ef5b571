// One run of the tool: refresh (overwrite or versioned), rollback, or verification alone; --dry-run plans without
// writing. Every decision is taken before the first write, so the dry-run plan is the real run's plan.
import type { BigQuery } from '@google-cloud/bigquery';
import { banTable } from './ban.js';
import { estimateBytes } from './fingerprint.js';
import { runCopyJob, type CopyRequest, type JobRecord, type Log } from './jobs.js';
import { LABEL, recordsSnapshot, replicaDescription, replicaLabels } from './labels.js';
import {
  checkDataset,
  createDataset,
  labelTable,
  readTable,
  requireTable,
  tableHandle,
  type TableInfo,
} from './metadata.js';
import type { ReplicaOptions } from './options.js';
import {
  isWithinTimeTravel,
  readInstantFor,
  timeTravelWindowMs,
  waitUntilPast,
  type Clock,
} from './read-instant.js';
import { finish, type Report } from './report.js';
import { schemaDifferences } from './schema.js';
import { formatRef, type TableRef } from './table-ref.js';
import { verifyCopy, type Verification } from './verify.js';
import { listVersions, versionName, versionRef, versionsToPrune } from './versions.js';

export interface Context extends Clock {
  bigquery: BigQuery;
  log: Log;
  pollMs: number;
}

function base(options: ReplicaOptions) {
  return {
    action: options.action,
    mode: options.mode,
    dryRun: options.dryRun,
    source: formatRef(options.source),
    destination: formatRef(options.destination),
    jobs: [] as JobRecord[],
  };
}

/** Up to date: the destination's labels record this source snapshot and its shape still matches. */
function isUpToDate(stable: TableInfo | undefined, source: TableInfo, snapshot: number): boolean {
  return (
    !!stable &&
    recordsSnapshot(stable.labels, source.ref, snapshot) &&
    schemaDifferences(source.schema, stable.schema).length === 0 &&
    stable.numRows === source.numRows
  );
}

function stateOf(table: TableInfo | undefined): string {
  return table?.labels[LABEL.copiedAt] ?? 'none';
}

export async function replicate(options: ReplicaOptions, ctx: Context): Promise<Report> {
  if (options.action === 'rollback') return rollback(options, ctx);
  if (options.action === 'verify') return verifyOnly(options, ctx);
  return refresh(options, ctx);
}

async function refresh(options: ReplicaOptions, ctx: Context): Promise<Report> {
  const { bigquery, log } = ctx;
  const report = base(options);
  const source = await requireTable(bigquery, options.source, 'source');
  const location = source.location;
  const snapshot = source.lastModifiedTime;
  const readTime = readInstantFor(snapshot, ctx.now(), await timeTravelWindowMs(bigquery, options.source));
  const times = { location, sourceSnapshot: iso(snapshot), sourceReadTime: iso(readTime) };
  log(`source ${report.source}: ${source.numRows} rows in ${location}, last modified ${iso(snapshot)}`);

  const stable = options.destination;
  const datasetState = await checkDataset(bigquery, stable.projectId, stable.datasetId, location);
  const current = datasetState === 'exists' ? await readTable(bigquery, stable) : undefined;
  if (isUpToDate(current, source, snapshot)) {
    return finish({
      ...report,
      ...times,
      outcome: 'up-to-date',
      message: `${report.destination} already holds it`,
    });
  }
  await waitUntilPast(readTime, ctx);

  const version = options.mode === 'versioned' ? versionName(stable.tableId, snapshot) : undefined;
  const target = version ? versionRef(stable, version) : stable;
  const existingVersion =
    version && datasetState === 'exists' ? await readTable(bigquery, target) : undefined;
  // A version verified by an earlier run (labels are written only after verification) needs no copy nor scan.
  const versionVerified = !!existingVersion && recordsSnapshot(existingVersion.labels, source.ref, snapshot);
  const copy: CopyRequest = {
    kind: 'copy',
    source: options.source,
    sourceTime: readTime,
    destination: target,
    writeDisposition: version ? 'WRITE_EMPTY' : 'WRITE_TRUNCATE',
    location,
    identity: `${snapshot}:${stateOf(version ? existingVersion : current)}`,
  };

  if (options.dryRun) {
    const plan = [
      datasetState === 'missing'
        ? `create dataset ${stable.projectId}:${stable.datasetId} in ${location}`
        : '',
      versionVerified
        ? `reuse verified version ${version}`
        : `copy ${report.source}@${readTime} -> ${formatRef(target)} (${copy.writeDisposition})`,
      versionVerified ? '' : `verify ${formatRef(target)} against the source as of ${iso(readTime)}`,
      version ? `switch ${report.destination} to ${version} (copy, WRITE_TRUNCATE)` : '',
      version ? `keep the ${options.keep} newest versions` : '',
      `label ${report.destination} with the source snapshot ${snapshot}`,
      options.banUrl ? `BAN ${options.banUrl} X-Ban-Table: ${report.destination}` : '',
    ].filter(Boolean);
    const estimate = await estimateBytes(bigquery, { table: options.source, asOf: readTime }, location);
    return finish({
      ...report,
      ...times,
      version,
      outcome: 'planned',
      plan,
      estimatedVerificationBytes: versionVerified ? 0 : 2 * estimate,
      message: `dry run: nothing written`,
    });
  }

  if (datasetState === 'missing') {
    log(`creating dataset ${stable.projectId}:${stable.datasetId} in ${location}`);
    await createDataset(
      bigquery,
      stable.projectId,
      stable.datasetId,
      location,
      `Replicas of ${report.source}`,
    );
  }
  const facts = { source: options.source, snapshot, readAt: readTime, version };
  let verification: Verification | undefined;
  if (!versionVerified) {
    report.jobs.push(await runCopyJob(bigquery, copy, log, ctx.pollMs));
    const copied = await requireTable(bigquery, target, 'copied');
    log(`verifying ${formatRef(target)} against the source as of ${iso(readTime)}`);
    verification = await verifyCopy(
      bigquery,
      { table: options.source, asOf: readTime, schema: source.schema },
      { table: target, schema: copied.schema },
      location,
    );
    if (!verification.ok) {
      const where = version ? `; ${report.destination} was not switched` : '';
      return finish({
        ...report,
        ...times,
        version,
        verification,
        outcome: 'verification-failed',
        message: `${formatRef(target)} differs from the source (${verification.mismatches.join(', ')})${where}`,
      });
    }
    if (version) {
      const versionFacts = { ...facts, copiedAt: ctx.now() };
      await labelTable(bigquery, target, replicaLabels(versionFacts), replicaDescription(versionFacts));
    }
  }

  let prunedVersions: string[] | undefined;
  if (version) {
    const versionInfo = await requireTable(bigquery, target, 'version');
    report.jobs.push(await switchStable(ctx, 'switch', versionInfo, stable, location, stateOf(current)));
    prunedVersions = await prune(ctx, stable, options.keep, version);
  }
  const copiedAt = ctx.now();
  await labelTable(
    bigquery,
    stable,
    replicaLabels({ ...facts, copiedAt }),
    replicaDescription({ ...facts, copiedAt }),
  );
  const ban = options.banUrl ? await banTable(options.banUrl, stable) : undefined;
  return finish({
    ...report,
    ...times,
    version,
    verification,
    prunedVersions,
    ban,
    outcome: ban && !ban.ok ? 'error' : 'copied',
    message:
      ban && !ban.ok
        ? `copied and verified, but the cache ban failed (${ban.error ?? `HTTP ${ban.status}`}): ban by hand`
        : `${report.destination} now holds the source as of ${iso(snapshot)}`,
  });
}

/** Copies a verified version onto the stable name: one copy job with WRITE_TRUNCATE, atomic for readers. */
async function switchStable(
  ctx: Context,
  kind: 'switch' | 'rollback',
  version: TableInfo,
  stable: TableRef,
  location: string,
  stableState: string,
): Promise<JobRecord> {
  const job = await runCopyJob(
    ctx.bigquery,
    {
      kind,
      source: version.ref,
      destination: stable,
      writeDisposition: 'WRITE_TRUNCATE',
      location,
      identity: `${stableState}->${version.ref.tableId}`,
    },
    ctx.log,
    ctx.pollMs,
  );
  // A copy of a verified table: comparing metadata suffices (a second fingerprint scan would double the cost).
  const switched = await requireTable(ctx.bigquery, stable, 'stable');
  const differences = schemaDifferences(version.schema, switched.schema);
  if (differences.length > 0 || switched.numRows !== version.numRows) {
    throw new Error(`${formatRef(stable)} does not match ${version.ref.tableId} after the ${kind}`);
  }
  return job;
}

async function prune(ctx: Context, stable: TableRef, keep: number, current: string): Promise<string[]> {
  const doomed = versionsToPrune(await listVersions(ctx.bigquery, stable), keep, current);
  for (const name of doomed) {
    ctx.log(`deleting old version ${name}`);
    await tableHandle(ctx.bigquery, versionRef(stable, name)).delete();
  }
  return doomed;
}

async function rollback(options: ReplicaOptions, ctx: Context): Promise<Report> {
  const { bigquery, log } = ctx;
  const report = base(options);
  const stable = await requireTable(bigquery, options.destination, 'stable');
  const current = stable.labels[LABEL.version];
  if (!current)
    throw new Error(
      `${report.destination} has no ${LABEL.version} label: it was not written in versioned mode`,
    );
  const versions = await listVersions(bigquery, options.destination);
  const index = versions.findIndex((name) => name.toLowerCase() === current);
  const previous = index > 0 ? versions[index - 1] : undefined;
  if (!previous)
    throw new Error(
      `no version older than ${current} to roll back to (have: ${versions.join(', ') || 'none'})`,
    );
  const target = await requireTable(bigquery, versionRef(options.destination, previous), 'version');
  const snapshot = Number(target.labels[LABEL.snapshot]);
  const readAt = Number(target.labels[LABEL.readAt] ?? snapshot);
  if (options.dryRun) {
    return finish({
      ...report,
      version: previous,
      outcome: 'planned',
      plan: [
        `copy ${previous} -> ${report.destination} (WRITE_TRUNCATE)`,
        `label ${report.destination} version ${previous}`,
      ],
      message: 'dry run: nothing written',
    });
  }
  log(`rolling ${report.destination} back from ${current} to ${previous}`);
  report.jobs.push(
    await switchStable(ctx, 'rollback', target, options.destination, stable.location, stateOf(stable)),
  );
  const facts = { source: options.source, snapshot, readAt, version: previous, copiedAt: ctx.now() };
  await labelTable(bigquery, options.destination, replicaLabels(facts), replicaDescription(facts));
  const ban = options.banUrl ? await banTable(options.banUrl, options.destination) : undefined;
  return finish({
    ...report,
    location: stable.location,
    sourceSnapshot: iso(snapshot),
    version: previous,
    ban,
    outcome: ban && !ban.ok ? 'error' : 'rolled-back',
    message: `${report.destination} rolled back to ${previous}; the next refresh moves it forward again`,
  });
}

async function verifyOnly(options: ReplicaOptions, ctx: Context): Promise<Report> {
  const { bigquery } = ctx;
  const report = base(options);
  const source = await requireTable(bigquery, options.source, 'source');
  const stable = await requireTable(bigquery, options.destination, 'destination');
  const window = await timeTravelWindowMs(bigquery, options.source);
  // Compare with the source state the copy claims to hold (its labels), else with the source's current state.
  const recorded = recordedRead(stable.labels);
  const snapshot = recorded?.snapshot ?? source.lastModifiedTime;
  const unchangedSince = snapshot === source.lastModifiedTime;
  let readTime: number;
  if (recorded && isWithinTimeTravel(recorded.readAt, ctx.now(), window)) readTime = recorded.readAt;
  else if (unchangedSince) {
    // Nothing changed since that state: an instant covering the last commit reads it.
    readTime = readInstantFor(snapshot, ctx.now(), window);
    await waitUntilPast(readTime, ctx);
  } else {
    return finish({
      ...report,
      location: source.location,
      sourceSnapshot: iso(snapshot),
      sourceReadTime: iso(recorded!.readAt),
      outcome: 'not-verifiable',
      message:
        `${report.destination} records the source as of ${iso(recorded!.readAt)}, which has left the source's ` +
        `time-travel window (${window / 3600_000} h), and the source changed since (last modified ` +
        `${iso(source.lastModifiedTime)}): no honest comparison exists. Refresh instead (copies and verifies the ` +
        `current state).`,
    });
  }
  const times = { location: source.location, sourceSnapshot: iso(snapshot), sourceReadTime: iso(readTime) };
  if (options.dryRun) {
    const estimate = await estimateBytes(
      bigquery,
      { table: options.source, asOf: readTime },
      source.location,
    );
    return finish({
      ...report,
      ...times,
      outcome: 'planned',
      plan: [`verify ${report.destination} against the source as of ${iso(readTime)}`],
      estimatedVerificationBytes: 2 * estimate,
      message: 'dry run: nothing queried',
    });
  }
  const verification = await verifyCopy(
    bigquery,
    { table: options.source, asOf: readTime, schema: source.schema },
    { table: options.destination, schema: stable.schema },
    source.location,
  );
  return finish({
    ...report,
    ...times,
    verification,
    outcome: verification.ok ? 'verified' : 'verification-failed',
    message: verification.ok
      ? `${report.destination} equals the source as of ${iso(readTime)}`
      : `${report.destination} differs from the source (${verification.mismatches.join(', ')})`,
  });
}

/** The snapshot and read instant a verified copy's labels record; copies labelled before read_at were read at the snapshot. */
function recordedRead(labels: Record<string, string>): { snapshot: number; readAt: number } | undefined {
  const snapshot = Number(labels[LABEL.snapshot]);
  if (!Number.isFinite(snapshot) || snapshot <= 0) return undefined;
  const readAt = Number(labels[LABEL.readAt] ?? snapshot);
  return { snapshot, readAt: Number.isFinite(readAt) && readAt > 0 ? readAt : snapshot };
}

function iso(millis: number): string {
  return new Date(millis).toISOString();
}
