// The copy path against the BigQuery test server (real emulator storage and SQL behind BigQuery's job semantics).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../src/exit-codes.js';
import { FINGERPRINT_LABELS, verificationCap } from '../src/fingerprint.js';
import { LABEL } from '../src/labels.js';
import type { ReplicaOptions } from '../src/options.js';
import { replicate } from '../src/replicate.js';
import { formatRef, parseTableRef, tableRef } from '../src/table-ref.js';
import { versionName } from '../src/versions.js';
import { TILESET_RANGE_PARTITIONING } from '@maps-api/emulator';
import {
  createSource,
  insertRows,
  rowCount,
  startBanRecorder,
  startStack,
  tableMetadata,
  tileRows,
  type Stack,
} from './harness.js';

let stack: Stack;
let banRecorder: Awaited<ReturnType<typeof startBanRecorder>>;

beforeAll(async () => {
  stack = await startStack();
  banRecorder = await startBanRecorder();
});

afterAll(async () => {
  await banRecorder?.stop();
  await stack?.stop();
});

/** Ban right after the last write (no API caches the metadata here). */
function banAt(url: string): ReplicaOptions['invalidate'] {
  return { target: { kind: 'url', url }, settleMs: 0 };
}

function caseOptions(name: string, extra: Partial<ReplicaOptions> = {}): ReplicaOptions {
  return {
    source: parseTableRef(`carto-demo-data.demo_tilesets.buildings_${name}`),
    destination: tableRef('maps-api-dev', `replica_${name}`, 'osm_buildings'),
    mode: 'overwrite',
    keep: 3,
    action: 'refresh',
    dryRun: false,
    ...extra,
  };
}

async function withSource(name: string, rows = 6): Promise<ReplicaOptions> {
  const options = caseOptions(name);
  await createSource(stack, formatRef(options.source), tileRows(rows));
  return options;
}

function jobsOf(name: string): string[] {
  return stack.server.copyJobsCreated.filter((id) => {
    const job = stack.server.requests.find((r) => r.method === 'POST' && JSON.stringify(r.body).includes(id));
    return JSON.stringify(job?.body).includes(`replica_${name}`);
  });
}

describe('replicate (overwrite mode)', () => {
  it('copies a fresh table: creates the dataset in the source location, verifies, labels and bans', async () => {
    const options = { ...(await withSource('fresh')), invalidate: banAt(banRecorder.url) };
    const log: string[] = [];
    const report = await replicate(options, stack.context(log));

    expect(report.outcome).toBe('copied');
    expect(report.exitCode).toBe(ExitCode.OK);
    expect(report.location).toBe('US');
    const [dataset] = await stack.client().dataset('replica_fresh').getMetadata();
    expect(dataset.location).toBe('US');
    expect(await rowCount(stack, 'maps-api-dev.replica_fresh.osm_buildings')).toBe(6);
    expect(report.verification).toMatchObject({ ok: true, mismatches: [], schemaDifferences: [] });
    expect(report.verification?.sourceFingerprint).toEqual(report.verification?.destinationFingerprint);
    expect(report.verification?.sourceFingerprint?.rowCount).toBe('6');

    const copy = await tableMetadata(stack, 'maps-api-dev.replica_fresh.osm_buildings');
    expect(copy.labels).toMatchObject({
      [LABEL.source]: 'carto-demo-data_demo_tilesets_buildings_fresh',
      [LABEL.snapshot]: String(Date.parse(report.sourceSnapshot!)),
      [LABEL.managedBy]: 'maps-api-replica',
    });
    expect(copy.description).toContain('Replica of carto-demo-data.demo_tilesets.buildings_fresh');
    expect(report.jobs).toHaveLength(1);
    expect(report.jobs[0]).toMatchObject({ kind: 'copy', attempt: 1, attached: false });
    // The copy job read the source at its snapshot (time-travel decorator) and ran in the source's location.
    const insert = stack.server.requests.find((r) =>
      JSON.stringify(r.body ?? '').includes(report.jobs[0]!.id),
    );
    expect(insert?.body).toMatchObject({
      jobReference: { location: 'US', projectId: 'maps-api-dev' },
      configuration: {
        copy: {
          sourceTable: { tableId: `buildings_fresh@${Date.parse(report.sourceReadTime!)}` },
          writeDisposition: 'WRITE_TRUNCATE',
        },
      },
    });
    expect(log.some((line) => line.includes('RUNNING'))).toBe(true);
    const ban = banRecorder.bans.find(
      (b) => b.headers['x-ban-table'] === 'maps-api-dev.replica_fresh.osm_buildings',
    );
    expect(ban?.method).toBe('BAN');
    // Objects already fetched from the new data survive: the version is the one the API now reports.
    const stable = await tableMetadata(stack, 'maps-api-dev.replica_fresh.osm_buildings');
    expect(ban?.headers['x-ban-data-version']).toBe(new Date(Number(stable.lastModifiedTime)).toISOString());
  });

  it('a rerun after a crash attaches to the running copy job (409) instead of starting a second one', async () => {
    const options = await withSource('rerun');
    stack.server.runningPolls = 5;
    // The first run dies right after starting its copy job (as a killed process would); the job keeps running.
    const crashing = {
      ...stack.context(),
      log: (line: string) => {
        if (line.includes('started')) throw new Error('process killed');
      },
    };
    await expect(replicate(options, crashing)).rejects.toThrow('process killed');
    const conflictsBefore = stack.server.duplicateJobInserts;

    const rerun = await replicate(options, stack.context());
    stack.server.runningPolls = 1;
    expect(rerun.outcome).toBe('copied');
    expect(rerun.jobs[0]).toMatchObject({ attached: true, attempt: 1 });
    expect(stack.server.duplicateJobInserts).toBe(conflictsBefore + 1);
    expect(jobsOf('rerun')).toEqual([rerun.jobs[0]!.id]);

    const third = await replicate(options, stack.context());
    expect(third.outcome).toBe('up-to-date');
    expect(third.exitCode).toBe(ExitCode.UP_TO_DATE);
    expect(third.jobs).toEqual([]);
    expect(jobsOf('rerun')).toHaveLength(1);
  });

  it('leaves the stable table untouched when the copy job fails mid-way, and the rerun retries with a new job id', async () => {
    const options = { ...(await withSource('midjob')), invalidate: banAt(banRecorder.url) };
    const stable = formatRef(options.destination);
    await replicate(options, stack.context());
    const before = await tableMetadata(stack, stable);
    const bansBefore = banRecorder.bans.length;

    await insertRows(stack, formatRef(options.source), tileRows(2, 10));
    stack.server.failNextCopyJob();
    await expect(replicate(options, stack.context())).rejects.toThrow(/failed: backendError/);

    const after = await tableMetadata(stack, stable);
    expect(await rowCount(stack, stable)).toBe(6);
    expect(after.labels).toEqual(before.labels);
    expect(banRecorder.bans.length).toBe(bansBefore);

    const retry = await replicate(options, stack.context());
    expect(retry.outcome).toBe('copied');
    expect(retry.jobs[0]!.attempt).toBe(2);
    expect(retry.jobs[0]!.id).toMatch(/_a2$/);
    expect(await rowCount(stack, stable)).toBe(8);
  });

  it('refuses a destination dataset in another location before starting any job', async () => {
    const options = await withSource('location');
    await stack.client().dataset('replica_location').create({ location: 'EU' });
    const writesBefore = stack.server.writes().length;
    await expect(replicate(options, stack.context())).rejects.toThrow(
      /maps-api-dev:replica_location is in EU but the source is in US/,
    );
    expect(stack.server.writes().length).toBe(writesBefore);
    expect(jobsOf('location')).toEqual([]);
  });

  it('detects schema drift of the copy (exit 4 with the column named) and a refresh repairs it', async () => {
    const options = await withSource('drift');
    await replicate(options, stack.context());
    const copy = stack.client().dataset('replica_drift').table('osm_buildings');
    const [metadata] = await copy.getMetadata();
    await copy.setMetadata({
      schema: { fields: [...metadata.schema!.fields!, { name: 'extra', type: 'STRING', mode: 'NULLABLE' }] },
    });

    const verify = await replicate({ ...options, action: 'verify' }, stack.context());
    expect(verify.outcome).toBe('verification-failed');
    expect(verify.exitCode).toBe(ExitCode.VERIFICATION_FAILED);
    expect(verify.verification?.schemaDifferences).toEqual(['unexpected column extra STRING NULLABLE']);

    const repaired = await replicate(options, stack.context());
    expect(repaired.outcome).toBe('copied');
    expect(repaired.verification?.ok).toBe(true);
  });

  it('fails verification with exit 4 when one row of the copy differs (same row count, fingerprints differ)', async () => {
    const options = await withSource('fingerprint');
    const copied = await replicate(options, stack.context());
    expect(copied.outcome).toBe('copied');
    await stack.client().query({
      query: 'UPDATE `maps-api-dev.replica_fingerprint.osm_buildings` SET carto_partition = 99 WHERE z = -1',
      location: 'US',
    });

    const verify = await replicate({ ...options, action: 'verify' }, stack.context());
    expect(verify.exitCode).toBe(ExitCode.VERIFICATION_FAILED);
    expect(verify.verification?.mismatches).toEqual(['xor fingerprint', 'sum fingerprint']);
    expect(verify.verification?.sourceFingerprint?.rowCount).toBe(
      verify.verification?.destinationFingerprint?.rowCount,
    );
  });

  it('dry-run prints the plan and the estimated verification bytes and writes nothing', async () => {
    const options = { ...(await withSource('dryrun')), dryRun: true, invalidate: banAt(banRecorder.url) };
    const requestsBefore = stack.server.requests.length;
    const bansBefore = banRecorder.bans.length;
    const report = await replicate(options, stack.context());

    expect(report.outcome).toBe('planned');
    expect(report.exitCode).toBe(ExitCode.OK);
    expect(report.plan?.[0]).toBe('create dataset maps-api-dev:replica_dryrun in US');
    const source = await tableMetadata(stack, formatRef(options.source));
    expect(Number(source.numBytes)).toBeGreaterThan(0);
    expect(report.estimatedVerificationBytes).toBe(2 * Number(source.numBytes));
    const newRequests = stack.server.requests.slice(requestsBefore);
    expect(newRequests.filter((r) => stack.server.writes().includes(r))).toEqual([]);
    expect(banRecorder.bans.length).toBe(bansBefore);
    const [exists] = await stack.client().dataset('replica_dryrun').exists();
    expect(exists).toBe(false);
  });

  it('executes exactly the steps its dry run printed, in order (one plan for both)', async () => {
    for (const mode of ['overwrite', 'versioned'] as const) {
      const options: ReplicaOptions = {
        ...(await withSource(`same_plan_${mode}`)),
        mode,
        invalidate: banAt(banRecorder.url),
      };
      const planned = await replicate({ ...options, dryRun: true }, stack.context());
      const ran = await replicate(options, stack.context());
      expect(ran.outcome).toBe('copied');
      expect(planned.plan?.map((step) => step.split(' ')[0])).toEqual(
        mode === 'versioned'
          ? ['create', 'copy', 'verify', 'check', 'label', 'switch', 'keep', 'label', 'after']
          : ['create', 'copy', 'verify', 'check', 'label', 'after'],
      );
      expect(ran.steps).toEqual(planned.plan);
    }
  });

  it('reads the source at its snapshot: rows added while the copy job runs are neither copied nor verified', async () => {
    const options = await withSource('snapshot');
    stack.server.beforeNextCopy = () => insertRows(stack, formatRef(options.source), tileRows(3, 20));
    const report = await replicate(options, stack.context());
    expect(report.outcome).toBe('copied');
    expect(await rowCount(stack, formatRef(options.source))).toBe(9);
    expect(await rowCount(stack, 'maps-api-dev.replica_snapshot.osm_buildings')).toBe(6);
    expect(report.verification?.sourceFingerprint?.rowCount).toBe('6');
  });
});

interface QueryInsert {
  configuration?: {
    dryRun?: boolean;
    labels?: Record<string, string>;
    query?: { query?: string; maximumBytesBilled?: string };
  };
}

describe('replicate at the instant that covers the last commit', () => {
  it('copies and verifies the source one second after its lastModifiedTime: a commit later than that millisecond is not missed', async () => {
    const options = await withSource('late_commit');
    const source = formatRef(options.source);
    stack.server.stampBeforeCommit = true;
    try {
      await insertRows(stack, source, tileRows(2, 30));
    } finally {
      stack.server.stampBeforeCommit = false;
    }
    const lastModified = Number((await tableMetadata(stack, source)).lastModifiedTime);
    const report = await replicate(options, stack.context());

    expect(report.outcome).toBe('copied');
    expect(await rowCount(stack, 'maps-api-dev.replica_late_commit.osm_buildings')).toBe(8);
    expect(report.verification?.sourceFingerprint?.rowCount).toBe('8');
    expect(report.sourceReadTime).toBe(new Date(lastModified + 1000).toISOString());
    const { labels } = await tableMetadata(stack, 'maps-api-dev.replica_late_commit.osm_buildings');
    expect(labels).toMatchObject({
      [LABEL.snapshot]: String(lastModified),
      [LABEL.readAt]: String(lastModified + 1000),
    });
    expect((await replicate(options, stack.context())).outcome).toBe('up-to-date');
  });

  it('caps the fingerprint query at its dry-run estimate plus margin and labels it with app and route', async () => {
    const options = await withSource('capped');
    const before = stack.server.requests.length;
    const report = await replicate(options, stack.context());
    expect(report.outcome).toBe('copied');
    const queries = stack.server.requests
      .slice(before)
      .map((request) => request.body as QueryInsert | undefined)
      .filter((body) => body?.configuration?.query?.query?.includes('FARM_FINGERPRINT'));
    const estimate = queries.find((body) => body?.configuration?.dryRun);
    const run = queries.find((body) => !body?.configuration?.dryRun);
    expect(estimate).toBeDefined();
    expect(run?.configuration).toMatchObject({
      labels: FINGERPRINT_LABELS,
      query: { maximumBytesBilled: expect.any(String) },
    });
    const { numBytes } = await tableMetadata(stack, formatRef(options.source));
    const cap = Number(run?.configuration?.query?.maximumBytesBilled);
    expect(cap).toBe(verificationCap(2 * Number(numBytes), 2));
    expect(verificationCap(10 * 2 ** 30, 2)).toBe(Math.ceil(11 * 2 ** 30));
  });

  it('a verification that would bill more than its cap is refused before it runs (the source grew): nothing published', async () => {
    const options = { ...(await withSource('overcap')), mode: 'versioned' as const };
    // between the dry run that set the cap and the verification job, the source grows 100-fold
    stack.standIn.beforeNextQueryJob = () =>
      stack.standIn.declare(formatRef(options.source), { numBytes: 100 * 2 ** 30, numRows: 600 });
    await expect(replicate(options, stack.context())).rejects.toThrow(/exceeded limit for bytes billed/);
    const refused = stack.standIn.queries.filter((q) => q.refused && q.sql.includes('FARM_FINGERPRINT'));
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ inserted: true, dryRun: false });
    // the version was copied but never labelled, and the stable table was never switched to it
    const [stable] = await stack.client().dataset('replica_overcap').table('osm_buildings').exists();
    expect(stable).toBe(false);
  });

  it('--verify-only refuses with exit 5 once the recorded instant has left time travel and the source changed since', async () => {
    const options = await withSource('expired');
    expect((await replicate(options, stack.context())).outcome).toBe('copied');
    await insertRows(stack, formatRef(options.source), tileRows(2, 30));
    const before = stack.server.requests.length;
    const eightDaysLater = { ...stack.context(), now: () => Date.now() + 8 * 24 * 3_600_000 };
    const report = await replicate({ ...options, action: 'verify' }, eightDaysLater);

    expect(report.outcome).toBe('not-verifiable');
    expect(report.exitCode).toBe(ExitCode.NOT_VERIFIABLE);
    expect(report.message).toContain("left the source's time-travel window (168 h)");
    const queried = stack.server.requests
      .slice(before)
      .some((request) => JSON.stringify(request.body ?? '').includes('FARM_FINGERPRINT'));
    expect(queried).toBe(false);
    // Within the window the same copy is compared with the instant it records, not with today's source: it passes.
    expect((await replicate({ ...options, action: 'verify' }, stack.context())).outcome).toBe('verified');
  });
});

describe('replicate (versioned mode)', () => {
  async function nextSecond(): Promise<void> {
    // Version names have one-second resolution.
    await new Promise((resolve) => setTimeout(resolve, 1100 - (Date.now() % 1000)));
  }

  it('copies dated versions, switches the stable table, keeps N versions and rolls back to the previous one', async () => {
    const options = { ...(await withSource('versioned')), mode: 'versioned' as const, keep: 2 };
    const source = formatRef(options.source);
    const stable = formatRef(options.destination);
    const versionOf = (report: { sourceSnapshot?: string }) =>
      versionName('osm_buildings', Date.parse(report.sourceSnapshot!));

    const first = await replicate(options, stack.context());
    expect(first.outcome).toBe('copied');
    expect(first.version).toBe(versionOf(first));
    expect(first.jobs.map((job) => job.kind)).toEqual(['copy', 'switch']);
    expect(await rowCount(stack, `maps-api-dev.replica_versioned.${first.version}`)).toBe(6);
    expect(await rowCount(stack, stable)).toBe(6);

    await nextSecond();
    await insertRows(stack, source, tileRows(1, 30));
    const second = await replicate(options, stack.context());
    expect(second.version).not.toBe(first.version);
    expect(await rowCount(stack, stable)).toBe(7);
    expect((await tableMetadata(stack, stable)).labels[LABEL.version]).toBe(second.version);

    await nextSecond();
    await insertRows(stack, source, tileRows(1, 31));
    const third = await replicate({ ...options, invalidate: banAt(banRecorder.url) }, stack.context());
    expect(await rowCount(stack, stable)).toBe(8);
    expect(third.prunedVersions).toEqual([first.version]);
    const [tables] = await stack.client().dataset('replica_versioned').getTables();
    expect(tables.map((t) => t.id).sort()).toEqual(['osm_buildings', second.version, third.version].sort());

    const bansBefore = banRecorder.bans.length;
    const rollback = await replicate(
      { ...options, action: 'rollback', invalidate: banAt(banRecorder.url) },
      stack.context(),
    );
    expect(rollback.outcome).toBe('rolled-back');
    expect(rollback.exitCode).toBe(ExitCode.OK);
    expect(rollback.version).toBe(second.version);
    expect(await rowCount(stack, stable)).toBe(7);
    expect((await tableMetadata(stack, stable)).labels[LABEL.version]).toBe(second.version);
    expect(banRecorder.bans.length).toBe(bansBefore + 1);

    await expect(replicate({ ...options, action: 'rollback' }, stack.context())).rejects.toThrow(
      /no version older than/,
    );
  }, 180_000); // four runs of the tool

  it('does not switch the stable table when the new version fails verification', async () => {
    const options = { ...(await withSource('badversion')), mode: 'versioned' as const };
    const stable = formatRef(options.destination);
    const first = await replicate(options, stack.context());
    expect(first.outcome).toBe('copied');

    await nextSecond();
    await insertRows(stack, formatRef(options.source), tileRows(1, 40));
    stack.server.corruptNextCopyJob();
    const report = await replicate(options, stack.context());
    expect(report.outcome).toBe('verification-failed');
    expect(report.exitCode).toBe(ExitCode.VERIFICATION_FAILED);
    expect(report.verification?.mismatches).toContain('row count');
    expect(report.message).toContain('was not switched');
    expect(await rowCount(stack, stable)).toBe(6);
    expect((await tableMetadata(stack, stable)).labels[LABEL.version]).toBe(first.version);
  });

  it('refuses to publish a copy whose stored carto_partition values disagree with its scheme (exit 6)', async () => {
    const options = { ...caseOptions('unservable'), mode: 'versioned' as const };
    const rows = tileRows(6).map((row) =>
      Number(row.z) >= 0 ? { ...row, carto_partition: Number(row.carto_partition) + 1 } : row,
    );
    await createSource(stack, formatRef(options.source), rows);
    const report = await replicate(options, stack.context());
    expect(report.outcome).toBe('not-servable');
    expect(report.exitCode).toBe(ExitCode.NOT_SERVABLE);
    expect(report.verification?.ok).toBe(true); // an exact copy of a source the API could not serve pruned
    expect(report.partitionCheck).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/5 of 5 sampled tiles/),
    });
    expect(report.message).toMatch(/is not servable pruned: .* Not published; .* was not switched/);
    expect(report.steps?.at(-1)).toMatch(/^check that .* carto_partition values follow its partition scheme/);
    const [version] = await stack.client().dataset('replica_unservable').table(report.version!).getMetadata();
    expect(version.labels ?? {}).toEqual({});
    const [stable] = await stack.client().dataset('replica_unservable').table('osm_buildings').exists();
    expect(stable).toBe(false);
  });

  it('publishes a copy whose partitions agree, saying which form its scheme has', async () => {
    const report = await replicate(await withSource('servable'), stack.context());
    expect(report.outcome).toBe('copied');
    expect(report.partitionCheck).toMatchObject({ ok: true, form: 'object', checked: 5 });
  });

  it('copies partitioning and clustering, carries the source labels and description, and verifies all of them', async () => {
    const options = caseOptions('exact');
    await createSource(stack, formatRef(options.source), tileRows(6), {
      rangePartitioning: TILESET_RANGE_PARTITIONING,
      clustering: { fields: ['z', 'x', 'y'] },
      description: 'CARTO demo tileset',
      labels: { owner: 'carto' },
    });
    expect((await replicate(options, stack.context())).outcome).toBe('copied');
    const stable = formatRef(options.destination);
    const copy = await tableMetadata(stack, stable);
    expect(copy.rangePartitioning).toMatchObject({ field: 'carto_partition' });
    expect(copy.clustering).toEqual({ fields: ['z', 'x', 'y'] });
    expect(copy.labels).toMatchObject({ owner: 'carto', [LABEL.managedBy]: 'maps-api-replica' });
    expect(copy.description).toMatch(/^CARTO demo tileset\n\nReplica of carto-demo-data/);
    const verifyOnly = { ...options, action: 'verify' as const };
    expect((await replicate(verifyOnly, stack.context())).outcome).toBe('verified');
    expect((await replicate(options, stack.context())).outcome).toBe('up-to-date');

    // someone edits a label the tool does not own: no longer an exact copy
    await stack
      .client()
      .dataset('replica_exact')
      .table('osm_buildings')
      .setMetadata({ labels: { owner: 'us' } });
    const edited = await replicate(verifyOnly, stack.context());
    expect(edited.outcome).toBe('verification-failed');
    expect(edited.verification?.mismatches).toEqual(['labels']);
    expect(edited.verification?.metadataDifferences).toEqual([
      'labels: expected [["owner","carto"]], found [["owner","us"]]',
    ]);
    // and a refresh restores it
    expect((await replicate(options, stack.context())).outcome).toBe('copied');
    expect((await tableMetadata(stack, stable)).labels).toMatchObject({ owner: 'carto' });
  });

  it('fails verification (exit 4) when the copy is clustered otherwise than its source', async () => {
    const options = caseOptions('relayout');
    await createSource(stack, formatRef(options.source), tileRows(6), {
      rangePartitioning: TILESET_RANGE_PARTITIONING,
      clustering: { fields: ['z', 'x', 'y'] },
    });
    stack.server.relayoutNextCopyJob();
    const report = await replicate(options, stack.context());
    expect(report.outcome).toBe('verification-failed');
    expect(report.exitCode).toBe(ExitCode.VERIFICATION_FAILED);
    expect(report.verification?.mismatches).toEqual(['clustering']);
  });

  it('retries an overwrite that failed verification with a new copy job, not the finished one re-attached', async () => {
    const options = await withSource('retry');
    stack.server.corruptNextCopyJob();
    const failed = await replicate(options, stack.context());
    expect(failed.outcome).toBe('verification-failed');
    const retried = await replicate(options, stack.context());
    expect(retried.outcome).toBe('copied');
    expect(retried.jobs[0]).toMatchObject({ kind: 'copy', attached: false });
    expect(retried.jobs[0]!.id).not.toBe(failed.jobs[0]!.id);
  });
});
