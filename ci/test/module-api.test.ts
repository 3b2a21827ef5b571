/** The module's public API as the Dagger engine will see it, from the SDK's own scanner (DRY_RUN and registration). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeEngine } from './support/fake-engine.ts';
import { runScanner } from './support/scanner.ts';

interface ScannedArg {
  type: { kind: string; name?: string };
  defaultValue?: unknown;
  defaultPath?: string;
  isOptional: boolean;
}
interface Scanned {
  objects: Record<string, { methods: Record<string, { arguments: Record<string, ScannedArg> }> }>;
}

const SOURCE = { type: 'Directory', defaultPath: '/' };
const SECRET = { type: 'Secret' };
const ENV = { type: 'STRING_KIND' };

/** The documented interface (docs/ci-cd.md): function → argument → type and default. */
const DOCUMENTED: Record<
  string,
  Record<string, { type: string; default?: unknown; defaultPath?: string }>
> = {
  lint: { source: SOURCE },
  test: { source: SOURCE },
  build: { source: SOURCE },
  scan: { source: SOURCE },
  publish: { source: SOURCE, gcpCredentials: SECRET, tag: { type: 'STRING_KIND', default: 'latest' } },
  render: { source: SOURCE, env: ENV, image: { type: 'STRING_KIND', default: '' } },
  plan: { source: SOURCE, env: ENV, gcpCredentials: SECRET },
  apply: {
    source: SOURCE,
    env: ENV,
    gcpCredentials: SECRET,
    confirmProduction: { type: 'BOOLEAN_KIND', default: false },
  },
  resolveImage: { source: SOURCE, tag: { type: 'STRING_KIND' }, gcpCredentials: SECRET },
  deploy: {
    source: SOURCE,
    env: ENV,
    image: { type: 'STRING_KIND' },
    gcpCredentials: SECRET,
    confirmProduction: { type: 'BOOLEAN_KIND', default: false },
  },
  smoke: { source: SOURCE, env: ENV },
  replicateTable: {
    source: SOURCE,
    env: ENV,
    gcpCredentials: SECRET,
    mode: { type: 'STRING_KIND', default: 'versioned' },
    dryRun: { type: 'BOOLEAN_KIND', default: false },
    verifyOnly: { type: 'BOOLEAN_KIND', default: false },
    banUrl: { type: 'STRING_KIND', default: '' },
  },
};

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

describe('module API (SDK introspection scanner, DRY_RUN)', () => {
  let scanned: Scanned;
  beforeAll(async () => {
    const result = await runScanner({ DRY_RUN: '1' });
    expect(result.code, result.stderr).toBe(0);
    scanned = JSON.parse(result.stdout) as Scanned;
  });

  it('exposes exactly the documented functions on the MapsApi object', () => {
    expect(Object.keys(scanned.objects)).toEqual(['MapsApi']);
    expect(Object.keys(scanned.objects.MapsApi?.methods ?? {}).sort()).toEqual(
      Object.keys(DOCUMENTED).sort(),
    );
  });

  it('gives every function exactly the documented arguments, types and defaults', () => {
    const actual = Object.fromEntries(
      Object.entries(scanned.objects.MapsApi?.methods ?? {}).map(([fn, method]) => [
        fn,
        Object.fromEntries(
          Object.entries(method.arguments).map(([arg, a]) => [
            arg,
            {
              type: a.type.name ?? a.type.kind,
              ...(a.defaultValue !== undefined ? { default: a.defaultValue } : {}),
              ...(a.defaultPath !== undefined ? { defaultPath: a.defaultPath } : {}),
            },
          ]),
        ),
      ]),
    );
    expect(actual).toEqual(DOCUMENTED);
  });

  it('documents every function as a dagger call in docs/ci-cd.md', () => {
    const docs = readFileSync(fileURLToPath(new URL('../../docs/ci-cd.md', import.meta.url)), 'utf8');
    for (const fn of Object.keys(DOCUMENTED)) expect(docs).toContain(`dagger call ${kebab(fn)}`);
  });
});

describe('module registration against a fake engine', () => {
  const engine = new FakeEngine({ repoRoot: fileURLToPath(new URL('../../', import.meta.url)) });
  let queries: string[];
  beforeAll(async () => {
    const port = await engine.start();
    const result = await runScanner({
      DAGGER_SESSION_PORT: String(port),
      DAGGER_SESSION_TOKEN: engine.token,
    });
    expect(result.code, result.stderr).toBe(0);
    queries = engine.queries;
  });
  afterAll(() => engine.stop());

  it('registers every function that touches a live environment with cache policy Never, the rest cached', () => {
    const policies = new Map<string, string>();
    for (const q of queries) {
      const fn = /function \(name: "(\w+)"/.exec(q)?.[1];
      const policy = /withCachePolicy \(policy: (\w+)/.exec(q)?.[1];
      if (fn) policies.set(fn, policy ?? 'none');
    }
    expect([...policies.keys()].sort()).toEqual(Object.keys(DOCUMENTED).sort());
    const never = [...policies].filter(([, p]) => p === 'Never').map(([fn]) => fn);
    expect([...policies].filter(([, p]) => p === 'Default')).toHaveLength(7);
    expect(never.sort()).toEqual(['apply', 'deploy', 'replicateTable', 'resolveImage', 'smoke']);
  });
});
