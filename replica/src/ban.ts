// The invalidate step: after the stable table switched, ban its cached objects in Varnish
// (charts/maps-api/files/vcl/invalidation.vcl: `BAN` with `X-Ban-Table`, keeping objects that already carry
// `X-Ban-Data-Version`). The API labels every answer with X-Table-Id = the table it read (the backing replica, also for
// public ids) and X-Data-Version = that table's lastModifiedTime, so these two headers name exactly the stale objects.
import type { CacheTarget } from './cache-target.js';
import { formatRef, type TableRef } from './table-ref.js';

export interface BanAnswer {
  /** The URL the BAN went to (a port-forward's loopback URL for a pod). */
  url: string;
  pod?: string;
  status?: number;
  error?: string;
}

export interface BanResult {
  table: string;
  dataVersion: string;
  answers: BanAnswer[];
  /** Every Varnish answered 200 (and there was at least one). */
  ok: boolean;
}

async function sendBan(url: string, table: string, dataVersion: string): Promise<BanAnswer> {
  try {
    const response = await fetch(url, {
      method: 'BAN',
      headers: { 'X-Ban-Table': table, 'X-Ban-Data-Version': dataVersion },
      signal: AbortSignal.timeout(30_000),
    });
    await response.text();
    return { url, status: response.status };
  } catch (error) {
    return { url, error: (error as Error).message };
  }
}

export async function banTable(
  target: CacheTarget,
  table: TableRef,
  dataVersion: string,
): Promise<BanResult> {
  const id = formatRef(table);
  let answers: BanAnswer[];
  try {
    answers =
      target.kind === 'url'
        ? [await sendBan(target.url, id, dataVersion)]
        : await banThroughKubernetes(target, id, dataVersion);
  } catch (error) {
    answers = [
      { url: `${target.kind === 'url' ? target.url : target.service}`, error: (error as Error).message },
    ];
  }
  const ok = answers.length > 0 && answers.every((answer) => answer.status === 200);
  return { table: id, dataVersion, answers, ok };
}

/** One port-forward per ready pod behind the Service (ci/deploy/port-forward.ts, shared with the deploy program). */
async function banThroughKubernetes(
  target: Extract<CacheTarget, { kind: 'kubernetes' }>,
  table: string,
  dataVersion: string,
): Promise<BanAnswer[]> {
  const { CoreV1Api, KubeConfig } = await import('@kubernetes/client-node');
  const { forwardToPod } = await import('../../ci/deploy/port-forward.js');
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromDefault();
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const service = await core.readNamespacedService({ name: target.service, namespace: target.namespace });
  const labelSelector = Object.entries(service.spec?.selector ?? {})
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
  if (!labelSelector) throw new Error(`service ${target.namespace}/${target.service} selects no pods`);
  const pods = (await core.listNamespacedPod({ namespace: target.namespace, labelSelector })).items
    .filter((pod) => !pod.metadata?.deletionTimestamp && pod.status?.phase === 'Running')
    .map((pod) => pod.metadata!.name!);
  if (pods.length === 0)
    throw new Error(`no running pod behind service ${target.namespace}/${target.service}`);
  const answers: BanAnswer[] = [];
  for (const pod of pods) {
    const forward = await forwardToPod(kubeConfig, target.namespace, pod, target.port);
    try {
      answers.push({ ...(await sendBan(`${forward.url}/`, table, dataVersion)), pod });
    } finally {
      await forward.close();
    }
  }
  return answers;
}
