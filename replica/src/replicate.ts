// One run of the tool: refresh (overwrite or versioned), rollback, or verification alone. Every decision is taken
// before the first write and written down as one typed plan (plan.ts): --dry-run prints it, a real run executes it
// (execute.ts) and reports the steps it ran, so the dry-run plan is the real run's plan by construction.
import { estimateBytes } from './fingerprint.js';
import { execute, type Context, type Execution } from './execute.js';
import type { CopyRequest } from './jobs.js';
import { carriedDifferences, carriedFrom, LABEL, recordsSnapshot } from './labels.js';
import { checkDataset, readTable, requireTable, type TableInfo } from './metadata.js';
import type { ReplicaOptions } from './options.js';
import { describe, type LabelFacts, type Plan, type Step } from './plan.js';
import { isWithinTimeTravel, readInstantFor, timeTravelWindowMs, waitUntilPast } from './read-instant.js';
import { finish, type Report } from './report.js';
import { layoutDifferences, schemaDifferences } from './schema.js';
import { formatRef } from './table-ref.js';
import { listVersions, versionName, versionRef } from './versions.js';

export type { Context } from './execute.js';

function base(options: ReplicaOptions) {
  return {
    action: options.action,
    mode: options.mode,
    dryRun: options.dryRun,
    source: formatRef(options.source),
    destination: formatRef(options.destination),
    jobs: [] as Execution['jobs'],
  };
}

/**
 * Up to date: the destination's labels record this source snapshot, and its shape (schema, partitioning, clustering)
 * and the source's labels and description it carries still match.
 */
function isUpToDate(stable: TableInfo | undefined, source: TableInfo, snapshot: number): boolean {
  return (
    !!stable &&
    recordsSnapshot(stable.labels, source.ref, snapshot) &&
    schemaDifferences(source.schema, stable.schema).length === 0 &&
    layoutDifferences(source.layout, stable.layout).length === 0 &&
    carriedDifferences(carriedOf(source), carriedOf(stable)).length === 0 &&
    stable.numRows === source.numRows
  );
}

const carriedOf = (table: TableInfo) => carriedFrom(table.labels, table.description);

/**
 * What makes a copy job unique besides source and destination: the source snapshot and the destination's state, as
 * its lastModifiedTime says. A job still running leaves the destination unchanged (a rerun attaches to it); a copy
 * that finished, even one whose verification then failed, changed it (the next run starts a new job).
 */
function destinationState(table: TableInfo | undefined): string {
  return table ? String(table.lastModifiedTime) : 'none';
}

/** A CARTO tileset (a carto_partition column): the API serves it pruned only if its partitions check out. */
function partitionCheckSteps(source: TableInfo, table: TableInfo['ref'], location: string): Step[] {
  return source.schema.some((field) => field.name === 'carto_partition')
    ? [{ kind: 'check-partitions', table, location }]
    : [];
}

/** The outcome of a run a step stopped on purpose: the copy differs, or the API could not serve it pruned. */
function stopped(execution: Execution, target: string, notSwitched: string) {
  if (execution.stoppedBy?.kind === 'check-partitions') {
    return {
      outcome: 'not-servable' as const,
      message:
        `${target} is not servable pruned: ${execution.partitionCheck!.problem}. Not published${notSwitched}; ` +
        'every tile miss on it would be estimated over the whole table (413 on a big one)',
    };
  }
  return {
    outcome: 'verification-failed' as const,
    message: `${target} differs from the source (${execution.verification!.mismatches.join(', ')})${notSwitched}`,
  };
}

function stateOf(table: TableInfo | undefined): string {
  return table?.labels[LABEL.copiedAt] ?? 'none';
}

/** The last steps of every run that changes the stable table: its labels, then the cache ban (when asked for). */
function publishSteps(options: ReplicaOptions, facts: LabelFacts): Step[] {
  const steps: Step[] = [{ kind: 'label', table: options.destination, facts }];
  if (options.invalidate) {
    steps.push({ kind: 'invalidate', table: options.destination, ...options.invalidate });
  }
  return steps;
}

/** A ban that did not reach every Varnish turns a finished copy into exit 1: someone must ban by hand. */
function banFailure(execution: Execution): string | undefined {
  const ban = execution.ban;
  if (!ban || ban.ok) return undefined;
  const why = ban.answers.map((a) => a.error ?? `HTTP ${a.status}`).join(', ') || 'no Varnish answered';
  return `the cache ban failed (${why}): ban by hand`;
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
  const facts: LabelFacts = {
    source: options.source,
    snapshot,
    readAt: readTime,
    version,
    carried: carriedOf(source),
  };

  const plan: Plan = [];
  if (datasetState === 'missing') {
    plan.push({
      kind: 'create-dataset',
      projectId: stable.projectId,
      datasetId: stable.datasetId,
      location,
      description: `Replicas of ${report.source}`,
    });
  }
  if (versionVerified) plan.push({ kind: 'reuse-version', version: target });
  else {
    const copy: CopyRequest = {
      kind: 'copy',
      source: options.source,
      sourceTime: readTime,
      destination: target,
      // A version left unverified by an earlier run is overwritten (verified ones are reused above).
      writeDisposition: version && !existingVersion ? 'WRITE_EMPTY' : 'WRITE_TRUNCATE',
      location,
      identity: `${snapshot}:${destinationState(version ? existingVersion : current)}`,
    };
    plan.push(
      { kind: 'copy', request: copy },
      {
        kind: 'verify',
        table: target,
        source: { table: options.source, asOf: readTime, schema: source.schema, layout: source.layout },
        location,
      },
      ...partitionCheckSteps(source, target, location),
    );
    if (version) plan.push({ kind: 'label', table: target, facts });
  }
  if (version) {
    plan.push(
      {
        kind: 'switch',
        request: {
          kind: 'switch',
          source: target,
          destination: stable,
          writeDisposition: 'WRITE_TRUNCATE',
          location,
          identity: `${stateOf(current)}->${version}`,
        },
      },
      { kind: 'prune', stable, keep: options.keep, current: version },
    );
  }
  plan.push(...publishSteps(options, facts));

  if (options.dryRun) {
    const estimate = versionVerified
      ? 0
      : await estimateBytes(bigquery, { table: options.source, asOf: readTime }, location);
    return finish({
      ...report,
      ...times,
      version,
      outcome: 'planned',
      plan: plan.map(describe),
      estimatedVerificationBytes: 2 * estimate,
      message: `dry run: nothing written`,
    });
  }

  const execution = await execute(plan, ctx);
  const { steps, jobs, verification, partitionCheck, prunedVersions, ban } = execution;
  const done = {
    ...report,
    ...times,
    version,
    steps,
    jobs,
    verification,
    partitionCheck,
    prunedVersions,
    ban,
  };
  if (execution.stoppedBy) {
    const where = version ? `; ${report.destination} was not switched` : '';
    return finish({ ...done, ...stopped(execution, formatRef(target), where) });
  }
  const failure = banFailure(execution);
  return finish({
    ...done,
    outcome: failure ? 'error' : 'copied',
    message: failure
      ? `copied and verified, but ${failure}`
      : `${report.destination} now holds the source as of ${iso(snapshot)}`,
  });
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
  const plan: Plan = [
    {
      kind: 'switch',
      request: {
        kind: 'rollback',
        source: target.ref,
        destination: options.destination,
        writeDisposition: 'WRITE_TRUNCATE',
        location: stable.location,
        identity: `${stateOf(stable)}->${previous}`,
      },
    },
    // the version restored carries its source's labels and description (its own label step wrote them)
    ...publishSteps(options, {
      source: options.source,
      snapshot,
      readAt,
      version: previous,
      carried: carriedOf(target),
    }),
  ];
  const facts = { location: stable.location, sourceSnapshot: iso(snapshot), version: previous };
  if (options.dryRun) {
    return finish({
      ...report,
      ...facts,
      outcome: 'planned',
      plan: plan.map(describe),
      message: 'dry run: nothing written',
    });
  }
  log(`rolling ${report.destination} back from ${current} to ${previous}`);
  const execution = await execute(plan, ctx);
  const failure = banFailure(execution);
  return finish({
    ...report,
    ...facts,
    steps: execution.steps,
    jobs: execution.jobs,
    ban: execution.ban,
    outcome: failure ? 'error' : 'rolled-back',
    message: failure
      ? `${report.destination} rolled back to ${previous}, but ${failure}`
      : `${report.destination} rolled back to ${previous}; the next refresh moves it forward again`,
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
  const plan: Plan = [
    {
      kind: 'verify',
      table: options.destination,
      source: {
        table: options.source,
        asOf: readTime,
        schema: source.schema,
        layout: source.layout,
        carried: carriedOf(source),
      },
      location: source.location,
    },
    ...partitionCheckSteps(source, options.destination, source.location),
  ];
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
      plan: plan.map(describe),
      estimatedVerificationBytes: 2 * estimate,
      message: 'dry run: nothing queried',
    });
  }
  const execution = await execute(plan, ctx);
  const { steps, verification, partitionCheck } = execution;
  return finish({
    ...report,
    ...times,
    steps,
    verification,
    partitionCheck,
    ...(execution.stoppedBy
      ? stopped(execution, report.destination, '')
      : {
          outcome: 'verified' as const,
          message: `${report.destination} equals the source as of ${iso(readTime)}${partitionCheck ? ', servable pruned' : ''}`,
        }),
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
