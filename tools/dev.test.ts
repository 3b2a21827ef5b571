/**
 * The two-command contract of a fresh clone (issue 16): the README's Quickstart names `./dev start` and `./dev test`,
 * .ci/run and Devbox call exactly those, and `./dev start` installs exactly the steps whose programs the stack runs.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const repoRoot = join(import.meta.dirname, '..');
const read = (path: string) => readFileSync(join(repoRoot, path), 'utf8');
const readme = read('README.md');
const ciRun = read('.ci/run');
const dev = read('dev');

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

/** The repository's TypeScript files `stack/start.ts` loads, following relative and workspace imports. */
function stackSources(): Map<string, string> {
  const sources = new Map<string, string>();
  const pending = [join(repoRoot, 'stack/start.ts')];
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
    const started = [...steps].filter(
      ([step, programs]) =>
        step !== stepFile('node') && programs.some((program) => sources.includes(`'${program}'`)),
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
