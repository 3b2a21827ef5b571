/**
 * The `test` function's vitest filters, run through the repo's real vitest: they select every suite of the service
 * folders and nothing that needs helm, kubeconform or Docker (vitest filters match substrings of paths).
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SERVICE_SUITES } from '../src/toolbox.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const vitest = join(repoRoot, 'node_modules/.bin/vitest');

function testFiles(dir: string): string[] {
  return readdirSync(join(repoRoot, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.name === 'node_modules') return [];
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('service suites of the test function', () => {
  it('select exactly the test files of api, emulator, stack, local-varnish, replica and bench', async () => {
    if (!existsSync(vitest)) throw new Error(`${vitest} missing: run npm ci at the repo root first`);
    const { stdout } = await promisify(execFile)(vitest, ['list', '--filesOnly', ...SERVICE_SUITES], {
      cwd: repoRoot,
      env: { ...process.env, NO_COLOR: '1' },
    });
    const selected = stdout
      .split('\n')
      .filter((line) => line.endsWith('.test.ts'))
      .map((line) => relative(repoRoot, resolve(repoRoot, line.trim())))
      .sort();
    const folders = ['api', 'emulator', 'stack', 'local-varnish', 'replica', 'bench'];
    const expected = folders.flatMap(testFiles).sort();
    expect(expected.length).toBeGreaterThan(10);
    expect(selected).toEqual(expected);
  });
});
