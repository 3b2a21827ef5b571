/**
 * The docs name only things that exist: every repository path, every `dagger call` function and flag (checked against
 * the module's own introspection) and every `npm run` script they mention.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runScanner } from './support/scanner.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const SKIP_DIRS = new Set(['node_modules', '.git', '.terraform', 'dist', '.devbox']);
const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (SKIP_DIRS.has(name)) return [];
    if (statSync(path).isDirectory()) return markdownFiles(path);
    return name.endsWith('.md') ? [path] : [];
  });
}

const docs = markdownFiles(repoRoot).map((path) => ({ path, text: readFileSync(path, 'utf8') }));
const topLevel = new Set(readdirSync(repoRoot).filter((name) => !SKIP_DIRS.has(name)));

/** Candidate repository paths: inline code spans and link targets that start with a top-level entry, or relative links. */
function referencedPaths(doc: {
  path: string;
  text: string;
}): { ref: string; resolved: string; alsoFrom?: string }[] {
  const found: { ref: string; resolved: string; alsoFrom?: string }[] = [];
  const add = (raw: string, base: string, alsoFrom?: string) => {
    const ref = raw
      .replace(/[#?].*$/, '')
      .replace(/:\d+(-\d+)?$/, '')
      .replace(/[.,;)]+$/, '');
    if (!ref || /[*<>{}$ ]|^[a-z]+:\/\/|^\/\/|^~/.test(ref) || ref.startsWith('/')) return;
    found.push({ ref, resolved: resolve(base, ref), alsoFrom: alsoFrom && resolve(alsoFrom, ref) });
  };
  for (const match of doc.text.matchAll(/`([^`\n]+)`/g)) {
    const code = match[1]!.trim();
    const first = code.split('/')[0]!;
    // A component README may name its own files (images/README.md: `emulator/Dockerfile`).
    if (code.includes('/') && topLevel.has(first) && !code.includes(' '))
      add(code, repoRoot, dirname(doc.path));
    else if (topLevel.has(code) && /\.(md|json|yaml|yml|ts)$/.test(code)) add(code, repoRoot);
  }
  for (const match of doc.text.matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = match[1]!;
    if (!/^[a-z]+:/.test(target) && !target.startsWith('#')) add(target, dirname(doc.path));
  }
  return found;
}

/** A path git ignores (a build output such as viewer/dist/) may be named before it is built. */
const buildOutput = (path: string) =>
  spawnSync('git', ['check-ignore', '-q', '--no-index', path], { cwd: repoRoot }).status === 0;

describe('docs name only what exists', () => {
  let functions: Map<string, Set<string>>;
  beforeAll(async () => {
    const result = await runScanner({ DRY_RUN: '1' });
    expect(result.code, result.stderr).toBe(0);
    const scanned = JSON.parse(result.stdout) as {
      objects: Record<string, { methods: Record<string, { arguments: Record<string, unknown> }> }>;
    };
    functions = new Map(
      Object.values(scanned.objects).flatMap((object) =>
        Object.entries(object.methods).map(([fn, method]) => [
          kebab(fn),
          new Set(Object.keys(method.arguments).map(kebab)),
        ]),
      ),
    );
  });

  it('reads a real set of docs', () => {
    expect(docs.length).toBeGreaterThan(15);
    expect(docs.map((d) => relative(repoRoot, d.path))).toEqual(
      expect.arrayContaining(['README.md', 'docs/architecture.md', 'docs/production-readiness.md']),
    );
  });

  it('every repository path a doc names exists', () => {
    const missing: string[] = [];
    let checked = 0;
    for (const doc of docs) {
      for (const { ref, resolved, alsoFrom } of referencedPaths(doc)) {
        checked++;
        if (alsoFrom && existsSync(alsoFrom)) continue;
        if (!existsSync(resolved) && !buildOutput(ref.endsWith('/') ? `${resolved}/` : resolved))
          missing.push(`${relative(repoRoot, doc.path)}: ${ref}`);
      }
    }
    expect(checked).toBeGreaterThan(100);
    expect(missing).toEqual([]);
  });

  it('every `dagger call` names a function and flags the module really has', () => {
    const wrong: string[] = [];
    let calls = 0;
    for (const doc of docs) {
      for (const match of doc.text.matchAll(/dagger call ([a-z-]+)((?: --[a-z-]+(?:[= ][^\s`|]+)?)*)/g)) {
        calls++;
        const [fn, flags] = [match[1]!, match[2] ?? ''];
        const args = functions.get(fn);
        if (!args) {
          wrong.push(`${relative(repoRoot, doc.path)}: dagger call ${fn} (no such function)`);
          continue;
        }
        for (const flag of flags.matchAll(/--([a-z-]+)/g)) {
          if (!args.has(flag[1]!))
            wrong.push(`${relative(repoRoot, doc.path)}: dagger call ${fn} --${flag[1]} (no such argument)`);
        }
      }
    }
    expect(calls).toBeGreaterThan(10);
    expect(wrong).toEqual([]);
  });

  it('every `npm run` script a doc names exists', () => {
    const pkg = (dir: string) =>
      (
        JSON.parse(readFileSync(join(repoRoot, dir, 'package.json'), 'utf8')) as {
          scripts?: Record<string, string>;
        }
      ).scripts ?? {};
    const root = pkg('.');
    const missing: string[] = [];
    for (const doc of docs) {
      for (const match of doc.text.matchAll(/npm run ([\w:-]+)(?: -w ([\w/@-]+))?/g)) {
        const [script, workspace] = [match[1]!, match[2]];
        const scripts = workspace ? pkg(workspace.replace(/^@maps-api\//, '')) : root;
        if (!(script in scripts))
          missing.push(
            `${relative(repoRoot, doc.path)}: npm run ${script}${workspace ? ` -w ${workspace}` : ''}`,
          );
      }
    }
    expect(missing).toEqual([]);
  });
});
