/**
 * Fake-engine call-chain tests: every module function runs for real against a loopback GraphQL server that records
 * the engine calls it makes (no Dagger engine can run here; see docs/ci-cd.md).
 */
import { connection, dag, type DirectoryID, type SecretID } from '@dagger.io/dagger';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { IMAGES } from '../src/images.ts';
import { MapsApi } from '../src/index.ts';
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

  it('test starts the emulator, the API and Varnish as services and smokes through Varnish', async () => {
    const { chains } = await run((m, source) => m.test(source));
    const bindings = calls(chains, 'withServiceBinding').map((c) => c.args.alias);
    expect(bindings).toEqual(expect.arrayContaining(['bigquery', 'maps-api-api', 'varnish']));
    expect(calls(chains, 'asService').length).toBeGreaterThanOrEqual(3);
    expect(execs(chains).some((a) => a.includes('smoke/main.ts') && a.includes('http://varnish:8080'))).toBe(
      true,
    );
    expectPinnedImages(chains);
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
