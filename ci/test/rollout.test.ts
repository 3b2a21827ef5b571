/**
 * The rollout verifier against a real kube-apiserver + etcd. Without controllers, each test writes the statuses
 * the Deployment and ReplicaSet controllers and the kubelet would write, then checks what the verifier concludes.
 */
import { AppsV1Api, CoreV1Api, type V1Deployment } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RolloutFailed, verifyRollout, type VerifyOptions } from '../rollout/verify.ts';
import { startKubeApiserver, type TestCluster } from './support/kube-apiserver.ts';

let cluster: TestCluster;
let apps: AppsV1Api;
let core: CoreV1Api;
const REVISION = 'deployment.kubernetes.io/revision';

beforeAll(async () => {
  cluster = await startKubeApiserver();
  apps = cluster.kubeConfig.makeApiClient(AppsV1Api);
  core = cluster.kubeConfig.makeApiClient(CoreV1Api);
}, 150_000);
afterAll(() => cluster?.stop());

async function namespace(name: string) {
  await core.createNamespace({ body: { metadata: { name } } });
  return name;
}

async function deployment(
  ns: string,
  name: string,
  replicas: number,
  revision: string,
): Promise<V1Deployment> {
  return apps.createNamespacedDeployment({
    namespace: ns,
    body: {
      metadata: { name, annotations: { [REVISION]: revision } },
      spec: {
        replicas,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: { containers: [{ name: 'main', image: `example/${name}@sha256:${'a'.repeat(64)}` }] },
        },
      },
    },
  });
}

async function replicaSet(ns: string, owner: V1Deployment, suffix: string, revision: string, ready: number) {
  const name = `${owner.metadata?.name}-${suffix}`;
  const labels = { app: owner.metadata?.name ?? '', 'pod-template-hash': suffix };
  await apps.createNamespacedReplicaSet({
    namespace: ns,
    body: {
      metadata: {
        name,
        labels,
        annotations: { [REVISION]: revision },
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            name: owner.metadata?.name ?? '',
            uid: owner.metadata?.uid ?? '',
            controller: true,
          },
        ],
      },
      spec: {
        replicas: owner.spec?.replicas ?? 1,
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: owner.spec?.template.spec ?? { containers: [] } },
      },
    },
  });
  await setReplicaSetReady(ns, name, ready);
  return name;
}

async function setReplicaSetReady(ns: string, name: string, ready: number) {
  const rs = await apps.readNamespacedReplicaSet({ name, namespace: ns });
  rs.status = {
    replicas: rs.spec?.replicas ?? 0,
    readyReplicas: ready,
    availableReplicas: ready,
    observedGeneration: 1,
  };
  await apps.replaceNamespacedReplicaSetStatus({ name, namespace: ns, body: rs });
}

async function setDeploymentStatus(
  ns: string,
  name: string,
  status: { total: number; updated: number; ready: number },
  stalled = false,
) {
  const d = await apps.readNamespacedDeployment({ name, namespace: ns });
  d.status = {
    observedGeneration: d.metadata?.generation ?? 1,
    replicas: status.total,
    updatedReplicas: status.updated,
    readyReplicas: status.ready,
    availableReplicas: status.ready,
    unavailableReplicas: Math.max(0, (d.spec?.replicas ?? 0) - status.ready),
    conditions: [
      stalled
        ? {
            type: 'Progressing',
            status: 'False',
            reason: 'ProgressDeadlineExceeded',
            message: `ReplicaSet "${name}-new" has timed out progressing.`,
          }
        : { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: 'progressing' },
    ],
  };
  await apps.replaceNamespacedDeploymentStatus({ name, namespace: ns, body: d });
}

function options(ns: string, log: string[], timeoutMs = 20_000): VerifyOptions {
  return {
    namespace: ns,
    targets: [
      { deployment: 'maps-api-api', replicas: 5 },
      { deployment: 'maps-api-varnish', replicas: 1 },
    ],
    timeoutMs,
    pollMs: 100,
    log: (line) => log.push(line),
  };
}

async function release(ns: string) {
  const api = await deployment(ns, 'maps-api-api', 5, '2');
  const varnish = await deployment(ns, 'maps-api-varnish', 1, '1');
  await replicaSet(ns, api, 'old', '1', 5);
  const newRs = await replicaSet(ns, api, 'new', '2', 0);
  await replicaSet(ns, varnish, 'v1', '1', 1);
  await setDeploymentStatus(ns, 'maps-api-varnish', { total: 1, updated: 1, ready: 1 });
  return newRs;
}

describe('rollout verifier against a real kube-apiserver', () => {
  it('waits through a rolling update and passes once 5/5 run on the new ReplicaSet and Varnish is 1/1', async () => {
    const ns = await namespace('rollout-ok');
    const newRs = await release(ns);
    await setDeploymentStatus(ns, 'maps-api-api', { total: 7, updated: 2, ready: 5 });
    const log: string[] = [];
    const verifying = verifyRollout(cluster.kubeConfig, options(ns, log));
    let settled = false;
    void verifying.finally(() => (settled = true));
    await new Promise((r) => setTimeout(r, 600));
    expect(settled, 'must not pass while old pods still serve').toBe(false);
    await setReplicaSetReady(ns, newRs, 5);
    await setDeploymentStatus(ns, 'maps-api-api', { total: 5, updated: 5, ready: 5 });
    await verifying;
    expect(log.join('\n')).toMatch(
      /maps-api-api: 5\/5 ready, 2 updated, 7 total, new ReplicaSet maps-api-api-new \(revision 2\) 0\/5 ready/,
    );
    expect(log.join('\n')).toMatch(/maps-api-varnish: 1\/1 ready/);
    expect(log.at(-1)).toBe('rollout complete');
  });

  it("fails on a stalled rollout with the pods' reasons and warning events", async () => {
    const ns = await namespace('rollout-stalled');
    const newRs = await release(ns);
    const pod = await core.createNamespacedPod({
      namespace: ns,
      body: {
        metadata: { name: `${newRs}-abcde`, labels: { app: 'maps-api-api', 'pod-template-hash': 'new' } },
        spec: {
          containers: [
            { name: 'api', image: 'us-central1-docker.pkg.dev/p/maps/maps-api@sha256:' + 'b'.repeat(64) },
          ],
        },
      },
    });
    pod.status = {
      phase: 'Pending',
      conditions: [{ type: 'Ready', status: 'False' }],
      containerStatuses: [
        {
          name: 'api',
          image: pod.spec?.containers[0]?.image ?? '',
          imageID: '',
          ready: false,
          restartCount: 0,
          state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image' } },
        },
      ],
    };
    await core.replaceNamespacedPodStatus({ name: pod.metadata?.name ?? '', namespace: ns, body: pod });
    await core.createNamespacedEvent({
      namespace: ns,
      body: {
        metadata: { name: `${pod.metadata?.name}.failed` },
        involvedObject: { kind: 'Pod', name: pod.metadata?.name, namespace: ns },
        type: 'Warning',
        reason: 'Failed',
        message: 'Failed to pull image: 403 Forbidden',
        source: { component: 'kubelet' },
        firstTimestamp: new Date(),
        lastTimestamp: new Date(),
        count: 1,
      },
    });
    await setDeploymentStatus(ns, 'maps-api-api', { total: 6, updated: 1, ready: 5 }, true);
    const log: string[] = [];
    const error = await verifyRollout(cluster.kubeConfig, options(ns, log)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RolloutFailed);
    const message = (error as Error).message;
    expect(message).toContain('ProgressDeadlineExceeded');
    expect(message).toContain(`pod ${newRs}-abcde: api ImagePullBackOff (Back-off pulling image)`);
    expect(message).toContain('event Pod/' + `${newRs}-abcde: Failed: Failed to pull image: 403 Forbidden`);
  });

  it('times out when ready counts look fine but the new ReplicaSet is not serving', async () => {
    const ns = await namespace('rollout-old-rs');
    await release(ns);
    await setDeploymentStatus(ns, 'maps-api-api', { total: 5, updated: 5, ready: 5 });
    const log: string[] = [];
    const error = await verifyRollout(cluster.kubeConfig, options(ns, log, 1_500)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RolloutFailed);
    expect((error as Error).message).toMatch(/timed out after 1.5s/);
  });

  it('refuses a Deployment scaled to a different replica count than required', async () => {
    const ns = await namespace('rollout-scaled');
    await release(ns);
    const api = await apps.readNamespacedDeployment({ name: 'maps-api-api', namespace: ns });
    if (api.spec) api.spec.replicas = 3;
    await apps.replaceNamespacedDeployment({ name: 'maps-api-api', namespace: ns, body: api });
    const error = await verifyRollout(cluster.kubeConfig, options(ns, [])).catch((e: unknown) => e);
    expect((error as Error).message).toContain('maps-api-api asks for 3 replicas, expected 5');
  });
});
