/**
 * Fake-engine call-chain tests: every module function runs for real against a loopback GraphQL server that records
 * the engine calls it makes (no Dagger engine can run here; see docs/ci-cd.md).
 */
import { connection, dag, type DirectoryID, type SecretID } from '@dagger.io/dagger';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { IMAGES } from '../src/images.ts';
import { MapsApi } from '../src/index.ts';
import { SERVICE_SUITES } from '../src/toolbox.ts';
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
const DIGEST_IMAGE = `us-central1-docker.pkg.dev/maps-api-production/maps/maps-api@sha256:${'c'.repeat(64)}`;

beforeAll(async () => useFakeEngine(await engine.start(), engine));
afterAll(() => engine.stop());
beforeEach(() => engine.reset());

/** Runs one module call inside an SDK connection (like the engine's entrypoint does) and returns its chains. */
async function run<T>(
  call: (mod: MapsApi, source: ReturnType<typeof dag.loadDirectoryFromID>) => Promise<T>,
) {
  let result: T | undefined;
  await connection(async () => {
    const source = dag.loadDirectoryFromID(REPO_ROOT_ID as DirectoryID);
    result = await call(new MapsApi(), source);
  });
  return { result, chains: engine.chains.map((c) => engine.expanded(c)) };
}

const credentials = () => dag.loadSecretFromID(CREDENTIALS_ID as SecretID);

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
  for (const address of froms) {
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

describe('module functions as the engine sees them', () => {
  it('lint runs npm run lint and actionlint from pinned images', async () => {
    const { chains } = await run((m, source) => m.lint(source));
    expect(execs(chains)).toContainEqual(['npm', 'run', 'lint']);
    expect(execs(chains)).toContainEqual(['actionlint', '-color']);
    expectPinnedImages(chains);
  });

  describe('test', () => {
    let chains: Chain[];
    beforeEach(async () => {
      ({ chains } = await run((m, source) => m.test(source)));
    });

    /** The chain that built the service bound under `alias`, expanded back to its root. */
    function service(alias: string): Chain {
      const binding = calls(chains, 'withServiceBinding').find((c) => c.args.alias === alias);
      const origin = engine.origins.get(String(binding?.args.service));
      if (!origin) throw new Error(`no service bound as ${alias}`);
      return engine.expanded(origin);
    }
    const dockerfileOf = (chain: Chain) => chain.find((c) => c.field === 'dockerBuild')?.args.dockerfile;
    const envOf = (chain: Chain, name: string) =>
      chain.find((c) => c.field === 'withEnvVariable' && c.args.name === name)?.args.value;

    it('runs the service suites in a runner built from pinned bookworm images, after installing the emulator', () => {
      const runner = chains.find((chain) =>
        chain.some((c) => c.field === 'withExec' && String(c.args.args).startsWith('npx,vitest')),
      );
      expect(runner, 'no chain runs vitest').toBeDefined();
      const runnerExecs = execs([runner!]);
      const from = calls([runner!], 'from').map((c) => c.args.address);
      expect(from[0]).toBe(`${IMAGES.python.tag}@${IMAGES.python.digest}`);
      expect(IMAGES.python.tag).toMatch(/python:3\.1[3-9][.\d]*-slim-bookworm$/);
      expect(IMAGES.node.tag).toMatch(/node:22[.\d]*-bookworm-slim$/);
      // Node comes from the pinned node image (its binary and npm), not from Debian.
      const nodeImage = engine.expanded(
        engine.origins.get(String(calls([runner!], 'withFile')[0]?.args.source)) ?? [],
      );
      expect(calls([nodeImage], 'from')[0]?.args.address).toBe(`${IMAGES.node.tag}@${IMAGES.node.digest}`);
      expect(calls([nodeImage], 'file')[0]?.args.path).toBe('/usr/local/bin/node');
      const order = (match: (args: string[]) => boolean) => runnerExecs.findIndex(match);
      const apt = order((a) =>
        a.join(' ').includes('apt-get install -y --no-install-recommends varnish wrk'),
      );
      const emulator = order((a) => a.join(' ') === 'bash tools/install.sh emulator');
      const npmCi = order((a) => a[0] === 'npm' && a[1] === 'ci');
      const vitest = order((a) => a[0] === 'npx' && a[1] === 'vitest');
      expect(
        [apt, emulator, npmCi, order((a) => a.join(' ') === 'npm run typecheck')].every((i) => i >= 0),
      ).toBe(true);
      expect(apt).toBeLessThan(emulator);
      expect(emulator).toBeLessThan(npmCi);
      expect(npmCi).toBeLessThan(vitest);
      expect(runnerExecs[vitest]).toEqual(['npx', 'vitest', 'run', ...SERVICE_SUITES]);
      expect(envOf(runner!, 'MAPS_TOOLS_DIR')).toBeTruthy();
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

  it('build returns one image per platform from api/Dockerfile', async () => {
    const { chains } = await run(async (m, source) => Promise.all(m.build(source).map((c) => c.id())));
    const builds = calls(chains, 'dockerBuild').map((c) => [c.args.dockerfile, c.args.platform]);
    expect(builds).toEqual([
      ['api/Dockerfile', 'linux/amd64'],
      ['api/Dockerfile', 'linux/arm64'],
    ]);
  });

  it('scan fails the build on HIGH and CRITICAL findings in the image and the config', async () => {
    const { chains } = await run((m, source) => m.scan(source));
    const trivy = execs(chains).filter((a) => a[0] === 'trivy');
    expect(trivy.map((a) => a[1])).toEqual(['image', 'config']);
    for (const args of trivy) expect(args.join(' ')).toContain('--severity HIGH,CRITICAL --exit-code 1');
    expectPinnedImages(chains);
  });

  it('publish pushes both platforms with a registry token Secret and returns a digest reference', async () => {
    const { result, chains } = await run((m, source) => m.publish(source, credentials(), 'v1.2.3'));
    expect(result).toBe(
      `us-central1-docker.pkg.dev/maps-api-production/maps/maps-api@sha256:${'ab'.repeat(32)}`,
    );
    const publish = calls(chains, 'publish')[0];
    expect(publish?.args.address).toBe('us-central1-docker.pkg.dev/maps-api-production/maps/maps-api:v1.2.3');
    expect(publish?.args.platformVariants).toHaveLength(1);
    expect(calls(chains, 'withRegistryAuth')[0]?.args.username).toBe('oauth2accesstoken');
    expectSecretsOnlyAsSecretIds(chains);
    expectPinnedImages(chains);
  });

  it('render templates the chart with the environment values file and the digest', async () => {
    const { chains } = await run((m, source) => m.render(source, 'staging', DIGEST_IMAGE));
    const helm = execs(chains).find((a) => a[0] === 'helm') ?? [];
    expect(helm.join(' ')).toContain('template maps-api . --namespace maps-api --values values-staging.yaml');
    expect(helm).toContain(`images.api.digest=sha256:${'c'.repeat(64)}`);
  });

  it('plan runs terraform plan in the environment root with credentials mounted as a Secret', async () => {
    const { chains } = await run((m, source) => m.plan(source, 'dev', credentials()));
    expect(calls(chains, 'withWorkdir').map((c) => c.args.path)).toContain('/terraform/envs/dev');
    expect(execs(chains).map((a) => a.slice(0, 2).join(' '))).toEqual(['terraform init', 'terraform plan']);
    expectSecretsOnlyAsSecretIds(chains);
    expectPinnedImages(chains);
  });

  it('apply runs terraform apply and refuses production without --confirm-production', async () => {
    const { chains } = await run((m, source) => m.apply(source, 'staging', credentials(), false));
    expect(execs(chains).map((a) => a.slice(0, 2).join(' '))).toEqual(['terraform init', 'terraform apply']);
    expectSecretsOnlyAsSecretIds(chains);
    engine.reset();
    await expect(run((m, source) => m.apply(source, 'production', credentials()))).rejects.toThrow(
      /confirm-production/,
    );
    expect(engine.chains).toHaveLength(0);
  });

  it('resolve-image turns the commit tag into the digest reference published for it', async () => {
    engine.stdoutFor = (args) => (args.includes('describe') ? `sha256:${'d'.repeat(64)}\n` : undefined);
    const { result, chains } = await run((m, source) => m.resolveImage(source, 'abc123', credentials()));
    const describeExec = execs(chains).find((a) => a.includes('describe')) ?? [];
    expect(describeExec).toContain('us-central1-docker.pkg.dev/maps-api-production/maps/maps-api:abc123');
    expect(result).toBe(
      `us-central1-docker.pkg.dev/maps-api-production/maps/maps-api@sha256:${'d'.repeat(64)}`,
    );
    expectSecretsOnlyAsSecretIds(chains);
    expectPinnedImages(chains);

    engine.reset();
    engine.stdoutFor = () => 'ERROR: not found';
    await expect(run((m, source) => m.resolveImage(source, 'nope', credentials()))).rejects.toThrow(
      /not a digest/,
    );
  });

  it('deploy installs the digest atomically, verifies the rollout and smokes', async () => {
    const { chains } = await run((m, source) =>
      m.deploy(source, 'staging', DIGEST_IMAGE, credentials(), false),
    );
    const helm = execs(chains).find((a) => a[0] === 'helm' && a[1] === 'upgrade') ?? [];
    expect(helm).toEqual(
      expect.arrayContaining(['--install', '--atomic', '--wait', '--values', 'values-staging.yaml']),
    );
    expect(helm).toContain(
      'images.api.repository=us-central1-docker.pkg.dev/maps-api-production/maps/maps-api',
    );
    expect(helm).toContain(`images.api.digest=sha256:${'c'.repeat(64)}`);
    expect(execs(chains).some((a) => a.includes('rollout/main.ts'))).toBe(true);
    expect(execs(chains).some((a) => a.includes('https://maps-api.staging.example.com'))).toBe(true);
    expect(execs(chains).some((a) => a[1] === 'rollback')).toBe(false);
    const clusterExec = execs(chains).find((a) => a[0] === 'sh' && a[2]?.includes('clusters describe'));
    expect(clusterExec).toBeDefined();
    expectSecretsOnlyAsSecretIds(chains);
    expectPinnedImages(chains);
  });

  it('deploy refuses a tag reference before touching anything', async () => {
    await expect(
      run((m, source) =>
        m.deploy(source, 'dev', 'us-central1-docker.pkg.dev/p/maps/maps-api:latest', credentials()),
      ),
    ).rejects.toThrow(/not a digest reference/);
    expect(calls(engine.chains, 'withExec')).toHaveLength(0);
  });

  it('production is refused without --confirm-production and no engine call is made', async () => {
    await expect(
      run((m, source) => m.deploy(source, 'production', DIGEST_IMAGE, credentials(), false)),
    ).rejects.toThrow(/confirm-production/);
    expect(engine.chains).toHaveLength(0);
  });

  it('production deploys with --confirm-production', async () => {
    const { chains } = await run((m, source) =>
      m.deploy(source, 'production', DIGEST_IMAGE, credentials(), true),
    );
    const helm = execs(chains).find((a) => a[1] === 'upgrade') ?? [];
    expect(helm).toContain('values-production.yaml');
  });

  it('a failed rollout verification rolls the release back and fails the deploy', async () => {
    engine.failExecContaining = 'rollout/main.ts';
    await expect(
      run((m, source) => m.deploy(source, 'dev', DIGEST_IMAGE, credentials(), false)),
    ).rejects.toThrow(/rolled back/);
    const all = engine.chains.map((c) => engine.expanded(c));
    expect(execs(all).find((a) => a[1] === 'rollback')).toEqual(
      expect.arrayContaining(['helm', 'rollback', 'maps-api', '0', '--namespace', 'maps-api', '--wait']),
    );
  });

  it('an environment missing from environments.json is refused', async () => {
    await expect(run((m, source) => m.render(source, 'qa'))).rejects.toThrow(/unknown environment "qa"/);
  });

  it('smoke goes through the environment host with the replica tileset', async () => {
    const { chains } = await run((m, source) => m.smoke(source, 'dev'));
    const smoke = execs(chains).find((a) => a.includes('smoke/main.ts')) ?? [];
    expect(smoke).toEqual(
      expect.arrayContaining(['https://maps-api.dev.example.com', 'maps-api-dev.maps_replica.osm_buildings']),
    );
  });

  it('replicate-table calls the replica tool with the environment project and flags', async () => {
    const { chains } = await run((m, source) =>
      m.replicateTable(source, 'staging', credentials(), 'overwrite', true, false, 'http://varnish/ban'),
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
      '--ban-url',
      'http://varnish/ban',
    ]);
    expectSecretsOnlyAsSecretIds(chains);
  });

  it('replicate-table counts "already up to date" (exit 3) as success and fails on any other non-zero exit', async () => {
    engine.exitCodeFor = () => 3;
    await expect(run((m, source) => m.replicateTable(source, 'dev', credentials()))).resolves.toBeDefined();
    engine.exitCodeFor = () => 4; // verification failed
    await expect(run((m, source) => m.replicateTable(source, 'dev', credentials()))).rejects.toThrow(
      /exited 4/,
    );
  });
});
