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
import { environmentOf, loadWorkflows } from './support/workflows.ts';

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

  const filesUnder = (dir: string, ext: string): string[] =>
    readdirSync(join(repoRoot, dir)).flatMap((name) => {
      const path = join(dir, name);
      if (SKIP_DIRS.has(name)) return [];
      if (statSync(join(repoRoot, path)).isDirectory()) return filesUnder(path, ext);
      return name.endsWith(ext) ? [path] : [];
    });
  const workflows = loadWorkflows();
  const environments = Object.keys(
    (JSON.parse(readFileSync(join(repoRoot, 'environments.json'), 'utf8')) as { environments: object })
      .environments,
  );

  it('every service account a doc names is one Terraform creates', () => {
    const tf = filesUnder('terraform', '.tf').map((f) => readFileSync(join(repoRoot, f), 'utf8'));
    const created = new Set(
      tf.flatMap((text) => [
        ...[...text.matchAll(/account_id\s*=\s*"([a-z][a-z0-9-]+)"/g)].map((m) => m[1]!),
        ...[...text.matchAll(/variable "\w*account_id" \{[^}]*default\s*=\s*"([a-z][a-z0-9-]+)"/g)].map(
          (m) => m[1]!,
        ),
        ...[...text.matchAll(/account_ids\s*=\s*\{([^}]*)\}/g)].flatMap((m) =>
          [...m[1]!.matchAll(/"([a-z][a-z0-9-]+)"/g)].map((q) => q[1]!),
        ),
      ]),
    );
    expect(created).toEqual(
      new Set([...created, 'github-deployer', 'github-publisher', 'maps-api', 'gke-nodes']),
    );
    const unknown: string[] = [];
    for (const doc of docs) {
      // <id>@<project>, <id>@PROJECT, <id>@maps-api-<env>…: lowercase ids only (SOME_ACCOUNT@ is a placeholder).
      for (const m of doc.text.matchAll(
        /(?<![\w.-])([a-z][a-z0-9-]{3,29})@(?:<project>|PROJECT|maps-api-[a-z]+|\$\{)/g,
      ))
        if (!created.has(m[1]!)) unknown.push(`${relative(repoRoot, doc.path)}: ${m[0]}`);
    }
    expect(unknown).toEqual([]);
  });

  it('every GitHub environment and vars.* a doc names is one the workflows use, and every vars.* they read is documented', () => {
    const used = new Set(
      workflows.flatMap((w) =>
        Object.values(w.jobs).flatMap((job) => {
          const env = environmentOf(job);
          if (!env) return [];
          if (!env.includes('${{')) return [env];
          return environments.map((e) => env.replace(/\$\{\{ (matrix|inputs)\.env \}\}/, e));
        }),
      ),
    );
    const vars = new Set(
      workflows.flatMap((w) => [...JSON.stringify(w).matchAll(/\bvars\.(\w+)/g)].map((m) => m[1]!)),
    );
    const wrong: string[] = [];
    for (const doc of docs) {
      const where = relative(repoRoot, doc.path);
      for (const m of doc.text.matchAll(/GitHub environments?\s+((?:`[^`]+`(?:,\s*|\s+and\s+|\s+or\s+)?)+)/g))
        for (const name of m[1]!.matchAll(/`([^`]+)`/g))
          if (!name[1]!.includes('<') && !used.has(name[1]!))
            wrong.push(`${where}: GitHub environment ${name[1]}`);
      for (const m of doc.text.matchAll(/\b[A-Z][A-Z_]*(?:SERVICE_ACCOUNT|WORKLOAD_IDENTITY_PROVIDER)\b/g))
        if (!vars.has(m[0])) wrong.push(`${where}: vars.${m[0]}`);
    }
    expect(wrong).toEqual([]);
    const documented = ['docs/ci-cd.md', 'docs/infrastructure.md']
      .map((f) => readFileSync(join(repoRoot, f), 'utf8'))
      .join('\n');
    expect(vars.size).toBeGreaterThanOrEqual(6);
    for (const v of vars) expect(documented, `vars.${v} is read but not documented`).toContain(`\`${v}\``);
  });

  it('every host a doc names exists: Services the chart creates, compose and Dagger services (environment hosts are inputs, never example.com)', () => {
    const release = 'maps-api';
    const chartServices = filesUnder('charts/maps-api/templates', '.yaml')
      .map((f) => readFileSync(join(repoRoot, f), 'utf8'))
      .filter((t) => /^kind: Service$/m.test(t))
      .flatMap((t) => [...(/include "maps-api\.(\w+)Name"/.exec(t) ?? [])].slice(1))
      .map((kind) => `${release}-${kind}`);
    expect(chartServices.sort()).toEqual(['maps-api-api', 'maps-api-varnish']);
    const compose = readFileSync(join(repoRoot, 'compose.yaml'), 'utf8');
    const composeServices = [
      ...(/\nservices:\n([\s\S]*?)(?:\n\S|$)/.exec(compose)?.[1] ?? '').matchAll(/^ {2}([a-z][\w-]*):$/gm),
    ].map((m) => m[1]!);
    const daggerAliases = [
      ...readFileSync(join(repoRoot, 'ci/src/index.ts'), 'utf8').matchAll(/withServiceBinding\('([\w-]+)'/g),
    ].map((m) => m[1]!);
    const known = new Set(['localhost', '127.0.0.1', ...chartServices, ...composeServices, ...daggerAliases]);
    const wrong: string[] = [];
    for (const doc of docs) {
      const where = relative(repoRoot, doc.path);
      for (const m of doc.text.matchAll(/https?:\/\/([a-z0-9.-]+)(?::\d+)?(?=[/\s`'")]|$)/g)) {
        const host = m[1]!.replace(/\.[a-z0-9-]+\.svc(\.cluster\.local)?$/, '');
        const checked = !host.includes('.') || host.endsWith('example.com');
        if (checked && !known.has(host)) wrong.push(`${where}: ${m[0]}`);
      }
      // The replica tool runs on a laptop or in CI: its ban goes through a port-forward or the chart's Service.
      for (const m of doc.text.matchAll(/--ban-url[ =]https?:\/\/([a-z0-9.-]+)/g)) {
        const host = m[1]!;
        const reachable =
          ['127.0.0.1', 'localhost'].includes(host) || chartServices.includes(host.replace(/\..*$/, ''));
        if (!reachable)
          wrong.push(`${where}: --ban-url host ${host} (not reachable from where the tool runs)`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
