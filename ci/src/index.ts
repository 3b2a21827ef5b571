/**
 * maps-api pipeline: every build, test, scan, publish and deploy step, one function per verb.
 * GitHub Actions and people run the same `dagger call <function>`; see docs/ci-cd.md.
 */
import {
  argument,
  dag,
  func,
  object,
  type Container,
  type Directory,
  type Platform,
  type Secret,
  type Service,
  ReturnType,
} from '@dagger.io/dagger';
import { environment, parseDigestReference, readEnvironments, registryImage } from './environments.js';
import { pinned } from './images.js';
import {
  accessToken,
  ciTools,
  gcloud,
  helm,
  kubeconfig,
  SERVICE_SUITES,
  testRunner,
  withGoogleCredentials,
  workspace,
} from './toolbox.js';

const RELEASE = 'maps-api';
const PLATFORMS = ['linux/amd64', 'linux/arm64'] as const;
/** What the emulator image is seeded with (emulator/src/sample-data.ts): the `test` stack's smoke asks for it. */
const SAMPLE = {
  tileset: 'carto-demo-data.demo_tilesets.osm_buildings',
  tile: '0/0/0',
  table: 'carto-demo-data.demo_tables.retail_stores',
  geomField: 'geom',
};

function refuseUnconfirmedProduction(env: string, confirmProduction: boolean): void {
  if (env === 'production' && !confirmProduction) {
    throw new Error('refusing to change production without --confirm-production');
  }
}

@object()
export class MapsApi {
  /** eslint + prettier over the repo, and actionlint over the GitHub workflows. */
  @func()
  async lint(
    @argument({ defaultPath: '/', ignore: ['**/node_modules', '**/.terraform', '.git', '.devbox'] })
    source: Directory,
  ): Promise<string> {
    const code = await workspace(source).withExec(['npm', 'run', 'lint']).stdout();
    const workflows = await dag
      .container()
      .from(pinned('actionlint'))
      .withDirectory('/repo/.github', source.directory('.github'))
      .withWorkdir('/repo')
      .withExec(['actionlint', '-color'])
      .stdout();
    return `${code}\n${workflows}`;
  }

  /**
   * What `.ci/run` tests for the service code, the same everywhere: typecheck and the suites that need only Node,
   * Python and Varnish in the test runner; beside it, compose's topology as Dagger services (the emulator, the API and
   * Varnish from the repo's own Dockerfiles, the chart's VCL) and the full smoke test through Varnish.
   */
  @func()
  async test(
    @argument({ defaultPath: '/', ignore: ['**/node_modules', '**/.terraform', '.git', '.devbox'] })
    source: Directory,
  ): Promise<string> {
    const [suites, smoke] = await Promise.all([
      testRunner(source)
        .withExec(['npm', 'run', 'typecheck'])
        .withExec(['npx', 'vitest', 'run', ...SERVICE_SUITES])
        .stdout(),
      ciTools(source)
        .withServiceBinding('varnish', this.varnishInFrontOfApi(source))
        .withExec([
          'node',
          '--experimental-strip-types',
          'smoke/main.ts',
          '--url',
          'http://varnish:8080',
          '--tileset',
          SAMPLE.tileset,
          '--tile',
          SAMPLE.tile,
          '--table',
          SAMPLE.table,
          '--geom-field',
          SAMPLE.geomField,
        ])
        .stdout(),
    ]);
    return `${suites}\n${smoke}`;
  }

  /** The API image from api/Dockerfile, one container per platform (linux/amd64 and linux/arm64). */
  @func()
  build(
    @argument({ defaultPath: '/', ignore: ['**/node_modules', '**/.terraform', '.git', '.devbox'] })
    source: Directory,
  ): Container[] {
    return PLATFORMS.map((platform) => this.apiImage(source, platform));
  }

  /** Trivy over the API image and over the chart, Terraform and Dockerfile: fails on HIGH or CRITICAL findings. */
  @func()
  async scan(
    @argument({ defaultPath: '/', ignore: ['**/node_modules', '**/.terraform', '.git', '.devbox'] })
    source: Directory,
  ): Promise<string> {
    const trivy = dag
      .container()
      .from(pinned('trivy'))
      .withMountedCache('/root/.cache/trivy', dag.cacheVolume('maps-api-trivy'));
    const image = await trivy
      .withFile('/scan/image.tar', this.apiImage(source, 'linux/amd64').asTarball())
      .withExec([
        'trivy',
        'image',
        '--input',
        '/scan/image.tar',
        '--severity',
        'HIGH,CRITICAL',
        '--exit-code',
        '1',
      ])
      .stdout();
    const config = await trivy
      .withDirectory('/scan/charts', source.directory('charts'))
      .withDirectory('/scan/terraform', source.directory('terraform'))
      .withFile('/scan/api/Dockerfile', source.file('api/Dockerfile'))
      .withExec(['trivy', 'config', '--severity', 'HIGH,CRITICAL', '--exit-code', '1', '/scan'])
      .stdout();
    return `${image}\n${config}`;
  }

  /** Pushes the multi-platform API image to Artifact Registry and returns its digest reference (repo@sha256:…). */
  @func()
  async publish(
    @argument({ defaultPath: '/', ignore: ['**/node_modules', '**/.terraform', '.git', '.devbox'] })
    source: Directory,
    gcpCredentials: Secret,
    tag: string = 'latest',
  ): Promise<string> {
    const { registry } = await readEnvironments(source);
    const repository = registryImage(registry, 'maps-api');
    const token = await accessToken(gcpCredentials, registry.gcpProject, new Date().toISOString());
    const [first, ...rest] = PLATFORMS.map((platform) => this.apiImage(source, platform));
    const pushed = await (first as Container)
      .withRegistryAuth(`${registry.location}-docker.pkg.dev`, 'oauth2accesstoken', token)
      .publish(`${repository}:${tag}`, { platformVariants: rest });
    const digest = pushed.slice(pushed.indexOf('@') + 1);
    return `${repository}@${parseDigestReference(`${repository}@${digest}`).digest}`;
  }

  /** `helm template` of the chart for one environment (values-<env>.yaml), optionally with an image digest. */
  @func()
  async render(
    @argument({ defaultPath: '/', ignore: ['**/node_modules', '**/.terraform', '.git', '.devbox'] })
    source: Directory,
    env: string,
    image: string = '',
  ): Promise<string> {
    const target = await environment(source, env);
    return helm(source)
      .withExec(['helm', 'template', RELEASE, '.', ...this.helmValues(env, target.namespace, image)])
      .stdout();
  }

  /** `terraform plan` of terraform/envs/<env> with the pipeline's Workload Identity credentials. */
  @func()
  async plan(
    @argument({ defaultPath: '/', ignore: ['**/node_modules', '**/.terraform', '.git', '.devbox'] })
    source: Directory,
    env: string,
    gcpCredentials: Secret,
  ): Promise<string> {
    await environment(source, env);
    return this.terraform(source, env, gcpCredentials)
      .withExec(['terraform', 'plan', '-input=false', '-lock-timeout=5m', '-no-color'])
      .stdout();
  }

  /** `terraform apply` for one environment (run after the plan was reviewed). Never cached; production needs --confirm-production. */
  @func({ cache: 'never' })
  async apply(
    @argument({ defaultPath: '/', ignore: ['**/node_modules', '**/.terraform', '.git', '.devbox'] })
    source: Directory,
    env: string,
    gcpCredentials: Secret,
    confirmProduction: boolean = false,
  ): Promise<string> {
    refuseUnconfirmedProduction(env, confirmProduction);
    await environment(source, env);
    return this.terraform(source, env, gcpCredentials)
      .withEnvVariable('APPLY_RUN_ID', new Date().toISOString())
      .withExec(['terraform', 'apply', '-input=false', '-lock-timeout=5m', '-no-color', '-auto-approve'])
      .stdout();
  }

  /** The digest reference of the API image published under a tag (the release promotes exactly that digest). */
  @func({ cache: 'never' })
  async resolveImage(
    @argument({ defaultPath: '/', ignore: ['**/node_modules', '**/.terraform', '.git', '.devbox'] })
    source: Directory,
    tag: string,
    gcpCredentials: Secret,
  ): Promise<string> {
    const { registry } = await readEnvironments(source);
    const repository = registryImage(registry, 'maps-api');
    const digest = await gcloud(gcpCredentials, registry.gcpProject)
      .withEnvVariable('RESOLVE_RUN_ID', new Date().toISOString())
      .withExec([
        'gcloud',
        'artifacts',
        'docker',
        'images',
        'describe',
        `${repository}:${tag}`,
        '--format=value(image_summary.digest)',
      ])
      .stdout();
    return `${repository}@${parseDigestReference(`${repository}@${digest.trim()}`).digest}`;
  }

  /**
   * Deploys an image digest: helm upgrade --install --atomic --wait, then the rollout verifier and the smoke test;
   * rolls back to the previous release if either fails. Never cached. Production needs --confirm-production.
   */
  @func({ cache: 'never' })
  async deploy(
    @argument({ defaultPath: '/', ignore: ['**/node_modules', '**/.terraform', '.git', '.devbox'] })
    source: Directory,
    env: string,
    image: string,
    gcpCredentials: Secret,
    confirmProduction: boolean = false,
  ): Promise<string> {
    refuseUnconfirmedProduction(env, confirmProduction);
    parseDigestReference(image);
    const target = await environment(source, env);
    const runId = new Date().toISOString();
    const config = await kubeconfig(target, gcpCredentials, runId);
    const withCluster = (container: Container) =>
      container
        .withMountedSecret('/run/secrets/kubeconfig', config)
        .withEnvVariable('KUBECONFIG', '/run/secrets/kubeconfig')
        .withEnvVariable('DEPLOY_RUN_ID', runId);
    const helmOut = await withCluster(helm(source))
      .withExec([
        'helm',
        'upgrade',
        '--install',
        RELEASE,
        '.',
        ...this.helmValues(env, target.namespace, image),
        '--atomic',
        '--wait',
        '--timeout',
        '10m',
        '--history-max',
        '20',
      ])
      .stdout();
    try {
      const rollout = await withCluster(ciTools(source))
        .withExec([
          'node',
          '--experimental-strip-types',
          'rollout/main.ts',
          '--namespace',
          target.namespace,
          '--release',
          RELEASE,
        ])
        .stdout();
      const smoke = await this.smoke(source, env);
      return `${helmOut}\n${rollout}\n${smoke}`;
    } catch (error) {
      await withCluster(helm(source))
        .withExec([
          'helm',
          'rollback',
          RELEASE,
          '0',
          '--namespace',
          target.namespace,
          '--wait',
          '--timeout',
          '10m',
        ])
        .stdout();
      throw new Error(`deploy to ${env} failed and was rolled back: ${String(error)}`, { cause: error });
    }
  }

  /** Through Varnish at the environment's host: health, a tile miss then hit, and a table as GeoJSON. */
  @func({ cache: 'never' })
  async smoke(
    @argument({ defaultPath: '/', ignore: ['**/node_modules', '**/.terraform', '.git', '.devbox'] })
    source: Directory,
    env: string,
  ): Promise<string> {
    const target = await environment(source, env);
    const { replica } = await readEnvironments(source);
    const tileset = `${target.gcpProject}.${replica.dataset}.${replica.table}`;
    return ciTools(source)
      .withEnvVariable('SMOKE_RUN_ID', new Date().toISOString())
      .withExec([
        'node',
        '--experimental-strip-types',
        'smoke/main.ts',
        '--url',
        `https://${target.host}`,
        '--tileset',
        tileset,
      ])
      .stdout();
  }

  /** Copies the public osm_buildings tileset into the replica dataset (the replica/ tool). */
  @func({ cache: 'never' })
  async replicateTable(
    @argument({ defaultPath: '/', ignore: ['**/node_modules', '**/.terraform', '.git', '.devbox'] })
    source: Directory,
    env: string,
    gcpCredentials: Secret,
    mode: string = 'versioned',
    dryRun: boolean = false,
    verifyOnly: boolean = false,
    banUrl: string = '',
  ): Promise<string> {
    const target = await environment(source, env);
    const args = ['--dest-project', target.gcpProject, '--mode', mode, '--report-freshness'];
    if (dryRun) args.push('--dry-run');
    if (verifyOnly) args.push('--verify-only');
    if (banUrl) args.push('--ban-url', banUrl);
    const run = withGoogleCredentials(workspace(source), gcpCredentials)
      .withEnvVariable('REPLICA_RUN_ID', new Date().toISOString())
      .withExec(['npm', 'run', 'replicate', '-w', 'replica', '--', ...args], { expect: ReturnType.Any });
    // The tool's exit codes (replica/README.md): 0 copied, 3 already up to date — both success; anything else fails.
    const code = await run.exitCode();
    if (code !== 0 && code !== 3) throw new Error(`replica tool exited ${code}:\n${await run.stderr()}`);
    return run.stdout();
  }

  private terraform(source: Directory, env: string, gcpCredentials: Secret): Container {
    return withGoogleCredentials(dag.container().from(pinned('terraform')), gcpCredentials)
      .withMountedCache('/root/.terraform.d/plugin-cache', dag.cacheVolume('maps-api-terraform-plugins'))
      .withEnvVariable('TF_PLUGIN_CACHE_DIR', '/root/.terraform.d/plugin-cache')
      .withEnvVariable('TF_IN_AUTOMATION', '1')
      .withDirectory('/terraform', source.directory('terraform'))
      .withWorkdir(`/terraform/envs/${env}`)
      .withExec(['terraform', 'init', '-input=false', '-lockfile=readonly']);
  }

  /**
   * Emulator (seeded at image build) → API → Varnish, as Dagger services built from the Dockerfiles compose and
   * production use. Varnish gets the chart's rendered VCL and reaches the API under the chart's Service name.
   */
  private varnishInFrontOfApi(source: Directory): Service {
    const emulator = source
      .dockerBuild({ dockerfile: 'images/emulator/Dockerfile' })
      .withExposedPort(9050)
      .asService();
    const api = source
      .dockerBuild({ dockerfile: 'api/Dockerfile' })
      // The Node client uses this variable as its REST base URL (emulator/README.md).
      .withEnvVariable('BIGQUERY_EMULATOR_HOST', 'http://bigquery:9050/bigquery/v2')
      .withServiceBinding('bigquery', emulator)
      .withExposedPort(3000)
      .asService({ useEntrypoint: true });
    const vcl = this.chartVcl(source);
    // The image's own command (the chart's varnishd arguments): site VCL in site/, the included files on vcl_path.
    return source
      .dockerBuild({ dockerfile: 'images/varnish/Dockerfile' })
      .withDirectory('/etc/varnish/maps-api', vcl)
      .withFile('/etc/varnish/site/site.vcl', vcl.file('site.vcl'))
      .withServiceBinding(`${RELEASE}-api`, api)
      .withExposedPort(8080)
      .asService();
  }

  /** The files of the chart's Varnish ConfigMap (dev values): exactly the VCL set the cluster runs. */
  private chartVcl(source: Directory): Directory {
    const configMap = helm(source)
      .withExec([
        'sh',
        '-c',
        'helm template maps-api . --namespace maps-api --values values-dev.yaml --show-only templates/varnish-configmap.yaml > /tmp/cm.yaml',
      ])
      .file('/tmp/cm.yaml');
    return ciTools(source)
      .withFile('/tmp/configmap.yaml', configMap)
      .withExec([
        'node',
        '--experimental-strip-types',
        'tools/configmap-files.ts',
        '/tmp/configmap.yaml',
        '/out/vcl',
      ])
      .directory('/out/vcl');
  }

  private apiImage(source: Directory, platform: (typeof PLATFORMS)[number]): Container {
    return source.dockerBuild({ dockerfile: 'api/Dockerfile', platform: platform as Platform });
  }

  private helmValues(env: string, namespace: string, image: string): string[] {
    const values = ['--namespace', namespace, '--values', `values-${env}.yaml`];
    if (!image) return values;
    const { repository, digest } = parseDigestReference(image);
    return [
      ...values,
      '--set',
      `images.api.repository=${repository}`,
      '--set',
      `images.api.digest=${digest}`,
    ];
  }
}
