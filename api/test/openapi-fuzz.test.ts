// schemathesis (pinned, tools/install.d/42-schemathesis.sh) fuzzes a real API process on the emulator from the
// API's own /openapi.json with all of its checks: any undocumented status, header or body, any 5xx, any accepted
// invalid input or refused valid one fails this test. A missing schemathesis fails it too.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSeededEmulator, toolsDir, type Emulator } from '@maps-api/emulator';
import { startApi, type ApiProcess } from './harness.js';

const SCHEMATHESIS = join(toolsDir(), 'bin', 'schemathesis');
const CONFIG = fileURLToPath(new URL('./schemathesis.toml', import.meta.url));
const VERSIONS = fileURLToPath(new URL('../../tools/versions.env', import.meta.url));
// Bounded so the run takes about a minute on 2 cores; a fixed seed makes a failure reproducible (FUZZ_SEED changes it).
const MAX_EXAMPLES = 40;
const SEED = process.env.FUZZ_SEED ?? '20261201';

interface Report {
  exit_code: number;
  operations: { selected: number; tested: number; errored: number };
  test_cases: { generated: number; with_failures: number; errored: number };
  failures: { code: string; title: string; operations: string[] }[];
  errors: unknown[];
}

let emulator: Emulator;
let api: ApiProcess;
let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'maps-api-fuzz-'));
  emulator = await startSeededEmulator();
  api = await startApi({ BIGQUERY_EMULATOR_HOST: emulator.host, LOG_LEVEL: 'warn' });
});
afterAll(async () => {
  await api?.stop();
  await emulator?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

function schemathesis(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      SCHEMATHESIS,
      args,
      { cwd: workDir, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}\n${stderr}` }),
    );
  });
}

describe('OpenAPI fuzzing (schemathesis, all checks)', () => {
  it('is installed at the pinned version', async () => {
    expect(existsSync(SCHEMATHESIS), `${SCHEMATHESIS} missing: run tools/install.sh 42-schemathesis`).toBe(
      true,
    );
    const pinned = (await readFile(VERSIONS, 'utf8')).match(/^SCHEMATHESIS_VERSION=(\S+)$/m)?.[1];
    const { output } = await schemathesis(['--version']);
    expect(output).toContain(`version ${pinned}`);
  });

  it('finds no failure on any documented operation', { timeout: 600_000 }, async () => {
    const reportPath = join(workDir, 'report.json');
    const started = Date.now();
    const { code, output } = await schemathesis([
      '--config-file',
      CONFIG,
      'run',
      `${api.url}/openapi.json`,
      '--checks',
      'all',
      '--max-examples',
      String(MAX_EXAMPLES),
      '--seed',
      SEED,
      '--workers',
      '1',
      '--request-timeout',
      '30',
      '--output-truncate',
      'true',
      '--report',
      'json',
      '--report-json-path',
      reportPath,
    ]);
    const summary = output.slice(output.lastIndexOf('FAILURES') >= 0 ? output.indexOf('FAILURES') : -4000);
    expect(code, summary).toBe(0);
    const report = JSON.parse(await readFile(reportPath, 'utf8')) as Report;
    expect(report.failures, summary).toEqual([]);
    expect(report.errors).toEqual([]);
    // The run really exercised the API: every operation (/, tiles, tables), well over a hundred requests.
    expect(report.operations).toMatchObject({ selected: 3, tested: 3, errored: 0 });
    expect(report.test_cases.generated).toBeGreaterThan(100);
    console.log(
      `schemathesis: ${report.test_cases.generated} cases on ${report.operations.tested} operations, ` +
        `0 failures, ${((Date.now() - started) / 1000).toFixed(0)} s (seed ${SEED})`,
    );
  });
});
