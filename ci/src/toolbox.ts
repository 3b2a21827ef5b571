/** Containers shared by several functions: each starts from a pinned image (images.ts) and adds only what it needs. */
import { dag, type Container, type Directory, type File, type Secret } from '@dagger.io/dagger';
import { readEnvironments, type EnvironmentFacts } from './environments.js';
import { pinned } from './images.js';

const CREDENTIALS = '/run/secrets/gcp-credentials.json';

/** The repo with root dependencies installed (npm cache in a cache volume). */
export function workspace(source: Directory): Container {
  return dag
    .container()
    .from(pinned('node'))
    .withMountedCache('/root/.npm', dag.cacheVolume('maps-api-npm'))
    .withDirectory('/repo', source)
    .withWorkdir('/repo')
    .withExec(['npm', 'ci', '--no-audit', '--no-fund']);
}

/** ci/ itself with its runtime dependencies: runs the deploy program, the smoke test and small helpers. */
export function ciTools(source: Directory): Container {
  return dag
    .container()
    .from(pinned('node'))
    .withMountedCache('/root/.npm', dag.cacheVolume('maps-api-npm'))
    .withDirectory('/ci', source.directory('ci'), { exclude: ['node_modules', 'test'] })
    .withWorkdir('/ci')
    .withExec(['npm', 'ci', '--omit=dev', '--no-audit', '--no-fund']);
}

/** Where the toolbox image keeps every tool (MAPS_TOOLS_DIR; its bin/ is on PATH). */
export const TOOLS_DIR = '/opt/maps-api-tools';
export const TOOLBOX_DOCKERFILE = 'tools/toolbox/Dockerfile';

/**
 * The toolbox image's build context and reference, both from tools/toolbox/tag.sh (the one script that lists what
 * defines the image and hashes it): `<environments.json toolbox.image>:<tag>`.
 */
export async function toolboxBuild(source: Directory): Promise<{ image: string; context: Directory }> {
  const tagged = dag
    .container()
    .from(pinned('node'))
    .withDirectory('/repo', source)
    .withWorkdir('/repo')
    .withExec(['bash', 'tools/toolbox/tag.sh', '--context', '/context']);
  const [{ toolbox }, tag] = await Promise.all([readEnvironments(source), tagged.stdout()]);
  return { image: `${toolbox.image}:${tag.trim()}`, context: tagged.directory('/context') };
}

/** The toolbox built here from its Dockerfile: the same tools/install.sh steps, hours of compiles on a cold engine. */
export function buildToolbox(context: Directory): Container {
  return context.dockerBuild({ dockerfile: TOOLBOX_DOCKERFILE });
}

/**
 * Every tool the functions and the suite use, prebuilt (tools/toolbox): pulled by its tag; when that cannot be pulled
 * (offline, a fork, a tools change not yet published by main's `toolbox` job), built here with the same steps, and
 * said so.
 */
export async function toolbox(source: Directory): Promise<Container> {
  const { image, context } = await toolboxBuild(source);
  try {
    return await dag.container().from(image).sync();
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    console.error(
      `toolbox ${image} could not be pulled (${reason}): building it from ${TOOLBOX_DOCKERFILE} with the same ` +
        "tools/install.sh steps (slow on a cold engine; main's toolbox job publishes it)",
    );
    return buildToolbox(context);
  }
}

/** helm from the toolbox (tools/install.d/30-helm.sh at HELM_VERSION): the one helm of .ci/run, Devbox and the module. */
export async function helmBinary(source: Directory): Promise<File> {
  return (await toolbox(source)).file(`${TOOLS_DIR}/bin/helm`);
}

/** The chart in /chart, in the toolbox (helm on PATH). */
export async function helm(source: Directory): Promise<Container> {
  return (await toolbox(source))
    .withDirectory('/chart', source.directory('charts/maps-api'))
    .withWorkdir('/chart');
}

/**
 * Where the shared deploy program (ci/deploy/main.ts) runs: Node 22, helm, the chart, environments.json and ci/ with
 * its runtime dependencies, laid out as in the repo (the program finds the chart and environments.json from its path).
 */
export async function deployer(source: Directory): Promise<Container> {
  return dag
    .container()
    .from(pinned('node'))
    .withFile('/usr/local/bin/helm', await helmBinary(source))
    .withMountedCache('/root/.npm', dag.cacheVolume('maps-api-npm'))
    .withFile('/repo/environments.json', source.file('environments.json'))
    .withDirectory('/repo/charts/maps-api', source.directory('charts/maps-api'))
    .withDirectory('/repo/ci', source.directory('ci'), { exclude: ['node_modules', 'test'] })
    .withWorkdir('/repo')
    .withExec(['npm', '--prefix', 'ci', 'ci', '--omit=dev', '--no-audit', '--no-fund']);
}

/** gcloud logged in with the pipeline's Workload Identity credentials (an external_account file, never a key). */
/**
 * gcloud's property auth/credential_file_override, as an environment variable: every gcloud command uses the mounted
 * file, whatever its type — CI's Workload Identity external_account, a service account key, or the authorized_user
 * file of `gcloud auth application-default login` on a laptop. (`gcloud auth login --cred-file` refuses the last:
 * "Only external account or service account JSON credential file types are supported"; ci/test/gcloud-credentials.test.ts
 * runs the real gcloud with both.)
 */
export const GCLOUD_CREDENTIALS_VARIABLE = 'CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE';

/** gcloud with the pipeline's credentials file (any type above; never stored in gcloud's configuration). */
export function gcloud(credentials: Secret, project: string): Container {
  return dag
    .container()
    .from(pinned('gcloud'))
    .withMountedSecret(CREDENTIALS, credentials)
    .withEnvVariable('GOOGLE_APPLICATION_CREDENTIALS', CREDENTIALS)
    .withEnvVariable(GCLOUD_CREDENTIALS_VARIABLE, CREDENTIALS)
    .withEnvVariable('CLOUDSDK_CORE_PROJECT', project);
}

export function withGoogleCredentials(container: Container, credentials: Secret): Container {
  return container
    .withMountedSecret(CREDENTIALS, credentials)
    .withEnvVariable('GOOGLE_APPLICATION_CREDENTIALS', CREDENTIALS);
}

/**
 * The gcloud format of the control plane's DNS endpoint: the only endpoint Terraform opens to CI
 * (terraform/modules/gke: dns_endpoint_config.allow_external_traffic, no authorized networks on the IP endpoint).
 */
export const DNS_ENDPOINT_FORMAT = 'value(controlPlaneEndpointsConfig.dnsEndpointConfig.endpoint)';

/**
 * A kubeconfig for the environment's cluster, through its DNS endpoint, holding a short-lived access token, as a
 * Secret. The DNS endpoint presents a publicly trusted certificate, so there is no certificate-authority-data; IAM
 * (container.clusters.connect) guards it. helm and the deploy program then need neither gcloud nor the GKE auth
 * plugin. The token is written to a file inside the container (never printed), then read back into a Secret.
 */
export const KUBECONFIG_SCRIPT = [
  'set -eu',
  `endpoint=$(gcloud container clusters describe "$CLUSTER" --location "$REGION" --project "$PROJECT" --format='${DNS_ENDPOINT_FORMAT}')`,
  '[ -n "$endpoint" ] || { echo "cluster $CLUSTER has no DNS endpoint" >&2; exit 1; }',
  'token=$(gcloud auth print-access-token)',
  'out=${KUBECONFIG_OUT:-/out/kubeconfig}',
  'mkdir -p "$(dirname "$out")"',
  'printf \'{"apiVersion":"v1","kind":"Config","current-context":"gke","clusters":[{"name":"gke","cluster":{"server":"https://%s"}}],"users":[{"name":"deployer","user":{"token":"%s"}}],"contexts":[{"name":"gke","context":{"cluster":"gke","user":"deployer","namespace":"%s"}}]}\' "$endpoint" "$token" "$NAMESPACE" > "$out"',
].join('\n');

export async function kubeconfig(env: EnvironmentFacts, credentials: Secret, runId: string): Promise<Secret> {
  const file = gcloud(credentials, env.gcpProject)
    .withEnvVariable('CLUSTER', env.cluster)
    .withEnvVariable('REGION', env.region)
    .withEnvVariable('PROJECT', env.gcpProject)
    .withEnvVariable('NAMESPACE', env.namespace)
    .withEnvVariable('RUN_ID', runId)
    .withExec(['sh', '-c', KUBECONFIG_SCRIPT])
    .file('/out/kubeconfig');
  return dag.setSecret(`kubeconfig-${env.cluster}`, await file.contents());
}

/** A short-lived OAuth access token for Artifact Registry pushes, as a Secret (same file-not-stdout rule). */
export async function accessToken(credentials: Secret, project: string, runId: string): Promise<Secret> {
  const file = gcloud(credentials, project)
    .withEnvVariable('RUN_ID', runId)
    .withExec(['sh', '-c', 'mkdir -p /out && gcloud auth print-access-token > /out/token'])
    .file('/out/token');
  return dag.setSecret('artifact-registry-token', (await file.contents()).trim());
}
