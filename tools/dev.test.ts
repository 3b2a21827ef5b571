/**
 * The two-command contract of a fresh clone (issue 16): the README's Quickstart names `./dev start` and `./dev test`,
 * .ci/run and Devbox call exactly those, and `./dev start` installs exactly the steps whose programs the stack runs.
 */
import { execFile } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const repoRoot = join(import.meta.dirname, '..');
const read = (path: string) => readFileSync(join(repoRoot, path), 'utf8');
const readme = read('README.md');
const ciRun = read('.ci/run');
const dev = read('dev');
const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'dev-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A directory of programs that fail loudly: on PATH first, they prove a command never ran them. */
function guardDir(...names: string[]): string {
  const dir = mkdtempSync(join(work, 'guard-'));
  for (const name of names) {
    writeFileSync(join(dir, name), `#!/bin/sh\necho "${name} must not run: $*" >&2\nexit 97\n`);
    chmodSync(join(dir, name), 0o755);
  }
  return dir;
}

/** Every test file of the root suite (vitest.config.ts: not ci/, not rehearsal/tests). */
function testFiles(dir = ''): string[] {
  return readdirSync(join(repoRoot, dir || '.'), { withFileTypes: true }).flatMap((entry) => {
    const path = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      const skip = ['node_modules', 'dist', '.git', 'ci'].includes(entry.name) || path === 'rehearsal/tests';
      return skip ? [] : testFiles(path);
    }
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}
const TAG = 'needs-docker';
// vitest's file-level tag comment, or a describe's or test's tags option (built here, so this file carries neither).
const NEEDS_DOCKER = new RegExp(`^// @module-tag ${TAG}$|tags: \\['${TAG}'\\]`, 'm');
// The suites that need a Docker engine (vitest tag needs-docker): what `./dev test --without-docker` leaves out.
const dockerSuites = () =>
  testFiles()
    .filter((file) => NEEDS_DOCKER.test(read(file)))
    .sort();

/** The commands of the first ```sh block under "## Quickstart", comments dropped. */
function quickstartCommands(): string[] {
  const section = /## Quickstart\n([\s\S]*?)\n## /.exec(readme)?.[1] ?? '';
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return block
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter(Boolean);
}

/** Lines of a shell script that run something (comments and blank lines dropped). */
const scriptLines = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));

/** install.d steps and the programs each declares in its `# provides:` header line. */
function installSteps(): Map<string, string[]> {
  const steps = new Map<string, string[]>();
  for (const file of readdirSync(join(repoRoot, 'tools/install.d')).filter((f) => f.endsWith('.sh'))) {
    const header = /^# provides: (.+)$/m.exec(read(`tools/install.d/${file}`))?.[1] ?? '';
    steps.set(file.replace(/\.sh$/, ''), header.split(/\s+/).filter(Boolean));
  }
  return steps;
}

/** The repository's TypeScript files `entry` loads (itself included), following relative and workspace imports. */
function sourcesFrom(entry: string): Map<string, string> {
  const sources = new Map<string, string>();
  const pending = [join(repoRoot, entry)];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (sources.has(file)) continue;
    const text = readFileSync(file, 'utf8');
    sources.set(relative(repoRoot, file), text);
    for (const [, spec] of text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
      let target: string | undefined;
      if (spec?.startsWith('.')) target = resolve(dirname(file), spec).replace(/\.js$/, '.ts');
      else if (spec?.startsWith('@maps-api/')) {
        const dir = join(repoRoot, spec.slice('@maps-api/'.length));
        const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
          exports: { '.': string };
        };
        target = join(dir, pkg.exports['.']);
      }
      if (target && existsSync(target) && !sources.has(relative(repoRoot, target))) pending.push(target);
    }
  }
  return sources;
}
const stackSources = () => sourcesFrom('stack/start.ts');

describe('the README quickstart', () => {
  it('is two commands: ./dev start and ./dev test', () => {
    expect(quickstartCommands()).toEqual(['./dev start', './dev test']);
  });
});

describe('.ci/run', () => {
  it('runs the README commands, and installs or tests nothing by itself', () => {
    const lines = scriptLines(ciRun);
    expect(lines.some((line) => /^setsid \.\/dev start\b/.test(line))).toBe(true);
    expect(lines).toContain('./dev test');
    const ownInstall = lines.filter((line) =>
      /^(npm ci|npm test|tools\/install\.sh|npm --prefix)\b/.test(line),
    );
    expect(ownInstall).toEqual([]);
  });

  it('runs ./dev start before ./dev test, so a fresh clone proves the first command alone serves a tile', () => {
    expect(ciRun.indexOf('./dev start')).toBeLessThan(ciRun.indexOf('./dev test'));
  });

  it("waits for the README's sample tile through Varnish", () => {
    const readmeTile = /curl -si localhost:8080(\/maps\/tileset\/[^` ]+)/.exec(readme)?.[1];
    const ciTile = /^tile_path=(\S+)$/m.exec(ciRun)?.[1];
    expect(readmeTile).toMatch(/^\/maps\/tileset\/.+\/0\/0\/0$/);
    expect(ciTile).toBe(readmeTile);
  });
});

describe('devbox.json', () => {
  it('runs the same two commands as `devbox run start` and `devbox run test`', () => {
    const devbox = JSON.parse(read('devbox.json')) as { shell: { scripts: Record<string, string> } };
    expect(devbox.shell.scripts.start).toBe('./dev start');
    expect(devbox.shell.scripts.test).toBe('./dev test');
  });
});

describe('./dev start', () => {
  const steps = installSteps();
  const stackSteps = /^stack_steps=\(([^)]*)\)$/m.exec(dev)?.[1]?.split(/\s+/).filter(Boolean) ?? [];
  const stepFile = (name: string) => [...steps.keys()].find((step) => step.endsWith(`-${name}`)) ?? name;

  it('finds a `# provides:` line in every install step', () => {
    const without = [...steps].filter(([, programs]) => programs.length === 0).map(([step]) => step);
    expect(steps.size).toBeGreaterThan(10);
    expect(without).toEqual([]);
  });

  it('installs exactly the steps whose programs the stack runs (after Node, which it installs first)', () => {
    const sources = [...stackSources().values()].join('\n');
    // The stack runs Varnish's image through docker only where an engine already answers, else the host's varnishd
    // (local-varnish/runtime.ts): a newcomer without Docker gets a stack, and ./dev start installs no engine.
    const onlyWherePresent = ['docker'];
    expect(read('local-varnish/runtime.ts')).toMatch(/else\s+\*?\s*the host's varnishd/);
    const started = [...steps].filter(
      ([step, programs]) =>
        step !== stepFile('node') &&
        programs.some((program) => !onlyWherePresent.includes(program) && sources.includes(`'${program}'`)),
    );
    expect(started.map(([step]) => step).sort()).toEqual(stackSteps.map(stepFile).sort());
    expect(dev).toMatch(/^tools\/install\.sh node$/m);
  });

  it('follows the stack into the files that start varnishd, helm and the emulator', () => {
    const files = [...stackSources().keys()];
    expect(files).toEqual(
      expect.arrayContaining([
        'local-varnish/varnish.ts',
        'local-varnish/chart-varnish.ts',
        'emulator/src/start.ts',
      ]),
    );
  });
});

describe('./dev test for a normal user without a Docker engine', () => {
  it('names, before installing anything, the steps that ask for root and the suites that need Docker, and stops', async () => {
    const home = mkdtempSync(join(work, 'home-'));
    chmodSync(work, 0o755);
    chmodSync(home, 0o777);
    // docker answers as it does for a user outside the docker group; npm and node would mean an install began.
    const guard = guardDir('docker', 'npm', 'node');
    chmodSync(guard, 0o755);
    const env = {
      HOME: home,
      MAPS_TOOLS_DIR: join(home, 'tools'),
      PATH: `${guard}:/usr/local/bin:/usr/bin:/bin`,
    };
    // As root (CI), become a normal user; as a normal user already, run as is.
    const asUser =
      process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [];
    const result = await run(
      'env',
      ['-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...asUser, './dev', 'test'],
      {
        cwd: repoRoot,
      },
    ).then(
      () => ({ code: 0, stdout: '', stderr: '' }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(result.stderr).not.toContain('must not run');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /install steps ask for root through sudo: .*10-apt.*12-test-packages.* \d+-docker( |$)/m,
    );
    for (const suite of dockerSuites()) expect(result.stdout).toContain(`      ${suite}\n`);
    expect(result.stderr).toContain('./dev test --without-docker');
    expect(existsSync(join(home, 'tools'))).toBe(false);
  });

  it("leaves the suites that need Docker out as skipped in vitest's own report, never as passed", async () => {
    const report = join(work, 'vitest.json');
    // Were any of them run, the docker guard would fail it at once.
    const guard = guardDir('docker');
    await run('npx', ['vitest', 'run', ...dockerSuites(), '--reporter=json', `--outputFile=${report}`], {
      cwd: repoRoot,
      env: {
        ...process.env,
        MAPS_TEST_LEAVE_OUT: 'needs-docker',
        PATH: `${guard}:${process.env.PATH ?? ''}`,
      },
    }).catch(() => undefined); // the report tells
    const { testResults } = JSON.parse(readFileSync(report, 'utf8')) as {
      testResults: {
        name: string;
        status: string;
        message: string;
        assertionResults: { status: string }[];
      }[];
    };
    expect(testResults.map(({ name }) => relative(repoRoot, name)).sort()).toEqual(dockerSuites());
    for (const { name, status, message, assertionResults } of testResults) {
      expect(status, `${name}: ${message}`).not.toBe('failed');
      // A file tagged as a whole runs none of its tests; a file with tagged tests runs and passes the others.
      const statuses = new Set(assertionResults.map((test) => test.status));
      if (new RegExp(`^// @module-tag ${TAG}$`, 'm').test(read(relative(repoRoot, name)))) {
        expect(statuses, name).toEqual(new Set(['skipped']));
      } else expect(statuses, name).toEqual(new Set(['skipped', 'passed']));
    }
  }, 300_000);

  it('finds every test file that needs the Docker engine tagged: its imports reach it, it asks the engine itself, or it starts the stack', () => {
    const engine = ['local-varnish/runtime.ts', 'images/test/docker.ts'];
    // Imports only REPO_ROOT from images/test/docker.ts: it renders with helm and starts no container.
    const noEngine = ['images/compose-site.test.ts'];
    const needing = testFiles().filter(
      (file) =>
        !noEngine.includes(file) &&
        (engine.some((module) => sourcesFrom(file).has(module)) ||
          /spawn\('\.\/dev', \['start'\]/.test(read(file)) ||
          /(spawn|spawnSync|execFile|execFileSync)\('docker', \[/.test(read(file))),
    );
    expect(needing.length).toBeGreaterThan(10);
    expect(needing.filter((file) => !NEEDS_DOCKER.test(read(file)))).toEqual([]);
    expect(dockerSuites()).toEqual(needing.sort());
  });
});
