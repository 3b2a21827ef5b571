// The command end to end: a spawned process reaching the BigQuery test server through BIGQUERY_EMULATOR_HOST.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedSampleData, SAMPLE_TILESET } from '@maps-api/emulator';
import { ExitCode } from '../src/exit-codes.js';
import { startBanRecorder, startStack, type Stack } from './harness.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
let stack: Stack;
let banRecorder: Awaited<ReturnType<typeof startBanRecorder>>;

beforeAll(async () => {
  stack = await startStack();
  banRecorder = await startBanRecorder();
  await seedSampleData(stack.server.host);
});

afterAll(async () => {
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
      env: { ...process.env, BIGQUERY_EMULATOR_HOST: stack.server.host, REPLICA_POLL_MS: '50' },
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
    const result = await cli('--dest-project', 'maps-api-staging', '--json', '--ban-url', banRecorder.url);
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
