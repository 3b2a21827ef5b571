// The command end to end: a spawned process reaching the BigQuery test server through BIGQUERY_EMULATOR_HOST.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedSampleData, SAMPLE_TILESET } from '@maps-api/emulator';
import { ExitCode } from '../src/exit-codes.js';
import { startBanRecorder, startStack, type Stack } from './harness.js';
import { startMonitoringTestServer, type MonitoringTestServer } from './monitoring-test-server.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
let stack: Stack;
let banRecorder: Awaited<ReturnType<typeof startBanRecorder>>;
let monitoring: MonitoringTestServer;

beforeAll(async () => {
  stack = await startStack();
  banRecorder = await startBanRecorder();
  monitoring = await startMonitoringTestServer();
  await seedSampleData(stack.server.host);
});

afterAll(async () => {
  await monitoring?.stop();
  await banRecorder?.stop();
  await stack?.stop();
});

function run(
  command: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: root,
      env: {
        ...process.env,
        BIGQUERY_EMULATOR_HOST: stack.server.host,
        REPLICA_POLL_MS: '50',
        // Cloud Monitoring: the local front, reached with Workload Identity Federation-style credentials.
        REPLICA_MONITORING_ENDPOINT: monitoring.endpoint,
        GOOGLE_APPLICATION_CREDENTIALS: monitoring.credentialsFile,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const cli = (...args: string[]) => run(process.execPath, ['--import', 'tsx', 'replica/src/cli.ts', ...args]);

describe('replicate command', () => {
  it('copies the configured source, prints progress on stderr and the JSON report on stdout, then bans', async () => {
    const result = await cli(
      '--dest-project',
      'maps-api-staging',
      '--json',
      '--ban-url',
      banRecorder.url,
      '--settle-ms',
      '0',
    );
    expect(result.stderr).toContain('[replica] copy job replica_copy_');
    expect(result.code).toBe(ExitCode.OK);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({
      outcome: 'copied',
      exitCode: 0,
      source: SAMPLE_TILESET,
      destination: 'maps-api-staging.maps_replica.osm_buildings',
      location: 'US',
      verification: { ok: true },
    });
    expect(report.verification.destinationFingerprint.rowCount).toBe('46');
    expect(banRecorder.bans).toEqual([
      expect.objectContaining({
        method: 'BAN',
        headers: expect.objectContaining({ 'x-ban-table': 'maps-api-staging.maps_replica.osm_buildings' }),
      }),
    ]);
  });

  it('exits 3 through `npm run replicate` when the copy is already up to date, without a ban', async () => {
    const result = await run('npm', [
      'run',
      '--silent',
      'replicate',
      '-w',
      'replica',
      '--',
      SAMPLE_TILESET,
      '--dest-project',
      'maps-api-staging',
      '--json',
      '--ban-url',
      banRecorder.url,
    ]);
    expect(result.code).toBe(ExitCode.UP_TO_DATE);
    expect(JSON.parse(result.stdout)).toMatchObject({ outcome: 'up-to-date', exitCode: 3 });
    expect(banRecorder.bans).toHaveLength(1);
  });

  it('prints the usage on stdout and exits 0 for --help and -h through `npm run replicate`', async () => {
    for (const flag of ['--help', '-h']) {
      const result = await run('npm', ['run', '--silent', 'replicate', '--', flag]);
      expect(result.code).toBe(ExitCode.OK);
      expect(result.stdout).toMatch(/^usage: replicate /);
      expect(result.stdout).toContain('--dest-project P');
      expect(result.stderr).toBe('');
    }
  });

  it('prints the usage on stderr and exits 2 for a flag it does not know', async () => {
    const result = await run('npm', ['run', '--silent', 'replicate', '--', '--dest-projet', 'x']);
    expect(result.code).toBe(ExitCode.USAGE);
    expect(result.stderr).toContain("Unknown option '--dest-projet'");
    expect(result.stderr).toContain('usage: replicate ');
    expect(result.stdout).toBe('');
  });

  it('exits 2 on bad flags and 1 with a JSON error on a missing source', async () => {
    const usage = await cli('--dest-project', 'maps-api-staging', '--mode', 'sideways');
    expect(usage.code).toBe(ExitCode.USAGE);
    expect(usage.stderr).toContain('--mode must be overwrite or versioned');

    const missing = await cli(
      'carto-demo-data.demo_tilesets.nope',
      '--dest-project',
      'maps-api-staging',
      '--json',
    );
    expect(missing.code).toBe(ExitCode.ERROR);
    expect(JSON.parse(missing.stdout)).toMatchObject({
      outcome: 'error',
      message: expect.stringContaining('not found'),
    });
  });
});

describe('replicate command --report-freshness', () => {
  const table = 'maps-api-production.maps_replica.osm_buildings';

  it('writes the freshness point after a copy and again when the copy is already up to date', async () => {
    const before = Date.now() / 1000;
    const copied = await cli('--dest-project', 'maps-api-production', '--json', '--report-freshness');
    const between = Date.now() / 1000;
    expect(copied.code).toBe(ExitCode.OK);
    const upToDate = await cli('--dest-project', 'maps-api-production', '--json', '--report-freshness');
    expect(upToDate.code).toBe(ExitCode.UP_TO_DATE);

    expect(monitoring.calls.map((call) => call.project)).toEqual([
      'maps-api-production',
      'maps-api-production',
    ]);
    const series = monitoring.calls.map((call) => call.body.timeSeries[0]);
    for (const point of series) {
      expect(point).toMatchObject({
        metric: {
          type: 'custom.googleapis.com/maps/replica_last_success_timestamp_seconds',
          labels: { table },
        },
        resource: { type: 'global', labels: { project_id: 'maps-api-production' } },
      });
    }
    const [first, second] = series.map((point) => point?.points[0]);
    expect(first?.value.doubleValue).toBeGreaterThan(before);
    expect(first?.value.doubleValue).toBeLessThan(between);
    expect(second?.value.doubleValue).toBeGreaterThan(between);
    expect(Date.parse(second?.interval.endTime ?? '') / 1000).toBe(second?.value.doubleValue);

    const report = JSON.parse(upToDate.stdout);
    expect(report.freshness).toEqual({
      metric: 'custom.googleapis.com/maps/replica_last_success_timestamp_seconds',
      table,
      project: 'maps-api-production',
      value: second?.value.doubleValue,
      endTime: second?.interval.endTime,
      ok: true,
    });
    expect(upToDate.stderr).toContain(
      `freshness: custom.googleapis.com/maps/replica_last_success_timestamp_seconds`,
    );
  });

  it('keeps the copy exit code 0 when the metric write is refused, saying so on stderr and in the report', async () => {
    monitoring.denyWrites = true;
    try {
      const calls = monitoring.calls.length;
      const result = await cli('--dest-project', 'maps-api-sandbox', '--json', '--report-freshness');
      expect(result.code).toBe(ExitCode.OK);
      expect(monitoring.calls).toHaveLength(calls + 1);
      expect(result.stderr).toContain('warning: freshness metric not written');
      expect(JSON.parse(result.stdout)).toMatchObject({
        outcome: 'copied',
        exitCode: 0,
        freshness: {
          ok: false,
          table: 'maps-api-sandbox.maps_replica.osm_buildings',
          error: expect.any(String),
        },
      });
    } finally {
      monitoring.denyWrites = false;
    }
  });

  it('writes nothing for a dry run nor for a failed run', async () => {
    const calls = monitoring.calls.length;
    const dryRun = await cli(
      '--dest-project',
      'maps-api-preview',
      '--dry-run',
      '--json',
      '--report-freshness',
    );
    expect(dryRun.code).toBe(ExitCode.OK);
    expect(JSON.parse(dryRun.stdout)).toMatchObject({ outcome: 'planned', dryRun: true });
    expect(dryRun.stderr).toContain('freshness not reported: dry run');
    const failed = await cli(
      'carto-demo-data.demo_tilesets.nope',
      '--dest-project',
      'maps-api-production',
      '--report-freshness',
    );
    expect(failed.code).toBe(ExitCode.ERROR);
    expect(monitoring.calls).toHaveLength(calls);
  });
});
