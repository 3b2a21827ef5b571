/** The module's public API as the Dagger engine will see it, from the SDK's own scanner (DRY_RUN and registration). */
import { readFileSync } from 'node:fs';
import { matchesGlob } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeEngine } from './support/fake-engine.ts';
import { runScanner } from './support/scanner.ts';

interface ScannedArg {
  description: string;
  type: { kind: string; name?: string };
  defaultValue?: unknown;
  defaultPath?: string;
  ignore?: string[];
  isOptional: boolean;
}
interface ScannedMethod {
  description: string;
  arguments: Record<string, ScannedArg>;
}
interface Scanned {
  objects: Record<
    string,
    { constructor: { arguments: Record<string, ScannedArg> }; methods: Record<string, ScannedMethod> }
  >;
  enums: Record<string, { values: Record<string, { name: string; value: string; description: string }> }>;
}

const SECRET = { type: 'Secret' };
const ENV = { type: 'Environment' };
const STRING = { type: 'STRING_KIND' };
const IMAGE_OPTIONAL = { type: 'STRING_KIND', default: '' };

/** The documented interface (docs/ci-cd.md): function → argument → type and default. */
const DOCUMENTED: Record<
  string,
  Record<string, { type: string; default?: unknown; defaultPath?: string }>
> = {
  lint: {},
  test: {},
  build: {},
  scan: {},
  publish: { gcpCredentials: SECRET, tag: STRING },
  publishToolbox: { owner: STRING, username: STRING, token: SECRET },
  render: { env: ENV, apiImage: IMAGE_OPTIONAL, varnishImage: IMAGE_OPTIONAL, host: IMAGE_OPTIONAL },
  plan: {
    env: ENV,
    gcpCredentials: SECRET,
    shared: { type: 'BOOLEAN_KIND', default: false },
    host: { type: 'STRING_KIND', default: '' },
    oncallEmail: { type: 'STRING_KIND', default: '' },
  },
  apply: {
    env: ENV,
    plan: { type: 'File' },
    gcpCredentials: SECRET,
    confirmProduction: { type: 'BOOLEAN_KIND', default: false },
    shared: { type: 'BOOLEAN_KIND', default: false },
  },
  resolveImages: { tag: STRING, gcpCredentials: SECRET, releaseTag: { type: 'STRING_KIND', default: '' } },
  deploy: {
    env: ENV,
    apiImage: STRING,
    varnishImage: STRING,
    gcpCredentials: SECRET,
    host: STRING,
    confirmProduction: { type: 'BOOLEAN_KIND', default: false },
  },
  smoke: { env: ENV, host: STRING },
  replicateTable: {
    env: ENV,
    gcpCredentials: SECRET,
    mode: { type: 'STRING_KIND' },
    dryRun: { type: 'BOOLEAN_KIND', default: false },
    verifyOnly: { type: 'BOOLEAN_KIND', default: false },
    invalidate: { type: 'BOOLEAN_KIND', default: true },
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

  it('takes the source once, in the constructor, with one ignore list that leaves out the auth credentials file', () => {
    const args = scanned.objects.MapsApi?.constructor.arguments ?? {};
    expect(Object.keys(args)).toEqual(['source']);
    const source = args.source as ScannedArg;
    expect({ type: source.type.name, defaultPath: source.defaultPath }).toEqual({
      type: 'Directory',
      defaultPath: '/',
    });
    const ignored = (path: string) => (source.ignore ?? []).some((pattern) => matchesGlob(path, pattern));
    // google-github-actions/auth writes gha-creds-<random>.json into the workspace root.
    for (const path of [
      'gha-creds-0a1b2c3d4e5f.json',
      'node_modules',
      'api/node_modules',
      '.git',
      'terraform/envs/dev/.terraform',
    ])
      expect(ignored(path), path).toBe(true);
    for (const path of ['api/src/app.ts', 'terraform/envs/dev/.terraform.lock.hcl', 'environments.json'])
      expect(ignored(path), path).toBe(false);
  });

  it('takes environments as an enum whose members are exactly environments.json', () => {
    const environments = JSON.parse(
      readFileSync(fileURLToPath(new URL('../../environments.json', import.meta.url)), 'utf8'),
    ) as { environments: object };
    const members = Object.values(scanned.enums.Environment?.values ?? {});
    expect(members.map((m) => m.name)).toEqual(Object.keys(environments.environments));
    expect(members.map((m) => m.value)).toEqual(Object.keys(environments.environments));
  });

  it('has a doc comment on every function and every argument (what `dagger call <fn> --help` shows)', () => {
    const undocumented: string[] = [];
    const object = scanned.objects.MapsApi;
    for (const [arg, a] of Object.entries(object?.constructor.arguments ?? {}))
      if (!a.description) undocumented.push(`constructor ${arg}`);
    for (const [fn, method] of Object.entries(object?.methods ?? {})) {
      if (!method.description) undocumented.push(fn);
      for (const [arg, a] of Object.entries(method.arguments))
        if (!a.description) undocumented.push(`${fn} ${arg}`);
    }
    expect(undocumented).toEqual([]);
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
    // Anything that reads or changes the world outside the source: a cached answer would lie (a stale plan, a
    // digest never pushed, yesterday's vulnerability database).
    expect(never.sort()).toEqual(
      [
        'apply',
        'deploy',
        'plan',
        'publish',
        'publishToolbox',
        'replicateTable',
        'resolveImages',
        'scan',
        'smoke',
      ].sort(),
    );
    expect(
      [...policies]
        .filter(([, p]) => p === 'Default')
        .map(([fn]) => fn)
        .sort(),
    ).toEqual(['build', 'lint', 'render', 'test']);
  });
});
