/**
 * Fake-engine call-chain tests: every module function runs for real against a loopback GraphQL server that records
 * the engine calls it makes (no Dagger engine can run here; see docs/ci-cd.md).
 */
import { connection, dag, type DirectoryID, type FileID, type SecretID } from '@dagger.io/dagger';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { IMAGES } from '../src/images.ts';
import { Environment, PLACEHOLDER_EMAIL, PLACEHOLDER_HOST } from '../src/environments.ts';
import { MapsApi } from '../src/index.ts';
import {
  DNS_ENDPOINT_FORMAT,
  KUBECONFIG_SCRIPT,
  TOOLBOX_DOCKERFILE,
  TOOLS_DIR,
  GCLOUD_CREDENTIALS_VARIABLE,
} from '../src/toolbox.ts';
import {
  FakeEngine,
  REPO_ROOT_ID,
  describe as show,
  useFakeEngine,
  type Chain,
} from './support/fake-engine.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const engine = new FakeEngine({ repoRoot });
const CREDENTIALS_ID = 'secret-id-of-gcp-credentials';
const REGISTRY = 'us-central1-docker.pkg.dev/maps-api-production/maps';
/** An environment's public host, as the workflows pass it from its repository variable (never a repository fact). */
const HOST = (env: string) => `maps-api.${env}.acme-maps.net`;
const ONCALL = (env: string) => `maps-oncall-${env}@acme-maps.net`;
const API_IMAGE = `${REGISTRY}/maps-api@sha256:${'c'.repeat(64)}`;
const VARNISH_IMAGE = `${REGISTRY}/varnish@sha256:${'e'.repeat(64)}`;
const PLAN_FILE_ID = 'file-id-of-tfplan';

/** The toolbox reference a real engine would compute: tools/toolbox/tag.sh run on this checkout. */
const TOOLBOX_TAG = spawnSync('bash', ['tools/toolbox/tag.sh'], {
  cwd: repoRoot,
  encoding: 'utf8',
}).stdout.trim();
const TOOLBOX_REPOSITORY = (
  JSON.parse(readFileSync(join(repoRoot, 'environments.json'), 'utf8')) as { toolbox: { image: string } }
).toolbox.image;
const TOOLBOX_IMAGE = `${TOOLBOX_REPOSITORY}:${TOOLBOX_TAG}`;

beforeAll(async () => useFakeEngine(await engine.start(), engine));
afterAll(() => engine.stop());
beforeEach(() => engine.reset());

/** Runs one module call inside an SDK connection (like the engine's entrypoint does) and returns its chains. */
async function run<T>(
  call: (mod: MapsApi, source: ReturnType<typeof dag.loadDirectoryFromID>) => Promise<T>,
) {
  let result: T | undefined;
  const custom = engine.stdoutFor;
  // The tag script's answer, as a real engine would print it.
  engine.stdoutFor = (args) =>
    custom?.(args) ?? (args.includes('tools/toolbox/tag.sh') ? `${TOOLBOX_TAG}\n` : undefined);
  try {
    await connection(async () => {
      const source = dag.loadDirectoryFromID(REPO_ROOT_ID as DirectoryID);
      result = await call(new MapsApi(source), source);
    });
  } finally {
    engine.stdoutFor = custom;
  }
  return { result, chains: engine.chains.map((c) => engine.expanded(c)) };
}

const credentials = () => dag.loadSecretFromID(CREDENTIALS_ID as SecretID);
const planFile = () => dag.loadFileFromID(PLAN_FILE_ID as FileID);

function calls(chains: Chain[], field: string) {
  return chains.flatMap((chain) => chain.filter((c) => c.field === field));
}

function execs(chains: Chain[]): string[][] {
  return calls(chains, 'withExec').map((c) => c.args.args as string[]);
}

const pinnedRefs = new Set(Object.values(IMAGES).map((i) => `${i.tag}@${i.digest}`));

function expectPinnedImages(chains: Chain[]) {
  const froms = calls(chains, 'from').map((c) => String(c.args.address));
  expect(froms.length).toBeGreaterThan(0);
  // The toolbox is named by the hash of what defines it (tools/toolbox/tag.sh); everything else by digest.
  for (const address of froms.filter((a) => a !== TOOLBOX_IMAGE)) {
    expect(address, 'image pulled by tag only').toMatch(/@sha256:[a-f0-9]{64}$/);
    expect(pinnedRefs.has(address), `${address} is not from images.ts`).toBe(true);
  }
}

const SECRET_ARGS = new Set([
  'withMountedSecret.source',
  'withSecretVariable.secret',
  'withRegistryAuth.secret',
]);

/** True when an id was produced by a Secret: loadSecretFromID (a CLI --secret argument) or setSecret. */
function isSecretId(value: unknown): boolean {
  const origin = typeof value === 'string' ? engine.origins.get(value) : undefined;
  const root = origin ? engine.expanded(origin)[0]?.field : undefined;
  return root === 'loadSecretFromID' || root === 'setSecret';
}

/**
 * Secrets travel only as Secret ids into secret-taking arguments; a Secret id never lands in an env var or a
 * command, and plaintext read back from files (kubeconfig, access token) only ever goes into setSecret.
 */
function expectSecretsOnlyAsSecretIds(chains: Chain[]) {
  let secretArgs = 0;
  for (const chain of chains) {
    for (const call of chain) {
      for (const [name, value] of Object.entries(call.args)) {
        const where = `${call.field}.${name}`;
        const values = (Array.isArray(value) ? value : [value]).map(String);
        if (SECRET_ARGS.has(where)) {
          secretArgs++;
          expect(isSecretId(value), `${where} got something that is not a Secret id in ${show(chain)}`).toBe(
            true,
          );
          continue;
        }
        for (const v of values) {
          if (isSecretId(v)) throw new Error(`Secret id passed as ${where} in ${show(chain)}`);
          if (v.includes(CREDENTIALS_ID) && call.field !== 'loadSecretFromID')
            throw new Error(`${where} leaks`);
          if (v.includes('contents of /out/') && call.field !== 'setSecret') {
            throw new Error(`secret plaintext passed to ${where} in ${show(chain)}`);
          }
        }
      }
    }
  }
  expect(secretArgs).toBeGreaterThan(0);
}

/** The chain that produced an id passed as an argument (a File, Container, Directory …), expanded to its root. */
function originOf(id: unknown): Chain {
  const origin = engine.origins.get(String(id));
  if (!origin) throw new Error(`no chain produced ${String(id)}`);
  return engine.expanded(origin);
}

const dockerBuilds = (chain: Chain) =>
  chain
    .filter((c) => c.field === 'dockerBuild')
    .map((c) => `${String(c.args.dockerfile)} ${String(c.args.platform)}`);

/** Each Trivy image scan: the build it scans, and the repository file it takes as --ignore-policy ('-': none). */
function imageScans(chains: Chain[]): string[] {
  return chains
    .filter((chain) => execs([chain]).some((a) => a[0] === 'trivy' && a[1] === 'image'))
    .map((chain) => {
      const trivy = execs([chain]).find((a) => a[0] === 'trivy') ?? [];
      const at = trivy.indexOf('--ignore-policy');
      const file = calls([chain], 'withFile').find((f) => at >= 0 && f.args.path === trivy[at + 1]);
      const policy = file ? calls([originOf(file.args.source)], 'file')[0]?.args.path : '-';
      const image = calls([chain], 'withFile').flatMap((f) => dockerBuilds(originOf(f.args.source)))[0];
      return `${image} ${String(policy)}`;
    })
    .sort();
}
const SCANS_WITH_POLICIES = [
  'api/Dockerfile linux/amd64 -',
  'api/Dockerfile linux/arm64 -',
  'images/varnish/Dockerfile linux/amd64 images/varnish/scan-policy.rego',
  'images/varnish/Dockerfile linux/arm64 images/varnish/scan-policy.rego',
];

/** helm comes from the toolbox: run in it, or copied out of it (the deployer); never built, never another image. */
function expectHelmFromToolbox(chains: Chain[]) {
  const helmFiles = calls(chains, 'withFile').filter((c) => c.args.path === '/usr/local/bin/helm');
  const helmRuns = chains.filter((chain) =>
    execs([chain]).some((a) => a[0] === 'helm' || (a[0] === 'sh' && a[2]?.startsWith('helm '))),
  );
  expect(helmFiles.length + helmRuns.length).toBeGreaterThan(0);
  for (const file of helmFiles) {
    const origin = originOf(file.args.source);
    expect(calls([origin], 'from').map((c) => c.args.address)).toEqual([TOOLBOX_IMAGE]);
    expect(origin.at(-1)).toEqual({ field: 'file', args: { path: `${TOOLS_DIR}/bin/helm` } });
  }
  for (const chain of helmRuns) expect(calls([chain], 'from')[0]?.args.address).toBe(TOOLBOX_IMAGE);
  const froms = calls(chains, 'from').map((c) => String(c.args.address));
  expect(froms.filter((a) => /helm|golang/.test(a))).toEqual([]);
}

/** Exec argv that would compile a tool: a Go build, or an install step (tools/install.sh, tools/install.d). */
const COMPILES = /\bgo (build|install)\b|tools\/install\.(sh|d)/;

describe('module functions as the engine sees them', () => {
  it('lint names every workflow file for actionlint, which then passes without a .git (the real actionlint)', async () => {
    const { chains } = await run((m) => m.lint());
    expect(execs(chains)).toContainEqual(['npm', 'run', 'lint']);
    const lint = chains.find((chain) => execs([chain]).some((a) => a[0] === 'actionlint'));
    if (!lint) throw new Error('no actionlint exec');
    const args = execs([lint]).find((a) => a[0] === 'actionlint') as string[];
    const workflows = readdirSync(join(repoRoot, '.github/workflows')).map((f) => `.github/workflows/${f}`);
    expect(args.slice(2).sort()).toEqual(workflows.sort());
    // Replay the container: only .github under the workdir, no .git, the same argv.
    const mount = calls([lint], 'withDirectory')[0];
    expect(mount?.args.path).toBe('/lint/.github');
    expect(originOf(mount?.args.source).slice(1)).toEqual([
      { field: 'directory', args: { path: '.github' } },
    ]);
    expect(calls([lint], 'withWorkdir')[0]?.args.path).toBe('/lint');
    expect(calls([lint], 'from')[0]?.args.address).toBe(TOOLBOX_IMAGE);
    const dir = mkdtempSync(join(tmpdir(), 'lint-replay-'));
    cpSync(join(repoRoot, '.github'), join(dir, '.github'), { recursive: true });
    const result = spawnSync(args[0] as string, args.slice(1), { cwd: dir, encoding: 'utf8' });
    if (result.error) throw new Error(`actionlint not runnable: run tools/install.sh 60-actionlint`);
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
    expectPinnedImages(chains);
  });

  describe('test', () => {
    let chains: Chain[];
    beforeEach(async () => {
      ({ chains } = await run((m) => m.test()));
    });

    /** The chain that built the service bound under `alias`, expanded back to its root. */
    function service(alias: string): Chain {
      const binding = calls(chains, 'withServiceBinding').find((c) => c.args.alias === alias);
      return originOf(binding?.args.service);
    }
    const dockerfileOf = (chain: Chain) => chain.find((c) => c.field === 'dockerBuild')?.args.dockerfile;
    const envOf = (chain: Chain, name: string) =>
      chain.find((c) => c.field === 'withEnvVariable' && c.args.name === name)?.args.value;

    it("runs ./dev test in the toolbox, privileged, the engine's data on a locked cache volume, and no cluster", () => {
      const suite = chains.find((chain) => execs([chain]).some((a) => a.join(' ') === './dev test'));
      if (!suite) throw new Error('test does not run ./dev test');
      expect(calls([suite], 'withExec').at(-1)?.args).toEqual({
        args: ['./dev', 'test'],
        insecureRootCapabilities: true,
      });
      // ./dev test installs every tool (each check finds it in the toolbox) and then runs npm test: lint, types,
      // every suite; the rehearsal cluster is `npm run rehearse`, which npm test never runs.
      const dev = readFileSync(join(repoRoot, 'dev'), 'utf8');
      expect(dev).toMatch(/^\s*tools\/install\.sh$/m);
      expect(dev).toMatch(/^\s*exec npm test$/m);
      const scripts = (
        JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
          scripts: Record<string, string>;
        }
      ).scripts;
      expect(scripts.test).toMatch(
        /npm run lint && npm run typecheck && vitest run && npm run test:ci-module/,
      );
      expect(scripts.test).not.toMatch(/rehearse|rehearsal/);
      expect(execs(chains).flat().join(' ')).not.toMatch(/rehearse|cluster\/up\.sh/);
      expect(calls([suite], 'from').map((c) => c.args.address)).toEqual([TOOLBOX_IMAGE]);
      const docker = calls([suite], 'withMountedCache').find((c) => c.args.path === '/var/lib/docker');
      expect(docker?.args.sharing).toBe('LOCKED');
      const order = execs([suite]).map((a) => a.join(' '));
      expect(order.slice(-2)).toEqual(['git init --quiet', './dev test']);
      expectPinnedImages(chains);
    });

    it('builds the emulator, API and Varnish services from the repo Dockerfiles, wired like compose', () => {
      const varnish = service('varnish');
      const api = service('maps-api-api');
      const emulator = service('bigquery');
      expect(dockerfileOf(emulator)).toBe('images/emulator/Dockerfile');
      expect(dockerfileOf(api)).toBe('api/Dockerfile');
      expect(dockerfileOf(varnish)).toBe('images/varnish/Dockerfile');
      for (const chain of [varnish, api, emulator]) expect(chain[0]?.args.id).toBe(REPO_ROOT_ID);
      expect(String(envOf(api, 'BIGQUERY_EMULATOR_HOST'))).toMatch(/^http:\/\/bigquery:9050\/bigquery\/v2$/);
      expect(calls([emulator], 'withExposedPort')[0]?.args.port).toBe(9050);
      // Varnish runs the image's command, whose -f and vcl_path are where the chart's VCL files land.
      const varnishfile = readFileSync(join(repoRoot, 'images/varnish/Dockerfile'), 'utf8');
      expect(varnishfile).toContain('"/etc/varnish/site/site.vcl", "-p", "vcl_path=/etc/varnish/maps-api"');
      expect(calls([varnish], 'withFile')[0]?.args.path).toBe('/etc/varnish/site/site.vcl');
      expect(calls([varnish], 'withDirectory')[0]?.args.path).toBe('/etc/varnish/maps-api');
      expect(calls([varnish], 'asService')[0]?.args.args).toBeUndefined();
      const helm = execs(chains).find((a) => a.join(' ').includes('helm template')) ?? [];
      expect(helm.join(' ')).toContain('--show-only templates/varnish-configmap.yaml');
      expectHelmFromToolbox(chains);
    });

    it('runs the full smoke through Varnish against the data the emulator image is seeded with', () => {
      const smoke = execs(chains).find((a) => a.includes('smoke/main.ts')) ?? [];
      expect(smoke).toContain('http://varnish:8080');
      expect(smoke).not.toContain('--health-only');
      const flag = (name: string) => smoke[smoke.indexOf(name) + 1];
      const sampleData = readFileSync(join(repoRoot, 'emulator/src/sample-data.ts'), 'utf8');
      expect(sampleData).toContain(`SAMPLE_TILESET = '${flag('--tileset')}'`);
      expect(sampleData).toContain(`SAMPLE_TABLE = '${flag('--table')}'`);
      expect(flag('--tile')).toBe('0/0/0'); // every tileset pyramid has the root tile
      expect(flag('--geom-field')).toBe('geom');
    });
  });

  describe('the toolbox', () => {
    it('compiles nothing when the toolbox image is present: no Go build, no install step, no toolbox build', async () => {
      const everyFunction: ((m: MapsApi) => Promise<unknown>)[] = [
        (m) => m.lint(),
        (m) => m.test(),
        (m) => Promise.all(m.build().map((c) => c.id())),
        (m) => m.scan(),
        (m) => m.publish(credentials(), 'abc123'),
        (m) => m.render(Environment.dev),
        async (m) => (await m.plan(Environment.dev, credentials(), false, HOST('dev'), ONCALL('dev'))).id(),
        (m) => m.apply(Environment.dev, planFile(), credentials()),
        (m) => m.resolveImages('abc123', credentials()),
        (m) => m.deploy(Environment.dev, API_IMAGE, VARNISH_IMAGE, credentials(), HOST('dev')),
        (m) => m.smoke(Environment.dev, HOST('dev')),
        (m) => m.replicateTable(Environment.dev, credentials()),
        (m) => m.publishToolbox('maps-api', 'someone', credentials()),
      ];
      let toolboxUsers = 0;
      for (const call of everyFunction) {
        engine.reset();
        engine.stdoutFor = (args) => (args.includes('describe') ? `sha256:${'d'.repeat(64)}\n` : undefined);
        const { chains } = await run(call);
        const compiling = execs(chains).filter((a) => COMPILES.test(a.join(' ')));
        expect(compiling, String(call)).toEqual([]);
        expect(chains.flatMap(dockerBuilds).filter((b) => b.startsWith(TOOLBOX_DOCKERFILE))).toEqual([]);
        if (calls(chains, 'from').some((c) => c.args.address === TOOLBOX_IMAGE)) toolboxUsers++;
      }
      // lint, test, render, deploy (helm) and publish-toolbox (the presence check) start from it.
      expect(toolboxUsers).toBe(5);
    });

    it('builds the toolbox with the same steps when its tag cannot be pulled, and says so', async () => {
      engine.failFromContaining = TOOLBOX_IMAGE;
      const said: string[] = [];
      const spy = vi.spyOn(console, 'error').mockImplementation((line: string) => void said.push(line));
      try {
        const { chains } = await run((m) => m.render(Environment.dev));
        const helmRun = chains.find((chain) => execs([chain]).some((a) => a[0] === 'helm'));
        if (!helmRun) throw new Error('render ran no helm');
        expect(dockerBuilds(helmRun)).toEqual([`${TOOLBOX_DOCKERFILE} undefined`]);
        // Its context is exactly what tools/toolbox/tag.sh copies: the files its tag hashes.
        const tag = execs([helmRun]).find((a) => a.includes('tools/toolbox/tag.sh'));
        expect(tag).toEqual(['bash', 'tools/toolbox/tag.sh', '--context', '/context']);
        expect(helmRun[helmRun.findIndex((c) => c.field === 'dockerBuild') - 1]).toEqual({
          field: 'directory',
          args: { path: '/context' },
        });
        expect(said.join('\n')).toContain(`toolbox ${TOOLBOX_IMAGE} could not be pulled`);
        expect(said.join('\n')).toContain(`building it from ${TOOLBOX_DOCKERFILE}`);
      } finally {
        spy.mockRestore();
      }
    });

    it("publish-toolbox pushes only a missing tag, to the owner's ghcr.io namespace, with the token", async () => {
      const present = await run((m) => m.publishToolbox('Maps-API', 'someone', credentials()));
      expect(present.result).toBe(`${TOOLBOX_IMAGE} is already published`);
      expect(calls(present.chains, 'publish')).toEqual([]);

      engine.reset();
      engine.failFromContaining = TOOLBOX_IMAGE;
      const spy = vi.spyOn(console, 'error').mockImplementation(() => undefined);
      try {
        const missing = await run((m) => m.publishToolbox('maps-api', 'someone', credentials()));
        const push = missing.chains.find((chain) => calls([chain], 'publish').length > 0) as Chain;
        expect(calls([push], 'publish')[0]?.args.address).toBe(TOOLBOX_IMAGE);
        expect(dockerBuilds(push)).toEqual([`${TOOLBOX_DOCKERFILE} undefined`]);
        expect(calls([push], 'withRegistryAuth')[0]?.args).toMatchObject({
          address: 'ghcr.io',
          username: 'someone',
        });
        expectSecretsOnlyAsSecretIds(missing.chains);
      } finally {
        spy.mockRestore();
      }

      engine.reset();
      await expect(run((m) => m.publishToolbox('someone-else', 'x', credentials()))).rejects.toThrow(
        /must be under ghcr\.io\/someone-else\//,
      );
    });
  });

  it('build returns both images for both platforms from their Dockerfiles', async () => {
    const { chains } = await run(async (m) => Promise.all(m.build().map((c) => c.id())));
    expect(chains.flatMap(dockerBuilds)).toEqual([
      'api/Dockerfile linux/amd64',
      'api/Dockerfile linux/arm64',
      'images/varnish/Dockerfile linux/amd64',
      'images/varnish/Dockerfile linux/arm64',
    ]);
  });

  it('scan gates every platform variant of both images and the config on HIGH and CRITICAL findings', async () => {
    const { chains } = await run((m) => m.scan());
    const trivy = chains.filter((chain) => execs([chain]).some((a) => a[0] === 'trivy'));
    const scanned = trivy.flatMap((chain) =>
      calls([chain], 'withFile').flatMap((f) => dockerBuilds(originOf(f.args.source))),
    );
    expect(scanned.sort()).toEqual([
      'api/Dockerfile linux/amd64',
      'api/Dockerfile linux/arm64',
      'images/varnish/Dockerfile linux/amd64',
      'images/varnish/Dockerfile linux/arm64',
    ]);
    const args = execs(trivy).filter((a) => a[0] === 'trivy');
    expect(args.map((a) => a[1]).sort()).toEqual(['config', 'image', 'image', 'image', 'image']);
    for (const a of args) expect(a.join(' ')).toContain('--severity HIGH,CRITICAL --exit-code 1');
    // Only the Varnish image's scans take a policy: its own (images/varnish/scan-policy.rego, its compiler only).
    expect(imageScans(chains)).toEqual(SCANS_WITH_POLICIES);
    expectPinnedImages(chains);
  });

  describe('publish', () => {
    it('builds, scans and then pushes both images from the same builds, printing both digests', async () => {
      const { result, chains } = await run((m) => m.publish(credentials(), 'abc123'));
      expect(result).toBe(
        [
          `api-image=${REGISTRY}/maps-api@sha256:${'ab'.repeat(32)}`,
          `varnish-image=${REGISTRY}/varnish@sha256:${'ab'.repeat(32)}`,
        ].join('\n'),
      );
      const raw = engine.chains;
      for (const [dockerfile, repository] of [
        ['api/Dockerfile', 'maps-api'],
        ['images/varnish/Dockerfile', 'varnish'],
      ] as const) {
        const pushIndex = raw.findIndex((c) =>
          c.some((call) => call.field === 'publish' && String(call.args.address).includes(`/${repository}:`)),
        );
        const push = chains[pushIndex] as Chain;
        expect(calls([push], 'publish')[0]?.args.address).toBe(`${REGISTRY}/${repository}:abc123`);
        const pushed = [
          ...dockerBuilds(push),
          ...(calls([push], 'publish')[0]?.args.platformVariants as string[]).flatMap((id) =>
            dockerBuilds(originOf(id)),
          ),
        ];
        expect(pushed).toEqual([`${dockerfile} linux/amd64`, `${dockerfile} linux/arm64`]);
        // The same builds went through Trivy, and every scan finished before the push.
        const scans = chains
          .map((chain, i) => ({ chain, i }))
          .filter(({ chain }) => execs([chain]).some((a) => a[0] === 'trivy' && a[1] === 'image'))
          .filter(({ chain }) =>
            calls([chain], 'withFile').some((f) =>
              dockerBuilds(originOf(f.args.source))[0]?.startsWith(dockerfile),
            ),
          );
        expect(
          scans.flatMap(({ chain }) =>
            calls([chain], 'withFile').flatMap((f) => dockerBuilds(originOf(f.args.source))),
          ),
        ).toEqual(pushed);
        for (const { i } of scans) expect(i).toBeLessThan(pushIndex);
      }
      expect(imageScans(chains)).toEqual(SCANS_WITH_POLICIES);
      expect(calls(chains, 'withRegistryAuth').map((c) => c.args.username)).toEqual([
        'oauth2accesstoken',
        'oauth2accesstoken',
      ]);
      expectSecretsOnlyAsSecretIds(chains);
      expectPinnedImages(chains);
    });

    it('refuses `latest` (the registry keeps tags immutable) before any engine call', async () => {
      await expect(run((m) => m.publish(credentials(), 'latest'))).rejects.toThrow(/immutable tag/);
      expect(engine.chains).toHaveLength(0);
    });

    it('pushes to exactly the repositories the chart pulls from', async () => {
      const { result } = await run((m) => m.publish(credentials(), 'abc123'));
      const values = readFileSync(join(repoRoot, 'charts/maps-api/values.yaml'), 'utf8');
      for (const line of String(result).split('\n')) {
        const repository = line.slice(line.indexOf('=') + 1).split('@')[0];
        expect(values).toContain(`repository: ${repository}\n`);
      }
    });
  });

  it('render templates the chart with the environment values file and both digests, with the pinned helm', async () => {
    const { chains } = await run((m) => m.render(Environment.staging, API_IMAGE, VARNISH_IMAGE));
    const helm = execs(chains).find((a) => a[0] === 'helm') ?? [];
    expect(helm.join(' ')).toContain('template maps-api . --namespace maps-api --values values-staging.yaml');
    expect(helm).toContain(`images.api.digest=sha256:${'c'.repeat(64)}`);
    expect(helm).toContain(`images.varnish.repository=${REGISTRY}/varnish`);
    expect(helm).toContain(`images.varnish.digest=sha256:${'e'.repeat(64)}`);
    expectHelmFromToolbox(chains);
    expectPinnedImages(chains);
  });

  describe('terraform', () => {
    const lockRoot = (withLock: boolean) => {
      const dir = mkdtempSync(join(tmpdir(), 'tf-root-'));
      cpSync(join(repoRoot, 'environments.json'), join(dir, 'environments.json'));
      mkdirSync(join(dir, 'terraform/envs/dev'), { recursive: true });
      writeFileSync(join(dir, 'terraform/envs/dev/main.tf'), '');
      if (withLock) writeFileSync(join(dir, 'terraform/envs/dev/.terraform.lock.hcl'), '');
      return dir;
    };
    const initOf = (chains: Chain[]) => execs(chains).find((a) => a[1] === 'init') ?? [];

    it('init enforces a committed lock file and works without one', async () => {
      try {
        engine.options.repoRoot = lockRoot(false);
        expect(
          initOf(
            (
              await run(async (m) =>
                (await m.plan(Environment.dev, credentials(), false, HOST('dev'), ONCALL('dev'))).id(),
              )
            ).chains,
          ),
        ).toEqual(['terraform', 'init', '-input=false', '-no-color']);
        engine.reset();
        engine.options.repoRoot = lockRoot(true);
        expect(
          initOf(
            (
              await run(async (m) =>
                (await m.plan(Environment.dev, credentials(), false, HOST('dev'), ONCALL('dev'))).id(),
              )
            ).chains,
          ),
        ).toContain('-lockfile=readonly');
      } finally {
        engine.options.repoRoot = repoRoot;
      }
    });

    it('plan saves the plan (-out) in the directory it returns, beside its text', async () => {
      const { chains } = await run(async (m) =>
        (await m.plan(Environment.dev, credentials(), false, HOST('dev'), ONCALL('dev'))).id(),
      );
      expect(calls(chains, 'withEnvVariable')).toContainEqual({
        field: 'withEnvVariable',
        args: { name: 'TF_VAR_host', value: HOST('dev') },
      });
      expect(calls(chains, 'withEnvVariable')).toContainEqual({
        field: 'withEnvVariable',
        args: { name: 'TF_VAR_oncall_email', value: ONCALL('dev') },
      });
      expect(calls(chains, 'withWorkdir').map((c) => c.args.path)).toContain('/terraform/envs/dev');
      // modules/environment reads the chart's alert rules from ../charts (tiny touch, issue 26 item 7).
      expect(calls(chains, 'withDirectory').map((c) => c.args.path)).toContain(
        '/charts/maps-api/files/monitoring',
      );
      const plan = execs(chains).find((a) => a[1] === 'plan') ?? [];
      expect(plan).toEqual(expect.arrayContaining(['-out=/out/tfplan', '-lock=false']));
      expect(
        execs(chains).some((a) =>
          a.join(' ').includes('terraform show -no-color /out/tfplan > /out/plan.txt'),
        ),
      ).toBe(true);
      const returned = chains.findLast((c) => c.at(-1)?.field === 'id');
      expect(returned?.at(-2)).toEqual({ field: 'directory', args: { path: '/out' } });
      expectSecretsOnlyAsSecretIds(chains);
      expectPinnedImages(chains);
    });

    it('apply applies the saved plan it is given, never a fresh plan, and refuses production without --confirm-production', async () => {
      const { chains } = await run((m) => m.apply(Environment.staging, planFile(), credentials(), false));
      const terraform = execs(chains).filter((a) => a[0] === 'terraform');
      expect(terraform.map((a) => a[1])).toEqual(['init', 'apply']);
      expect(terraform[1]).toEqual([
        'terraform',
        'apply',
        '-input=false',
        '-lock-timeout=5m',
        '-no-color',
        '/plan/tfplan',
      ]);
      expect(terraform.flat()).not.toContain('-auto-approve');
      const plan = calls(chains, 'withFile').find((c) => c.args.path === '/plan/tfplan');
      expect(originOf(plan?.args.source)).toEqual([{ field: 'loadFileFromID', args: { id: PLAN_FILE_ID } }]);
      expectSecretsOnlyAsSecretIds(chains);
      engine.reset();
      await expect(run((m) => m.apply(Environment.production, planFile(), credentials()))).rejects.toThrow(
        /confirm-production/,
      );
      expect(engine.chains).toHaveLength(0);
    });
    it('plans and applies terraform/shared with --shared, only as production (its state and accounts)', async () => {
      const planned = await run(async (m) =>
        (await m.plan(Environment.production, credentials(), true)).id(),
      );
      expect(calls(planned.chains, 'withWorkdir').map((c) => c.args.path)).toContain('/terraform/shared');
      expect(calls(planned.chains, 'withWorkdir').map((c) => c.args.path)).not.toContain(
        '/terraform/envs/production',
      );
      expect(execs(planned.chains).find((a) => a[1] === 'plan')).toEqual(
        expect.arrayContaining(['-out=/out/tfplan', '-lock=false']),
      );
      engine.reset();
      const applied = await run((m) =>
        m.apply(Environment.production, planFile(), credentials(), true, true),
      );
      expect(calls(applied.chains, 'withWorkdir').map((c) => c.args.path)).toContain('/terraform/shared');
      expect(
        execs(applied.chains)
          .filter((a) => a[0] === 'terraform')
          .map((a) => a[1]),
      ).toEqual(['init', 'apply']);
      expectSecretsOnlyAsSecretIds(applied.chains);
      engine.reset();
      await expect(
        run((m) => m.apply(Environment.production, planFile(), credentials(), false, true)),
      ).rejects.toThrow(/confirm-production/);
      await expect(
        run(async (m) => (await m.plan(Environment.staging, credentials(), true)).id()),
      ).rejects.toThrow(/terraform\/shared belongs to production/);
      expect(engine.chains).toHaveLength(0);
    });
  });

  it('resolve-images turns the commit tag into both digest references and tags them for a release', async () => {
    engine.stdoutFor = (args) => (args.includes('describe') ? `sha256:${'d'.repeat(64)}\n` : undefined);
    const { result, chains } = await run((m) => m.resolveImages('abc123', credentials(), 'v1.4.0'));
    const described = execs(chains)
      .filter((a) => a.includes('describe'))
      .map((a) => a[5]);
    expect(described).toEqual([`${REGISTRY}/maps-api:abc123`, `${REGISTRY}/varnish:abc123`]);
    expect(result).toBe(
      [
        `api-image=${REGISTRY}/maps-api@sha256:${'d'.repeat(64)}`,
        `varnish-image=${REGISTRY}/varnish@sha256:${'d'.repeat(64)}`,
      ].join('\n'),
    );
    expect(execs(chains).filter((a) => a.includes('tags'))).toEqual([
      [
        'gcloud',
        'artifacts',
        'docker',
        'tags',
        'add',
        `${REGISTRY}/maps-api@sha256:${'d'.repeat(64)}`,
        `${REGISTRY}/maps-api:v1.4.0`,
      ],
      [
        'gcloud',
        'artifacts',
        'docker',
        'tags',
        'add',
        `${REGISTRY}/varnish@sha256:${'d'.repeat(64)}`,
        `${REGISTRY}/varnish:v1.4.0`,
      ],
    ]);
    expectSecretsOnlyAsSecretIds(chains);
    expectPinnedImages(chains);

    engine.reset();
    engine.stdoutFor = () => 'ERROR: not found';
    await expect(run((m) => m.resolveImages('nope', credentials()))).rejects.toThrow(/not a digest/);
  });

  describe('deploy', () => {
    it('runs the shared deploy program with both digests, the cluster kubeconfig and helm, and no step of its own', async () => {
      const { chains } = await run((m) =>
        m.deploy(Environment.staging, API_IMAGE, VARNISH_IMAGE, credentials(), HOST('staging'), false),
      );
      const program = chains.find((chain) => execs([chain]).some((a) => a.includes('ci/deploy/main.ts')));
      if (!program) throw new Error('deploy does not run ci/deploy/main.ts');
      expect(execs([program]).at(-1)).toEqual([
        'node',
        '--experimental-strip-types',
        'ci/deploy/main.ts',
        '--env',
        'staging',
        '--namespace',
        'maps-api',
        '--api-image',
        API_IMAGE,
        '--varnish-image',
        VARNISH_IMAGE,
        '--host',
        HOST('staging'),
        '--public-wait',
        '10m',
        '--timeout',
        '10m',
      ]);
      expect(calls([program], 'withWorkdir').at(-1)?.args.path).toBe('/repo');
      expect(calls([program], 'withMountedSecret')[0]?.args.path).toBe('/run/secrets/kubeconfig');
      expect(calls([program], 'withEnvVariable')).toContainEqual({
        field: 'withEnvVariable',
        args: { name: 'KUBECONFIG', value: '/run/secrets/kubeconfig' },
      });
      // The upgrade, verification, smoke and rollback live only in the program: the module runs no helm itself.
      expect(
        execs(chains).filter((a) => a[0] === 'helm' || a.some((x) => /rollout\/main|smoke\/main/.test(x))),
      ).toEqual([]);
      expectHelmFromToolbox(chains);
      expectSecretsOnlyAsSecretIds(chains);
      expectPinnedImages(chains);
    });

    it('passes only flags the deploy program declares, from where the program finds the chart', async () => {
      const { chains } = await run((m) =>
        m.deploy(Environment.dev, API_IMAGE, VARNISH_IMAGE, credentials(), HOST('dev'), false),
      );
      const program = chains.find((chain) => execs([chain]).some((a) => a.includes('ci/deploy/main.ts')));
      const args = execs([program ?? []]).at(-1) ?? [];
      const source = readFileSync(join(repoRoot, args[2] ?? 'missing'), 'utf8');
      const declared = /parseArgs\(\{\s*options:\s*\{([\s\S]*?)\n {4}\},/.exec(source)?.[1] ?? '';
      const flags = args.filter((a) => a.startsWith('--') && a !== '--experimental-strip-types');
      expect(flags.length).toBe(7);
      for (const flag of flags) expect(declared, flag).toMatch(new RegExp(`'?${flag.slice(2)}'?: \\{ type`));
      // The program resolves the chart and environments.json from its own path: /repo/ci/deploy → /repo.
      const mounts = [...calls([program ?? []], 'withDirectory'), ...calls([program ?? []], 'withFile')].map(
        (c) => c.args.path,
      );
      expect(mounts).toEqual(
        expect.arrayContaining([
          '/repo/ci',
          '/repo/charts/maps-api',
          '/repo/environments.json',
          '/usr/local/bin/helm',
        ]),
      );
    });

    it('refuses tags, other registries and swapped images before touching anything', async () => {
      const refusals = [
        [`${REGISTRY}/maps-api:latest`, VARNISH_IMAGE, /not a digest reference/],
        [`docker.io/library/nginx@sha256:${'a'.repeat(64)}`, VARNISH_IMAGE, /not in the project registry/],
        [API_IMAGE, `ghcr.io/someone/varnish@sha256:${'a'.repeat(64)}`, /not in the project registry/],
        [VARNISH_IMAGE, API_IMAGE, /not in the project registry/],
      ] as const;
      for (const [api, varnish, error] of refusals) {
        engine.reset();
        await expect(
          run((m) => m.deploy(Environment.dev, api, varnish, credentials(), HOST('dev'))),
        ).rejects.toThrow(error);
        expect(calls(engine.chains, 'withExec')).toHaveLength(0);
      }
    });

    it('refuses a placeholder or malformed host, naming the repository variable, as Terraform refuses it at plan time', async () => {
      for (const host of ['maps-api.dev.example.com', 'maps.test', 'https://maps-api.acme-maps.net', '']) {
        engine.reset();
        await expect(
          run((m) => m.deploy(Environment.dev, API_IMAGE, VARNISH_IMAGE, credentials(), host)),
          host,
        ).rejects.toThrow(/MAPS_API_HOST_DEV/);
        expect(calls(engine.chains, 'withExec')).toHaveLength(0);
        engine.reset();
        await expect(
          run(async (m) => (await m.plan(Environment.dev, credentials(), false, host, ONCALL('dev'))).id()),
        ).rejects.toThrow(/MAPS_API_HOST_DEV/);
      }
      // One rule: the module's placeholder pattern is the one each environment root's variable validation uses.
      for (const env of ['dev', 'staging', 'production']) {
        const variables = readFileSync(join(repoRoot, `terraform/envs/${env}/variables.tf`), 'utf8');
        const terraformRule = /condition\s*=\s*!can\(regex\("(.*?)", lower\(var\.host\)\)\)/.exec(
          variables,
        )?.[1];
        expect(terraformRule?.replace(/\\\\/g, '\\'), env).toBe(PLACEHOLDER_HOST.source);
      }
    });

    it('refuses a placeholder or malformed on-call address at plan, naming its variable, as Terraform does', async () => {
      for (const email of ['maps-api-oncall@example.com', 'oncall@maps.test', 'maps-oncall', '']) {
        engine.reset();
        await expect(
          run(async (m) => (await m.plan(Environment.dev, credentials(), false, HOST('dev'), email)).id()),
          email,
        ).rejects.toThrow(/MAPS_API_ONCALL_EMAIL_DEV/);
        expect(calls(engine.chains, 'withExec')).toHaveLength(0);
      }
      // One rule: the module's placeholder pattern is the one each environment root's variable validation uses.
      for (const env of ['dev', 'staging', 'production']) {
        const variables = readFileSync(join(repoRoot, `terraform/envs/${env}/variables.tf`), 'utf8');
        const terraformRule = /condition\s*=\s*!can\(regex\("(.*?)", lower\(var\.oncall_email\)\)\)/.exec(
          variables,
        )?.[1];
        expect(terraformRule?.replace(/\\\\/g, '\\'), env).toBe(PLACEHOLDER_EMAIL.source);
      }
    });

    it('is refused for production without --confirm-production before any engine call', async () => {
      await expect(
        run((m) =>
          m.deploy(
            Environment.production,
            API_IMAGE,
            VARNISH_IMAGE,
            credentials(),
            HOST('production'),
            false,
          ),
        ),
      ).rejects.toThrow(/confirm-production/);
      expect(engine.chains).toHaveLength(0);
    });

    it('gives gcloud the credentials file through its override (any file type, a laptop user file too), never auth login', async () => {
      const { chains } = await run((m) =>
        m.deploy(Environment.staging, API_IMAGE, VARNISH_IMAGE, credentials(), HOST('staging')),
      );
      const gcloudChains = chains.filter((c) =>
        execs([c]).some((a) => a[0] === 'sh' && a[2]?.includes('gcloud')),
      );
      expect(gcloudChains.length).toBeGreaterThan(0);
      for (const chain of gcloudChains) {
        expect(calls([chain], 'withEnvVariable')).toContainEqual({
          field: 'withEnvVariable',
          args: { name: GCLOUD_CREDENTIALS_VARIABLE, value: '/run/secrets/gcp-credentials.json' },
        });
        expect(calls([chain], 'withMountedSecret').map((c) => c.args.path)).toContain(
          '/run/secrets/gcp-credentials.json',
        );
      }
      expect(execs(chains).filter((a) => a[0] === 'gcloud' && a[1] === 'auth' && a[2] === 'login')).toEqual(
        [],
      );
    });

    it('builds its kubeconfig for the DNS endpoint Terraform opens, without a CA (a replay with a stub gcloud)', async () => {
      const { chains } = await run((m) =>
        m.deploy(Environment.staging, API_IMAGE, VARNISH_IMAGE, credentials(), HOST('staging')),
      );
      const chain = chains.find((c) =>
        execs([c]).some((a) => a[0] === 'sh' && a[2]?.includes('clusters describe')),
      );
      if (!chain) throw new Error('no kubeconfig exec');
      const script = execs([chain]).find((a) => a[0] === 'sh')?.[2] as string;
      expect(script).toBe(KUBECONFIG_SCRIPT);
      // Terraform: the IP endpoint admits no network, the DNS endpoint admits external traffic, and its output
      // reads the same field gcloud is asked for (snake_case path → camelCase).
      const gke = readFileSync(join(repoRoot, 'terraform/modules/gke/main.tf'), 'utf8');
      expect(gke).toMatch(/dns_endpoint_config\s*\{\s*allow_external_traffic\s*=\s*true/);
      expect(gke).toMatch(/gcp_public_cidrs_access_enabled\s*=\s*false/);
      const outputs = readFileSync(join(repoRoot, 'terraform/modules/gke/outputs.tf'), 'utf8');
      const path =
        /value\s*=\s*google_container_cluster\.this\.(control_plane_endpoints_config\S*dns_endpoint_config\S*)/.exec(
          outputs,
        )?.[1] ?? '';
      const camel = path.replace(/\[0\]/g, '').replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
      expect(DNS_ENDPOINT_FORMAT).toBe(`value(${camel})`);
      // Run the script as the container would, with a gcloud that answers only the DNS-endpoint question.
      const dir = mkdtempSync(join(tmpdir(), 'kubeconfig-'));
      mkdirSync(join(dir, 'bin'));
      writeFileSync(
        join(dir, 'bin/gcloud'),
        [
          '#!/bin/sh',
          'case "$*" in',
          `  "container clusters describe maps-api-staging --location us-central1 --project maps-api-staging --format=${DNS_ENDPOINT_FORMAT}") echo gke-0123abc-456.us-central1.gke.goog ;;`,
          '  "auth print-access-token") echo short-lived-token ;;',
          '  *) echo "unexpected gcloud $*" >&2; exit 1 ;;',
          'esac',
          '',
        ].join('\n'),
      );
      chmodSync(join(dir, 'bin/gcloud'), 0o755);
      const env = Object.fromEntries(
        calls([chain], 'withEnvVariable').map((c) => [String(c.args.name), String(c.args.value)]),
      );
      const result = spawnSync('sh', ['-c', script], {
        encoding: 'utf8',
        env: { ...env, PATH: `${join(dir, 'bin')}:/usr/bin:/bin`, KUBECONFIG_OUT: join(dir, 'kubeconfig') },
      });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      const config = JSON.parse(readFileSync(join(dir, 'kubeconfig'), 'utf8')) as {
        clusters: { cluster: Record<string, string> }[];
        contexts: { context: { namespace: string } }[];
      };
      expect(config.clusters[0]?.cluster).toEqual({ server: 'https://gke-0123abc-456.us-central1.gke.goog' });
      expect(config.contexts[0]?.context.namespace).toBe('maps-api');
    });
  });

  it('an environment missing from environments.json is refused', async () => {
    await expect(run((m) => m.render('qa' as Environment))).rejects.toThrow(/unknown environment "qa"/);
  });

  it('smoke goes through the environment host with the replica tileset, and reads only a table the environment serves', async () => {
    for (const env of [Environment.dev, Environment.staging, Environment.production]) {
      engine.reset();
      const { chains } = await run((m) => m.smoke(env, HOST(env)));
      const smoke = execs(chains).find((a) => a.includes('smoke/main.ts')) ?? [];
      expect(smoke).toEqual(
        expect.arrayContaining([`https://${HOST(env)}`, `maps-api-${env}.maps_replica.osm_buildings`]),
      );
      // The smoke CLI reads retail_stores unless told otherwise: the module always says which table, if any.
      const table = smoke[smoke.indexOf('--table') + 1];
      expect(smoke, env).toContain('--table');
      const values = load(readFileSync(join(repoRoot, `charts/maps-api/values-${env}.yaml`), 'utf8')) as {
        api?: { config?: { servedTables?: { id: string }[] } };
      };
      const served = (values.api?.config?.servedTables ?? []).map((t) => t.id);
      if (table) expect(served, `${env} serves ${table}`).toContain(table);
    }
  });

  it('replicate-table plans the ban of the Varnish Service in the environment namespace on a dry run, without cluster access', async () => {
    const { chains } = await run((m) =>
      m.replicateTable(Environment.staging, credentials(), 'overwrite', true),
    );
    const replicate = execs(chains).find((a) => a.includes('replicate')) ?? [];
    expect(replicate).toEqual([
      'npm',
      'run',
      'replicate',
      '-w',
      'replica',
      '--',
      '--dest-project',
      'maps-api-staging',
      '--mode',
      'overwrite',
      '--report-freshness',
      '--dry-run',
      '--ban-service',
      'maps-api/maps-api-varnish',
    ]);
    expect(execs(chains).some((a) => a.join(' ').includes('clusters describe'))).toBe(false);
    expectSecretsOnlyAsSecretIds(chains);
  });

  it("replicate-table's real run bans through the cluster's kubeconfig (the replica identity's port-forward)", async () => {
    const { chains } = await run((m) => m.replicateTable(Environment.dev, credentials()));
    const chain = chains.find((c) => execs([c]).some((a) => a.includes('replicate')));
    if (!chain) throw new Error('no replicate exec');
    // No mode given: none passed, so the replica tool's DEFAULT_MODE is the one default (replica/src/options.ts).
    expect(execs([chain]).find((a) => a.includes('replicate'))).not.toContain('--mode');
    expect(
      execs([chain])
        .find((a) => a.includes('replicate'))
        ?.slice(-2),
    ).toEqual(['--ban-service', 'maps-api/maps-api-varnish']);
    expect(calls([chain], 'withMountedSecret').map((c) => c.args.path)).toContain('/run/secrets/kubeconfig');
    expect(calls([chain], 'withEnvVariable')).toContainEqual({
      field: 'withEnvVariable',
      args: { name: 'KUBECONFIG', value: '/run/secrets/kubeconfig' },
    });
    expect(
      execs(chains).some(
        (a) => a.join(' ').includes('KUBECONFIG_OUT') || a.join(' ').includes('clusters describe'),
      ),
    ).toBe(true);
    expectSecretsOnlyAsSecretIds(chains);
  });

  it('replicate-table without --invalidate or with --verify-only passes no ban', async () => {
    for (const call of [
      (m: MapsApi) => m.replicateTable(Environment.dev, credentials(), 'versioned', false, false, false),
      (m: MapsApi) => m.replicateTable(Environment.dev, credentials(), 'versioned', false, true),
    ]) {
      const { chains } = await run(call);
      const replicate = execs(chains).find((a) => a.includes('replicate')) ?? [];
      expect(replicate).not.toContain('--ban-service');
      expect(calls(chains, 'withMountedSecret').map((c) => c.args.path)).not.toContain(
        '/run/secrets/kubeconfig',
      );
    }
  });

  it('replicate-table counts "already up to date" (exit 3) as success and fails on any other non-zero exit', async () => {
    engine.exitCodeFor = () => 3;
    await expect(run((m) => m.replicateTable(Environment.dev, credentials()))).resolves.toBeDefined();
    engine.exitCodeFor = () => 4; // verification failed
    await expect(run((m) => m.replicateTable(Environment.dev, credentials()))).rejects.toThrow(/exited 4/);
  });
});
