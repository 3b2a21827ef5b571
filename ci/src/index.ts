/**
 * maps-api pipeline: every build, test, scan, publish and deploy step, one function per verb.
 * GitHub Actions and people run the same `dagger call <function>`; see docs/ci-cd.md.
 */
import {
  argument,
  CacheSharingMode,
  dag,
  func,
  object,
  type Container,
  type Directory,
  type File,
  type Secret,
  type Service,
  ReturnType,
} from '@dagger.io/dagger';
import { buildVariants, OUR_IMAGES, scanConfig, scanVariants } from './artifacts.js';
import {
  Environment,
  environment,
  parseDigestReference,
  readEnvironments,
  registryHost,
  registryImage,
  requireHost,
  requireOncallEmail,
  requireProjectImage,
} from './environments.js';
import { smokeTableOf } from '../smoke/tables.js';
import { initialised, terraformRoot } from './terraform.js';
import {
  accessToken,
  buildToolbox,
  ciTools,
  deployer,
  gcloud,
  helm,
  kubeconfig,
  toolbox,
  toolboxBuild,
  withGoogleCredentials,
  workspace,
} from './toolbox.js';

const RELEASE = 'maps-api';

/**
 * Left out of the source every function sees: installed dependencies, Terraform's working dirs, Git and Devbox
 * state, and the credentials file google-github-actions/auth writes into the workspace (a secret, and new on every
 * run, so it would also bust every cache).
 */
const IGNORE = ['**/node_modules', '**/.terraform', '.git', '.devbox', '**/gha-creds-*.json'];

/** What the emulator image is seeded with (emulator/src/sample-data.ts): the `test` stack's smoke asks for it. */
const SAMPLE = {
  tileset: 'carto-demo-data.demo_tilesets.osm_buildings',
  tile: '0/0/0',
  table: 'carto-demo-data.demo_tables.retail_stores',
  geomField: 'geom',
};

function refuseUnconfirmedProduction(env: Environment, confirmProduction: boolean): void {
  if (env === Environment.production && !confirmProduction) {
    throw new Error('refusing to change production without --confirm-production');
  }
}

/** Makes a call distinct for functions that must reach the outside world on every run. */
const runId = () => new Date().toISOString();

@object()
export class MapsApi {
  /** The repository, as the constructor received it (minus IGNORE). */
  source: Directory;

  constructor(
    /** The repository root (default: the checkout this module lives in). */
    @argument({ defaultPath: '/', ignore: IGNORE })
    source: Directory,
  ) {
    this.source = source;
  }

  /** eslint + prettier over the repo, and actionlint over every GitHub workflow file, in the toolbox. */
  @func()
  async lint(): Promise<string> {
    const box = await toolbox(this.source);
    const code = await box
      .withMountedCache('/root/.npm', dag.cacheVolume('maps-api-npm'))
      .withDirectory('/repo', this.source)
      .withWorkdir('/repo')
      .withExec(['npm', 'ci', '--no-audit', '--no-fund'])
      .withExec(['npm', 'run', 'lint'])
      .stdout();
    // Named explicitly: given no files, actionlint looks for the repository's .git, which the source leaves out.
    const files = (await this.source.directory('.github/workflows').entries())
      .filter((name) => /\.ya?ml$/.test(name))
      .map((name) => `.github/workflows/${name}`);
    const workflows = await box
      .withDirectory('/lint/.github', this.source.directory('.github'))
      .withWorkdir('/lint')
      .withExec(['actionlint', '-color', ...files])
      .stdout();
    return `${code}\n${workflows}`;
  }

  /**
   * What a developer's `./dev test` runs (lint, typecheck and every suite: chart, Terraform, workflows, monitoring, API,
   * cache, replica, images, browser, the module's own), in the toolbox, so every install check finds its tool there and
   * nothing is compiled; privileged for the Docker engine, containerd and network-namespace suites, the engine's data
   * on a cache volume. Never a cluster: the rehearsal is a job of its own. Beside it, compose's topology as Dagger
   * services (the emulator, the API and Varnish from the repo's Dockerfiles, the chart's VCL) and the full smoke.
   */
  @func()
  async test(): Promise<string> {
    const box = await toolbox(this.source);
    const varnish = await this.varnishInFrontOfApi();
    const [suites, smoke] = await Promise.all([
      box
        .withMountedCache('/root/.npm', dag.cacheVolume('maps-api-npm'))
        .withMountedCache('/var/lib/docker', dag.cacheVolume('maps-api-docker'), {
          sharing: CacheSharingMode.Locked,
        })
        .withDirectory('/repo', this.source)
        .withWorkdir('/repo')
        .withExec(['git', 'init', '--quiet'])
        .withExec(['./dev', 'test'], { insecureRootCapabilities: true })
        .stdout(),
      ciTools(this.source)
        .withServiceBinding('varnish', varnish)
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

  /**
   * Publishes the toolbox image (tools/toolbox: every tool, prebuilt) as environments.json's toolbox.image:<tag> when
   * that tag is missing there, and prints the reference. main's `toolbox` job runs it: the one job that may write
   * packages. Never cached: the registry, not the engine, knows whether the tag exists.
   */
  @func({ cache: 'never' })
  async publishToolbox(
    /** The repository's owner (github.repository_owner): the image must live under ghcr.io/<owner>/. */
    owner: string,
    /** Registry user (github.actor). */
    username: string,
    /** A token that may push packages (the job's GITHUB_TOKEN with packages: write). */
    token: Secret,
  ): Promise<string> {
    const { image, context } = await toolboxBuild(this.source);
    const namespace = `ghcr.io/${owner.toLowerCase()}/`;
    if (!image.startsWith(namespace)) {
      throw new Error(
        `environments.json toolbox.image must be under ${namespace} (GITHUB_TOKEN pushes nowhere else)`,
      );
    }
    const host = image.slice(0, image.indexOf('/'));
    try {
      await dag.container().withRegistryAuth(host, username, token).from(image).sync();
      return `${image} is already published`;
    } catch {
      console.error(`${image} is not published yet: building it (tools/toolbox/Dockerfile)`);
    }
    return buildToolbox(context).withRegistryAuth(host, username, token).publish(image);
  }

  /** Both images (API, then Varnish), each for linux/amd64 and linux/arm64, from the repo's Dockerfiles. */
  @func()
  build(): Container[] {
    return OUR_IMAGES.flatMap((image) => buildVariants(this.source, image));
  }

  /**
   * Trivy over every platform variant of both images (the builds `publish` pushes) and over the chart, Terraform
   * and Dockerfiles: fails on HIGH or CRITICAL findings. Never cached: the vulnerability database changes daily.
   */
  @func({ cache: 'never' })
  async scan(): Promise<string> {
    const images = await Promise.all(
      OUR_IMAGES.map((image) => scanVariants(this.source, image, buildVariants(this.source, image))),
    );
    return [...images, await scanConfig(this.source)].join('\n');
  }

  /**
   * Builds both images, scans exactly those containers, then pushes them (multi-platform) to the project registry
   * under an immutable tag. Prints one `<image>=<repo>@sha256:…` line per image (api-image, varnish-image), ready
   * for $GITHUB_OUTPUT. Never cached: a cached answer would be a digest that was never pushed.
   */
  @func({ cache: 'never' })
  async publish(
    /** gcloud credentials allowed to push to the registry (Workload Identity file in CI). */
    gcpCredentials: Secret,
    /** Tag for this push, e.g. the commit SHA; tags are immutable in the registry, so never `latest`. */
    tag: string,
  ): Promise<string> {
    if (!/^[\w][\w.-]{0,127}$/.test(tag) || tag === 'latest') {
      throw new Error(`"${tag}" is not an immutable tag: pass e.g. the commit SHA`);
    }
    const { registry } = await readEnvironments(this.source);
    const token = await accessToken(gcpCredentials, registry.gcpProject, runId());
    const lines: string[] = [];
    for (const image of OUR_IMAGES) {
      const [first, ...rest] = buildVariants(this.source, image) as [Container, ...Container[]];
      await scanVariants(this.source, image, [first, ...rest]);
      const repository = registryImage(registry, image.repository);
      const pushed = await first
        .withRegistryAuth(registryHost(registry), 'oauth2accesstoken', token)
        .publish(`${repository}:${tag}`, { platformVariants: rest });
      const { digest } = parseDigestReference(`${repository}@${pushed.slice(pushed.indexOf('@') + 1)}`);
      lines.push(`${image.output}=${repository}@${digest}`);
    }
    return lines.join('\n');
  }

  /**
   * The digest references `publish` pushed under a tag (the commit SHA), one `<image>=<repo>@sha256:…` line per
   * image; with --release-tag, also tags those digests (e.g. v1.4.0) so registry cleanup keeps what production runs.
   */
  @func({ cache: 'never' })
  async resolveImages(
    /** The tag `publish` pushed, e.g. the commit SHA. */
    tag: string,
    /** gcloud credentials allowed to read (and, with --release-tag, tag) the registry. */
    gcpCredentials: Secret,
    /** Also add this tag to the resolved digests (a release, e.g. v1.4.0); empty: read only. */
    releaseTag: string = '',
  ): Promise<string> {
    const { registry } = await readEnvironments(this.source);
    const cli = gcloud(gcpCredentials, registry.gcpProject).withEnvVariable('RESOLVE_RUN_ID', runId());
    const lines: string[] = [];
    for (const image of OUR_IMAGES) {
      const repository = registryImage(registry, image.repository);
      const digest = await cli
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
      const reference = `${repository}@${parseDigestReference(`${repository}@${digest.trim()}`).digest}`;
      if (releaseTag) {
        await cli
          .withExec([
            'gcloud',
            'artifacts',
            'docker',
            'tags',
            'add',
            reference,
            `${repository}:${releaseTag}`,
          ])
          .sync();
      }
      lines.push(`${image.output}=${reference}`);
    }
    return lines.join('\n');
  }

  /** `helm template` of the chart for one environment (values-<env>.yaml), optionally with both image digests. */
  @func()
  async render(
    /** Which environment's values file to render with. */
    env: Environment,
    /** API image digest reference (…/maps-api@sha256:…); empty: the chart's default. */
    apiImage: string = '',
    /** Varnish image digest reference (…/varnish@sha256:…); empty: the chart's default. */
    varnishImage: string = '',
    /** The environment's public host (its repository variable, e.g. MAPS_API_HOST_DEV); empty: no Ingress. */
    host: string = '',
  ): Promise<string> {
    const target = await environment(this.source, env);
    const images = { api: apiImage, varnish: varnishImage };
    const set = Object.entries(images).flatMap(([key, reference]) => {
      if (!reference) return [];
      const { repository, digest } = parseDigestReference(reference);
      return ['--set', `images.${key}.repository=${repository}`, '--set', `images.${key}.digest=${digest}`];
    });
    if (host) set.push('--set', `ingress.host=${requireHost(target, host)}`);
    return (await helm(this.source))
      .withExec([
        'helm',
        'template',
        RELEASE,
        '.',
        '--namespace',
        target.namespace,
        '--values',
        `values-${env}.yaml`,
        ...set,
      ])
      .stdout();
  }

  /**
   * `terraform plan -out` of terraform/envs/<env> (or terraform/shared): a directory holding the saved plan (`tfplan`,
   * what `apply` applies) and its text (`plan.txt`). Never cached: a cached plan would describe yesterday's
   * infrastructure.
   */
  @func({ cache: 'never' })
  async plan(
    /** Which environment root (terraform/envs/<env>) to plan; with --shared, production. */
    env: Environment,
    /** gcloud credentials of the planner (read-only) or of Terraform's own identity. */
    gcpCredentials: Secret,
    /** Plan terraform/shared (the registry every environment reads) instead; only with --env production. */
    shared: boolean = false,
    /** The environment's public host (its repository variable, e.g. MAPS_API_HOST_DEV): required but with --shared. */
    host: string = '',
    /** Where its alerts go (its repository variable, e.g. MAPS_API_ONCALL_EMAIL_DEV): required but with --shared. */
    oncallEmail: string = '',
  ): Promise<Directory> {
    const root = terraformRoot(env, shared);
    const target = await environment(this.source, env);
    if (!shared) {
      requireHost(target, host);
      requireOncallEmail(target, oncallEmail);
    }
    let terraform = await initialised(this.source, root, gcpCredentials);
    // The saved plan keeps the values: apply needs neither.
    if (!shared) {
      terraform = terraform
        .withEnvVariable('TF_VAR_host', host)
        .withEnvVariable('TF_VAR_oncall_email', oncallEmail);
    }
    // -lock=false: the read-only planner cannot write the state lock; applying the saved plan takes the lock and
    // refuses the plan if the state moved since (Terraform's stale-plan check).
    return terraform
      .withEnvVariable('PLAN_RUN_ID', runId())
      .withExec(['mkdir', '-p', '/out'])
      .withExec(['terraform', 'plan', '-input=false', '-lock=false', '-no-color', '-out=/out/tfplan'])
      .withExec(['sh', '-c', 'terraform show -no-color /out/tfplan > /out/plan.txt'])
      .directory('/out');
  }

  /** `terraform apply` of a saved plan made by `plan` (never a fresh plan). Never cached; production needs --confirm-production. */
  @func({ cache: 'never' })
  async apply(
    /** Which environment root (terraform/envs/<env>) the plan belongs to; with --shared, production. */
    env: Environment,
    /** The reviewed plan file: `tfplan` from the directory `plan` exported. */
    plan: File,
    /** gcloud credentials of Terraform's identity for this environment. */
    gcpCredentials: Secret,
    /** Required to change production. */
    confirmProduction: boolean = false,
    /** The plan is terraform/shared's (made by `plan --shared`); only with --env production. */
    shared: boolean = false,
  ): Promise<string> {
    const root = terraformRoot(env, shared);
    refuseUnconfirmedProduction(env, confirmProduction);
    await environment(this.source, env);
    return (await initialised(this.source, root, gcpCredentials))
      .withFile('/plan/tfplan', plan)
      .withEnvVariable('APPLY_RUN_ID', runId())
      .withExec(['terraform', 'apply', '-input=false', '-lock-timeout=5m', '-no-color', '/plan/tfplan'])
      .stdout();
  }

  /**
   * Deploys both images by digest with the shared deploy program (ci/deploy/main.ts): helm upgrade --install
   * --atomic --wait → smoke through the cluster → helm test, rolling back on any failure → a bounded
   * check of https://<host> that says what it waits for (DNS, the certificate) and never rolls back.
   * Only images from the project registry. Never cached. Production needs --confirm-production.
   */
  @func({ cache: 'never' })
  async deploy(
    /** Target environment. */
    env: Environment,
    /** API image digest reference in the project registry (…/maps-api@sha256:…), e.g. from `publish`. */
    apiImage: string,
    /** Varnish image digest reference in the project registry (…/varnish@sha256:…), e.g. from `publish`. */
    varnishImage: string,
    /** gcloud credentials of the environment's deployer identity. */
    gcpCredentials: Secret,
    /** The environment's public host, the Ingress' (its repository variable, e.g. MAPS_API_HOST_DEV). */
    host: string,
    /** Required to change production. */
    confirmProduction: boolean = false,
  ): Promise<string> {
    refuseUnconfirmedProduction(env, confirmProduction);
    const { registry } = await readEnvironments(this.source);
    requireProjectImage(registry, 'maps-api', apiImage);
    requireProjectImage(registry, 'varnish', varnishImage);
    const target = await environment(this.source, env);
    requireHost(target, host);
    const id = runId();
    const config = await kubeconfig(target, gcpCredentials, id);
    return (await deployer(this.source))
      .withMountedSecret('/run/secrets/kubeconfig', config)
      .withEnvVariable('KUBECONFIG', '/run/secrets/kubeconfig')
      .withEnvVariable('DEPLOY_RUN_ID', id)
      .withExec([
        'node',
        '--experimental-strip-types',
        'ci/deploy/main.ts',
        '--env',
        env,
        '--namespace',
        target.namespace,
        '--api-image',
        apiImage,
        '--varnish-image',
        varnishImage,
        '--host',
        host,
        // The smoke goes through the cluster (no DNS, no certificate); then https://<host> is waited for, bounded.
        '--public-wait',
        '10m',
        '--timeout',
        '10m',
      ])
      .stdout();
  }

  /** Through Varnish at the environment's host: health, a tile miss then hit, and a table as GeoJSON. */
  @func({ cache: 'never' })
  async smoke(
    /** Environment whose public host is smoked. */
    env: Environment,
    /** Its public host (its repository variable, e.g. MAPS_API_HOST_DEV). */
    host: string,
  ): Promise<string> {
    const target = await environment(this.source, env);
    requireHost(target, host);
    const { replica } = await readEnvironments(this.source);
    const tileset = `${target.gcpProject}.${replica.dataset}.${replica.table}`;
    // Only a table the environment serves (its chart values): any other id is refused with 403.
    const values = (file: string) => this.source.file(`charts/maps-api/${file}`).contents();
    const table = smokeTableOf(await values(`values-${env}.yaml`), await values('values.yaml'));
    return ciTools(this.source)
      .withEnvVariable('SMOKE_RUN_ID', runId())
      .withExec([
        'node',
        '--experimental-strip-types',
        'smoke/main.ts',
        '--url',
        `https://${host}`,
        '--tileset',
        tileset,
        '--table',
        table,
      ])
      .stdout();
  }

  /**
   * Copies the public osm_buildings tileset into the replica dataset (the replica/ tool), then bans the switched
   * table in the environment's Varnish: through the Kubernetes API's port-forward, so the BAN arrives from 127.0.0.1
   * inside the pod, the only source `acl purgers` admits (docs/caching.md#invalidation).
   */
  @func({ cache: 'never' })
  async replicateTable(
    /** Environment whose project receives the replica. */
    env: Environment,
    /** gcloud credentials of the environment's replica identity. */
    gcpCredentials: Secret,
    /** `versioned` (a new table, then switch) or `overwrite`; unset: the replica tool's one default (replica/README.md). */
    mode?: string,
    /** Print the plan (every step, the ban included), change nothing. */
    dryRun: boolean = false,
    /** Only prove the replica equals its source. */
    verifyOnly: boolean = false,
    /** After a switch, ban the table's cached objects in the environment's Varnish (false: leave them to their TTL). */
    invalidate: boolean = true,
  ): Promise<string> {
    const target = await environment(this.source, env);
    const args = [
      '--dest-project',
      target.gcpProject,
      ...(mode ? ['--mode', mode] : []),
      '--report-freshness',
    ];
    if (dryRun) args.push('--dry-run');
    if (verifyOnly) args.push('--verify-only');
    const id = runId();
    let tool = withGoogleCredentials(workspace(this.source), gcpCredentials).withEnvVariable(
      'REPLICA_RUN_ID',
      id,
    );
    if (invalidate && !verifyOnly) {
      args.push('--ban-service', `${target.namespace}/${RELEASE}-varnish`);
      // A dry run only prints the ban; a real one port-forwards as the replica identity (the chart's invalidator Role).
      if (!dryRun) {
        tool = tool
          .withMountedSecret('/run/secrets/kubeconfig', await kubeconfig(target, gcpCredentials, id))
          .withEnvVariable('KUBECONFIG', '/run/secrets/kubeconfig');
      }
    }
    const run = tool.withExec(['npm', 'run', 'replicate', '-w', 'replica', '--', ...args], {
      expect: ReturnType.Any,
    });
    // The tool's exit codes (replica/README.md): 0 copied, 3 already up to date — both success; anything else fails.
    const code = await run.exitCode();
    if (code !== 0 && code !== 3) throw new Error(`replica tool exited ${code}:\n${await run.stderr()}`);
    return run.stdout();
  }

  /**
   * Emulator (seeded at image build) → API → Varnish, as Dagger services built from the Dockerfiles compose and
   * production use. Varnish gets the chart's rendered VCL and reaches the API under the chart's Service name.
   */
  private async varnishInFrontOfApi(): Promise<Service> {
    const emulator = this.source
      .dockerBuild({ dockerfile: 'images/emulator/Dockerfile' })
      .withExposedPort(9050)
      .asService();
    const api = this.source
      .dockerBuild({ dockerfile: 'api/Dockerfile' })
      // The Node client uses this variable as its REST base URL (emulator/README.md).
      .withEnvVariable('BIGQUERY_EMULATOR_HOST', 'http://bigquery:9050/bigquery/v2')
      .withServiceBinding('bigquery', emulator)
      .withExposedPort(3000)
      .asService({ useEntrypoint: true });
    const vcl = await this.chartVcl();
    // The image's own command (the chart's varnishd arguments): site VCL in site/, the included files on vcl_path.
    return this.source
      .dockerBuild({ dockerfile: 'images/varnish/Dockerfile' })
      .withDirectory('/etc/varnish/maps-api', vcl)
      .withFile('/etc/varnish/site/site.vcl', vcl.file('site.vcl'))
      .withServiceBinding(`${RELEASE}-api`, api)
      .withExposedPort(8080)
      .asService();
  }

  /** The files of the chart's Varnish ConfigMap (dev values): exactly the VCL set the cluster runs. */
  private async chartVcl(): Promise<Directory> {
    const configMap = (await helm(this.source))
      .withExec([
        'sh',
        '-c',
        'helm template maps-api . --namespace maps-api --values values-dev.yaml --show-only templates/varnish-configmap.yaml > /tmp/cm.yaml',
      ])
      .file('/tmp/cm.yaml');
    return ciTools(this.source)
      .withFile('/tmp/configmap.yaml', configMap)
      .withExec([
        'node',
        '--experimental-strip-types',
        'chart-vcl/configmap-files.ts',
        '/tmp/configmap.yaml',
        '/out/vcl',
      ])
      .directory('/out/vcl');
  }
}
