/** Shared by the real-cluster tests: the cluster's API clients, the pushed images, the deploy CLI, bounded load. */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppsV1Api, CoreV1Api, KubeConfig, PolicyV1Api, type V1Pod } from '@kubernetes/client-node';
import type { Images } from '../lib/images.js';
import { rehearsal, repoRoot, toolEnv } from '../lib/kube.js';

export const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(rehearsal.kubeconfig);
export const core = kubeConfig.makeApiClient(CoreV1Api);
export const apps = kubeConfig.makeApiClient(AppsV1Api);
export const policy = kubeConfig.makeApiClient(PolicyV1Api);

export function images(): Images {
  const json = process.env.REHEARSAL_IMAGES;
  if (!json) throw new Error('REHEARSAL_IMAGES is not set: run these tests through `npm run rehearse`');
  return JSON.parse(json) as Images;
}

export const apiDeployment = `${rehearsal.release}-api`;
export const varnishDeployment = `${rehearsal.release}-varnish`;
export const varnishService = `${rehearsal.release}-varnish`;

export function isReady(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

export async function podsOf(namespace: string, component: string): Promise<V1Pod[]> {
  const list = await core.listNamespacedPod({
    namespace,
    labelSelector: `app.kubernetes.io/instance=${rehearsal.release},app.kubernetes.io/component=${component}`,
  });
  return list.items;
}

/** Polls until `check` holds (bounded); returns the seconds it took. */
export async function waitFor(what: string, seconds: number, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < seconds * 1000) {
    if (await check().catch(() => false)) return (Date.now() - started) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error(`${what}: not within ${seconds}s`);
}

export async function deploymentReady(namespace: string, name: string, replicas: number): Promise<boolean> {
  const d = await apps.readNamespacedDeployment({ name, namespace });
  const s = d.status ?? {};
  return (
    (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) &&
    s.readyReplicas === replicas &&
    s.updatedReplicas === replicas &&
    s.replicas === replicas
  );
}

export interface DeployRun {
  code: number;
  output: string;
}

/** The deploy program exactly as the rehearsal and the pipeline run it. */
export function runDeploy(
  env: string,
  apiImage: string,
  extra: string[] = [],
  namespace = rehearsal.namespaceOf(env),
): Promise<DeployRun> {
  const dir = mkdtempSync(join(tmpdir(), 'deploy-test-'));
  const namespaceValues = join(dir, 'namespace.yaml');
  writeFileSync(namespaceValues, `namespace: ${namespace}\n`);
  const args = [
    '--import',
    'tsx',
    'ci/deploy/main.ts',
    ...['--env', env, '--namespace', namespace, '--release', rehearsal.release],
    ...['--api-image', apiImage, '--varnish-image', images().varnish, '--host', rehearsal.hostOf(env)],
    ...['--values', namespaceValues, '--values', 'rehearsal/rehearsal-values.yaml'],
    ...['--public-wait', '0s'],
    ...extra,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: repoRoot, env: toolEnv() });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

export interface LoadResult {
  requests: number;
  failures: string[];
  /** X-Served-By of every answer (a cache hit repeats the pod that filled the object). */
  servedBy: Set<string>;
  /** X-Served-By of answers the API gave to this very request (X-Cache MISS or PASS). */
  answeredBy: Set<string>;
  /** Why the load ended: `stop()` said so, or it ran into its request or time bound. */
  endedBy: 'stop' | 'maxRequests' | 'maxSeconds';
}

/** One request of a load: a path on the target and the statuses that count as answered. */
export interface LoadRequest {
  path: string;
  ok: readonly number[];
}

/**
 * Bounded load to a loopback base URL: one worker per plan, each taking `plan(n)` for its n-th request (at most one
 * every `paceMs`) and stopping at `stop()` or once all workers together sent `maxRequests` or ran `maxSeconds`. An
 * answer whose status is not in the request's `ok` list, or a network error (10 s timeout included), is a failure.
 */
export async function load(
  base: string,
  plans: ((n: number) => LoadRequest)[],
  options: { maxRequests: number; maxSeconds: number; paceMs?: number; stop: () => boolean },
): Promise<LoadResult> {
  const result: LoadResult = {
    requests: 0,
    failures: [],
    servedBy: new Set(),
    answeredBy: new Set(),
    endedBy: 'stop',
  };
  const deadline = Date.now() + options.maxSeconds * 1000;
  const go = () => {
    if (options.stop()) return false;
    if (result.requests >= options.maxRequests) result.endedBy = 'maxRequests';
    else if (Date.now() >= deadline) result.endedBy = 'maxSeconds';
    else return true;
    return false;
  };
  const worker = async (plan: (n: number) => LoadRequest) => {
    for (let n = 0; go(); n++) {
      const { path, ok } = plan(n);
      result.requests += 1;
      const started = Date.now();
      try {
        const response = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(10_000) });
        await response.arrayBuffer();
        if (!ok.includes(response.status))
          result.failures.push(`${response.status} ${response.statusText} ${path}`);
        const servedBy = response.headers.get('x-served-by');
        if (servedBy) {
          result.servedBy.add(servedBy);
          if (/^(MISS|PASS)/.test(response.headers.get('x-cache') ?? '')) result.answeredBy.add(servedBy);
        }
      } catch (error) {
        result.failures.push(`${error instanceof Error ? error.message : String(error)} ${path}`);
      }
      const pause = (options.paceMs ?? 0) - (Date.now() - started);
      if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
    }
  };
  await Promise.all(plans.map(worker));
  return result;
}
