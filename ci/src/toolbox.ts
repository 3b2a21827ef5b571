/** Containers shared by several functions: each starts from a pinned image (images.ts) and adds only what it needs. */
import { dag, type Container, type Directory, type File, type Secret } from '@dagger.io/dagger';
import type { EnvironmentFacts } from './environments.js';
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

/** ci/ itself with its runtime dependencies: runs the rollout verifier, the smoke test and small helpers. */
export function ciTools(source: Directory): Container {
  return dag
    .container()
    .from(pinned('node'))
    .withMountedCache('/root/.npm', dag.cacheVolume('maps-api-npm'))
    .withDirectory('/ci', source.directory('ci'), { exclude: ['node_modules', 'test'] })
    .withWorkdir('/ci')
    .withExec(['npm', 'ci', '--omit=dev', '--no-audit', '--no-fund']);
}

const TOOLS_DIR = '/opt/maps-api-tools';

/**
 * The machine `.ci/run` expects, as a container: Debian bookworm with Python 3.13 (the emulator needs >= 3.13), Node 22
 * and npm copied from the pinned node image (NODE_VERSION, so tools/install.sh keeps it), Go from the pinned golang
 * image (tools/install.sh builds helm, terraform, actionlint, kube-apiserver … from the Go module proxy) and git. Every
 * other tool comes from `.ci/run` itself (tools/install.sh) into cache volumes, so a warm run installs nothing. The
 * source has no .git (IGNORE): a throwaway repository lets the suites ask git which paths are ignored.
 */
export function ciMachine(source: Directory): Container {
  const node = dag.container().from(pinned('node'));
  const go = dag.container().from(pinned('golang'));
  return dag
    .container()
    .from(pinned('python'))
    .withFile('/usr/local/bin/node', node.file('/usr/local/bin/node'))
    .withDirectory('/usr/local/lib/node_modules/npm', node.directory('/usr/local/lib/node_modules/npm'))
    .withSymlink('../lib/node_modules/npm/bin/npm-cli.js', '/usr/local/bin/npm')
    .withSymlink('../lib/node_modules/npm/bin/npx-cli.js', '/usr/local/bin/npx')
    .withDirectory('/usr/local/go', go.directory('/usr/local/go'))
    .withEnvVariable('PATH', '/usr/local/go/bin:/root/go/bin:${PATH}', { expand: true })
    .withEnvVariable('DEBIAN_FRONTEND', 'noninteractive')
    .withExec([
      'sh',
      '-c',
      'apt-get update && apt-get install -y --no-install-recommends git && rm -rf /var/lib/apt/lists/*',
    ])
    .withEnvVariable('MAPS_TOOLS_DIR', TOOLS_DIR)
    .withMountedCache(TOOLS_DIR, dag.cacheVolume('maps-api-tools'))
    .withMountedCache('/root/go/pkg/mod', dag.cacheVolume('maps-api-go-mod'))
    .withMountedCache('/root/.cache/go-build', dag.cacheVolume('maps-api-go-build'))
    .withMountedCache('/root/.cache/pip', dag.cacheVolume('maps-api-pip'))
    .withMountedCache('/root/.npm', dag.cacheVolume('maps-api-npm'))
    .withDirectory('/repo', source)
    .withWorkdir('/repo')
    .withExec(['git', 'init', '--quiet']);
}

/**
 * helm built by the repo's own install step (tools/install.sh 30-helm: helm's Go module at HELM_VERSION from
 * tools/versions.env, with the release ldflags), so the module, .ci/run and Devbox run one helm version. The step sees
 * only the files it reads: the binary is rebuilt only when they change.
 */
export function helmBinary(source: Directory): File {
  return dag
    .container()
    .from(pinned('golang'))
    .withMountedCache('/go/pkg/mod', dag.cacheVolume('maps-api-go-mod'))
    .withMountedCache('/root/.cache/go-build', dag.cacheVolume('maps-api-go-build'))
    .withEnvVariable('CGO_ENABLED', '0')
    .withEnvVariable('MAPS_TOOLS_DIR', TOOLS_DIR)
    .withDirectory('/repo', source, {
      include: [
        'tools/install.sh',
        'tools/versions.env',
        'tools/install.d/30-helm.sh',
        'tools/lib/go-tool.sh',
        'tools/lib/on-path.sh',
      ],
    })
    .withWorkdir('/repo')
    .withExec(['bash', 'tools/install.sh', '30-helm'])
    .file(`${TOOLS_DIR}/bin/helm`);
}

/** The chart in /chart with helm on PATH. */
export function helm(source: Directory): Container {
  return dag
    .container()
    .from(pinned('node'))
    .withFile('/usr/local/bin/helm', helmBinary(source))
    .withDirectory('/chart', source.directory('charts/maps-api'))
    .withWorkdir('/chart');
}

/**
 * Where the shared deploy program (ci/deploy/main.ts) runs: Node 22, helm, the chart, environments.json and ci/ with
 * its runtime dependencies, laid out as in the repo (the program finds the chart and environments.json from its path).
 */
export function deployer(source: Directory): Container {
  return dag
    .container()
    .from(pinned('node'))
    .withFile('/usr/local/bin/helm', helmBinary(source))
    .withMountedCache('/root/.npm', dag.cacheVolume('maps-api-npm'))
    .withFile('/repo/environments.json', source.file('environments.json'))
    .withDirectory('/repo/charts/maps-api', source.directory('charts/maps-api'))
    .withDirectory('/repo/ci', source.directory('ci'), { exclude: ['node_modules', 'test'] })
    .withWorkdir('/repo')
    .withExec(['npm', '--prefix', 'ci', 'ci', '--omit=dev', '--no-audit', '--no-fund']);
}

/** gcloud logged in with the pipeline's Workload Identity credentials (an external_account file, never a key). */
export function gcloud(credentials: Secret, project: string): Container {
  return dag
    .container()
    .from(pinned('gcloud'))
    .withMountedSecret(CREDENTIALS, credentials)
    .withEnvVariable('GOOGLE_APPLICATION_CREDENTIALS', CREDENTIALS)
    .withEnvVariable('CLOUDSDK_CORE_PROJECT', project)
    .withExec(['gcloud', 'auth', 'login', `--cred-file=${CREDENTIALS}`, '--quiet']);
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
