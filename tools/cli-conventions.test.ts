/** Every CLI follows the conventions people type first: -h/--help prints usage (exit 0), a wrong flag prints it (exit 2). */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const repoRoot = join(import.meta.dirname, '..');
const run = promisify(execFile);

async function outcome(command: string, args: string[]) {
  try {
    const { stdout, stderr } = await run(command, args, { cwd: repoRoot, timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

const tsx = (script: string) => ['node', ['--import', 'tsx', script]] as const;
const clis: Record<string, readonly [string, readonly string[]]> = {
  'npm start (stack/start.ts)': tsx('stack/start.ts'),
  'npm run bench:api': tsx('bench/api/run.ts'),
  'npm run bench:cache': tsx('bench/cache/run.ts'),
  'npm run bench:flood': tsx('bench/flood/run.ts'),
  'tools/install.sh': ['tools/install.sh', []],
  './dev': ['./dev', []],
  '.ci/run': ['.ci/run', []],
  'tools/newcomer/run.sh': ['tools/newcomer/run.sh', []],
  'tools/toolbox/tag.sh': ['tools/toolbox/tag.sh', []],
  'tools/toolbox/build.sh': ['tools/toolbox/build.sh', []],
  'tools/toolbox/check.sh': ['tools/toolbox/check.sh', []],
  'npm run rehearse (rehearsal/rehearse.ts)': tsx('rehearsal/rehearse.ts'),
  'rehearsal/up.sh': ['rehearsal/up.sh', []],
  'rehearsal/down.sh': ['rehearsal/down.sh', []],
  'rehearsal/kind/up.sh': ['rehearsal/kind/up.sh', []],
  'rehearsal/kind/down.sh': ['rehearsal/kind/down.sh', []],
};

describe.each(Object.entries(clis))('%s', (_name, [command, args]) => {
  it.each(['--help', '-h'])('prints its usage for %s and exits 0', async (flag) => {
    const result = await outcome(command, [...args, flag]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^Usage: /);
  });

  it('prints its usage on stderr for an unknown flag and exits 2', async () => {
    const result = await outcome(command, [...args, '--no-such-flag']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/no-such-flag[\s\S]*Usage: /);
  });
});

describe('the typed entry points', () => {
  it('answer --help through npm itself: npm start -- --help', async () => {
    const result = await outcome('npm', ['start', '--silent', '--', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: npm start/);
  });

  it('reject a malformed number with usage and exit 2', async () => {
    const result = await outcome('node', ['--import', 'tsx', 'bench/api/run.ts', '--seconds', 'ten']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--seconds must be a whole number[\s\S]*Usage: /);
  });
});
