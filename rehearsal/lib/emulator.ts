/**
 * The in-cluster BigQuery emulator the rehearsal overlay points at: the project's emulator image (seeded with the
 * carto-demo-data sample at build time) as a Deployment + ClusterIP Service in its own namespace, under Pod Security
 * `restricted` like the releases. Each environment's replica table (<gcpProject>.maps_replica.osm_buildings, which the
 * smoke test and the helm test read) is then created with the same sample tiles.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  TILESET_SCHEMA,
  TILESET_TABLE_OPTIONS,
  createTable,
  emulatorClient,
  sampleTileRows,
} from '@maps-api/emulator';
import { kubectl, portForward, rehearsal, repoRoot } from './kube.js';

const NAME = rehearsal.emulatorService;
/** The pod label manifests/small-node.yaml exempts from its 10m CPU requests. */
const KEEP_CPU_REQUEST = 'rehearsal.maps-api/keep-cpu-request';
const PORT = rehearsal.emulatorPort;

export async function applyManifest(objects: object[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'rehearsal-manifest-'));
  try {
    const file = join(dir, 'objects.json');
    writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
    await kubectl('apply', '--server-side', '--force-conflicts', '-f', file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function restrictedNamespace(name: string): object {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name,
      labels: {
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'latest',
      },
    },
  };
}

export async function startEmulator(image: string): Promise<void> {
  const namespace = rehearsal.emulatorNamespace;
  const labels = { 'app.kubernetes.io/name': NAME };
  await applyManifest([
    restrictedNamespace(namespace),
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: NAME, namespace },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          // BigQuery is a managed service in production, never a pod competing for the node: the stand-in keeps a
          // real CPU request (manifests/small-node.yaml leaves pods with this label alone). With the 10m every pod
          // gets, a rolling upgrade on a busy machine starved it past the API's 10 s query timeout.
          metadata: { labels: { ...labels, [KEEP_CPU_REQUEST]: 'true' } },
          spec: {
            automountServiceAccountToken: false,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: 65532,
              runAsGroup: 65532,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            containers: [
              {
                name: 'emulator',
                image,
                ports: [{ name: 'http', containerPort: PORT }],
                resources: { requests: { cpu: '500m' } },
                readinessProbe: {
                  httpGet: { path: '/bigquery/v2/projects/probe/datasets', port: 'http' },
                  periodSeconds: 2,
                },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  capabilities: { drop: ['ALL'] },
                },
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: NAME, namespace },
      spec: { selector: labels, ports: [{ name: 'http', port: PORT, targetPort: 'http' }] },
    },
  ]);
  await kubectl('rollout', 'status', '-n', namespace, `deployment/${NAME}`, '--timeout', '300s');
  await seedReplicas();
}

/** <gcpProject>.<replica.dataset>.<replica.table> of every environment, filled with the sample tiles. */
async function seedReplicas(): Promise<void> {
  const { environments, replica } = JSON.parse(readFileSync(join(repoRoot, 'environments.json'), 'utf8')) as {
    environments: Record<string, { gcpProject: string }>;
    replica: { dataset: string; table: string };
  };
  const forward = await portForward(rehearsal.emulatorNamespace, `service/${NAME}`, PORT);
  try {
    const tiles = sampleTileRows().map((row) => ({ ...row, data: row.data.toString('base64') }));
    for (const env of rehearsal.environments) {
      const project = environments[env]!.gcpProject;
      await createTable(
        emulatorClient(`${forward.url}/bigquery/v2`, project),
        `${project}.${replica.dataset}.${replica.table}`,
        TILESET_SCHEMA,
        tiles,
        TILESET_TABLE_OPTIONS, // seeded as an exact copy of the source would be: its storage and description
      );
    }
  } finally {
    forward.close();
  }
}
