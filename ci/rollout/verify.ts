/**
 * Rollout verifier: waits until the API Deployment has every replica ready on its newest ReplicaSet (and no old
 * pods left) and Varnish has its one replica, printing progress; on a stall it fails with what the pods say.
 */
import {
  AppsV1Api,
  CoreV1Api,
  type KubeConfig,
  type V1Deployment,
  type V1Pod,
} from '@kubernetes/client-node';

export interface Target {
  deployment: string;
  replicas: number;
}

export interface VerifyOptions {
  namespace: string;
  targets: Target[];
  timeoutMs: number;
  pollMs: number;
  log: (line: string) => void;
}

export class RolloutFailed extends Error {}

const REVISION = 'deployment.kubernetes.io/revision';

interface Progress {
  done: boolean;
  line: string;
  stalled?: string;
}

export async function verifyRollout(kubeConfig: KubeConfig, options: VerifyOptions): Promise<void> {
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const deadline = Date.now() + options.timeoutMs;
  let lastLines = '';
  for (;;) {
    const progress = await Promise.all(options.targets.map((t) => progressOf(apps, options.namespace, t)));
    const lines = progress.map((p) => p.line).join('\n');
    if (lines !== lastLines) options.log(lines);
    lastLines = lines;
    if (progress.every((p) => p.done)) {
      options.log('rollout complete');
      return;
    }
    const stalled = progress.find((p) => p.stalled)?.stalled;
    if (stalled || Date.now() > deadline) {
      const reason = stalled ?? `timed out after ${options.timeoutMs / 1000}s`;
      const diagnosis = await diagnose(apps, core, options);
      throw new RolloutFailed(`rollout stalled: ${reason}\n${diagnosis}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs));
  }
}

async function progressOf(apps: AppsV1Api, namespace: string, target: Target): Promise<Progress> {
  const deployment = await apps.readNamespacedDeployment({ name: target.deployment, namespace });
  const want = deployment.spec?.replicas ?? 1;
  const status = deployment.status ?? {};
  const revision = deployment.metadata?.annotations?.[REVISION] ?? '?';
  const newRs = await newReplicaSet(apps, namespace, deployment);
  const newReady = newRs?.status?.readyReplicas ?? 0;
  const line =
    `${target.deployment}: ${status.readyReplicas ?? 0}/${want} ready, ${status.updatedReplicas ?? 0} updated, ` +
    `${status.replicas ?? 0} total, new ReplicaSet ${newRs?.metadata?.name ?? 'not created yet'} ` +
    `(revision ${revision}) ${newReady}/${want} ready`;
  if (want !== target.replicas) {
    return {
      done: false,
      line,
      stalled: `${target.deployment} asks for ${want} replicas, expected ${target.replicas}`,
    };
  }
  const progressing = status.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.status === 'False' || progressing?.reason === 'ProgressDeadlineExceeded') {
    return {
      done: false,
      line,
      stalled: `${target.deployment}: ${progressing.reason}: ${progressing.message ?? ''}`,
    };
  }
  const done =
    (status.observedGeneration ?? 0) >= (deployment.metadata?.generation ?? 0) &&
    status.updatedReplicas === want &&
    status.readyReplicas === want &&
    status.availableReplicas === want &&
    status.replicas === want &&
    newReady === want;
  return { done, line };
}

async function newReplicaSet(apps: AppsV1Api, namespace: string, deployment: V1Deployment) {
  const revision = deployment.metadata?.annotations?.[REVISION];
  if (!revision) return undefined;
  const sets = await apps.listNamespacedReplicaSet({ namespace, labelSelector: selectorOf(deployment) });
  return sets.items.find(
    (rs) =>
      rs.metadata?.annotations?.[REVISION] === revision &&
      rs.metadata?.ownerReferences?.some(
        (o) => o.kind === 'Deployment' && o.uid === deployment.metadata?.uid,
      ),
  );
}

function selectorOf(deployment: V1Deployment): string {
  const labels = deployment.spec?.selector.matchLabels ?? {};
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** Why pods are not ready: container waiting/termination reasons and the pods' (and ReplicaSets') warning events. */
async function diagnose(apps: AppsV1Api, core: CoreV1Api, options: VerifyOptions): Promise<string> {
  const out: string[] = [];
  for (const target of options.targets) {
    const deployment = await apps.readNamespacedDeployment({
      name: target.deployment,
      namespace: options.namespace,
    });
    const selector = selectorOf(deployment);
    const pods = await core.listNamespacedPod({ namespace: options.namespace, labelSelector: selector });
    const sets = await apps.listNamespacedReplicaSet({
      namespace: options.namespace,
      labelSelector: selector,
    });
    for (const pod of pods.items.filter((p) => !isReady(p))) {
      out.push(`pod ${pod.metadata?.name}: ${podReasons(pod)}`);
      out.push(...(await events(core, options.namespace, pod.metadata?.name ?? '')));
    }
    for (const rs of sets.items)
      out.push(...(await events(core, options.namespace, rs.metadata?.name ?? '')));
  }
  return out.length ? out.join('\n') : 'no pod reported a reason';
}

function isReady(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

function podReasons(pod: V1Pod): string {
  const reasons = (pod.status?.containerStatuses ?? []).map((c) => {
    const state = c.state?.waiting ?? c.state?.terminated;
    return `${c.name} ${state?.reason ?? 'not ready'}${state?.message ? ` (${state.message})` : ''}, restarts ${c.restartCount}`;
  });
  return reasons.length ? reasons.join('; ') : `phase ${pod.status?.phase ?? 'unknown'}`;
}

async function events(core: CoreV1Api, namespace: string, name: string): Promise<string[]> {
  const list = await core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${name}` });
  return list.items
    .filter((e) => e.type !== 'Normal')
    .map((e) => `  event ${e.involvedObject.kind}/${name}: ${e.reason}: ${e.message ?? ''}`);
}
