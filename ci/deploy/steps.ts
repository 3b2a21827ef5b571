/**
 * The deploy steps, in order: namespace (Pod Security `restricted`) -> helm upgrade --install --atomic --wait by
 * digest (both Deployments use maxUnavailable 0, so helm's wait means every replica of the newest ReplicaSet is
 * ready) -> smoke through the cluster (a port-forward to the Varnish Service: no DNS, no
 * certificate) -> helm test -> the public check of https://<host> (bounded, never rolls back). On a failure from the
 * upgrade to helm test, the release is rolled back to the revision that was deployed before (a first release is
 * uninstalled: there is no revision 0 to return to; the chart keeps its Ingress, so the load balancer's address and
 * certificate binding survive); the error reported is the original one, with what the pods said while it happened.
 * A tileset that does not exist yet (the environment's replica before its first refresh) is no failure: the deploy
 * says what to run and skips the checks that read it.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CoreV1Api, NetworkingV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { MissingTable, runSmoke } from '../smoke/checks.ts';
import { smokeTableOf } from '../smoke/tables.ts';
import { checkPublic } from '../smoke/public.ts';
import { forwardToService } from './port-forward.ts';

const run = promisify(execFile);

export interface ImageRef {
  repository: string;
  digest: string;
}

export interface DeployOptions {
  env: string;
  namespace: string;
  release: string;
  chart: string;
  apiImage: ImageRef;
  varnishImage: ImageRef;
  /** The environment's public host (the Ingress rule; no values file carries one). */
  host: string;
  /** Extra values files, after values-<env>.yaml (later files win). */
  values: string[];
  smokeTileset: string;
  timeoutSeconds: number;
  /** How long the public check waits for https://<host> to answer; 0 skips it (a cluster without load balancers). */
  publicWaitSeconds: number;
  log: (line: string) => void;
}

export type StepName = 'namespace' | 'helm upgrade' | 'smoke' | 'helm test' | 'public';

export interface StepResult {
  step: StepName;
  ok: boolean;
  seconds: number;
  /** Passed without judging everything: skipped (what it needs is missing) or still waiting (DNS, certificate). */
  outcome?: 'skipped' | 'waiting';
  note?: string;
}

export interface DeployReport {
  env: string;
  namespace: string;
  release: string;
  apiImage: string;
  varnishImage: string;
  ok: boolean;
  steps: StepResult[];
  /** Ready pods per component after the run, e.g. { api: '5/5', varnish: '1/1' }. */
  pods: Record<string, string>;
  error?: string;
  rollback?: string;
  /** What the environment still waits for, and what to run: the deploy itself is done (exit 0, with warnings). */
  waiting: string[];
  /** The public host answered over HTTPS, but not 200 (exit 3: nothing rolled back, the cluster smoke passed). */
  publicFailed?: string;
  seconds: number;
}

export const API_REPLICAS = 5;
export const VARNISH_REPLICAS = 1;
export const POD_SECURITY_LABELS = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/enforce-version': 'latest',
  'pod-security.kubernetes.io/warn': 'restricted',
  'pod-security.kubernetes.io/audit': 'restricted',
};

export function parseImage(reference: string): ImageRef {
  const match = /^([a-z0-9][a-z0-9._:/-]*)@(sha256:[a-f0-9]{64})$/.exec(reference);
  if (!match) throw new Error(`not an image digest reference (repo@sha256:<64 hex>): ${reference}`);
  return { repository: match[1]!, digest: match[2]! };
}

/** Go-style durations as helm takes them (`90s`, `10m`, `1h30m`) to seconds. */
export function parseDuration(text: string): number {
  if (text === '0') return 0;
  const parts = [...text.matchAll(/(\d+)(h|m|s)/g)];
  if (!parts.length || parts.map((p) => p[0]).join('') !== text) throw new Error(`bad duration: ${text}`);
  const unit = { h: 3600, m: 60, s: 1 } as const;
  return parts.reduce((sum, p) => sum + Number(p[1]) * unit[p[2] as keyof typeof unit], 0);
}

/** A step that passed without judging everything (void: it judged everything). */
type Outcome = { outcome: 'skipped' | 'waiting'; note: string } | void;

class StepFailed extends Error {
  readonly step: StepName;
  constructor(step: StepName, message: string) {
    super(message);
    this.step = step;
  }
}

export async function deploy(kubeConfig: KubeConfig, options: DeployOptions): Promise<DeployReport> {
  const started = Date.now();
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const report: DeployReport = {
    env: options.env,
    namespace: options.namespace,
    release: options.release,
    apiImage: `${options.apiImage.repository}@${options.apiImage.digest}`,
    varnishImage: `${options.varnishImage.repository}@${options.varnishImage.digest}`,
    ok: false,
    steps: [],
    pods: {},
    waiting: [],
    seconds: 0,
  };
  const step = async (name: StepName, body: () => Promise<Outcome>): Promise<Outcome> => {
    const t0 = Date.now();
    options.log(`==> ${name}`);
    try {
      const result = await body();
      report.steps.push({ step: name, ok: true, seconds: (Date.now() - t0) / 1000, ...(result ?? {}) });
      if (result) options.log(`${name}: ${result.outcome}: ${result.note}`);
      return result;
    } catch (error) {
      report.steps.push({ step: name, ok: false, seconds: (Date.now() - t0) / 1000 });
      throw error instanceof StepFailed ? error : new StepFailed(name, messageOf(error));
    }
  };

  let previous: number | undefined;
  try {
    await step('namespace', async () => ensureNamespace(core, options.namespace));
    previous = await deployedRevision(options);
    const watcher = watchPods(core, options);
    try {
      await step('helm upgrade', async () => void (await helmUpgrade(options)));
    } catch (error) {
      // --atomic has already rolled back (or uninstalled a first release); what the pods said is gone with them.
      const reasons = watcher.stop();
      report.rollback =
        previous === undefined
          ? 'first release: uninstalled by --atomic'
          : `rolled back by --atomic to revision ${previous}`;
      throw new StepFailed('helm upgrade', `${messageOf(error)}${reasons ? `\npods said:\n${reasons}` : ''}`);
    }
    watcher.stop();
    const smoked = await step('smoke', () => smoke(kubeConfig, options));
    if (smoked) {
      report.waiting.push(smoked.note);
      await step('helm test', async () => ({
        outcome: 'skipped',
        note: `it reads ${options.smokeTileset} too`,
      }));
    } else {
      await step('helm test', () => helmTest(core, options));
    }
    report.ok = true;
    await step('public', () => publicCheck(kubeConfig, options, report));
  } catch (error) {
    report.error = messageOf(error);
    if (error instanceof StepFailed && !['namespace', 'helm upgrade', 'public'].includes(error.step)) {
      report.rollback = await rollBack(options, previous).catch(
        (e) => `rollback failed too: ${messageOf(e)}`,
      );
    }
  } finally {
    report.pods = await readyPods(core, options).catch(() => ({}));
    report.seconds = (Date.now() - started) / 1000;
  }
  return report;
}

function scope(options: DeployOptions): string[] {
  return ['--namespace', options.namespace, '--timeout', `${options.timeoutSeconds}s`];
}

async function helm(options: DeployOptions, args: string[]): Promise<string> {
  try {
    const { stdout } = await run('helm', args, { maxBuffer: 64 * 1024 * 1024 });
    options.log(stdout.trim());
    return stdout;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(
      `helm ${args[0]} failed: ${stderr.trim() || messageOf(error)}${stdout ? `\n${stdout.trim()}` : ''}`,
      { cause: error },
    );
  }
}

async function ensureNamespace(core: CoreV1Api, name: string): Promise<void> {
  const existing = await core.readNamespace({ name }).catch((error: unknown) => {
    if ((error as { code?: number }).code === 404) return undefined;
    throw error;
  });
  if (!existing) {
    await core.createNamespace({ body: { metadata: { name, labels: POD_SECURITY_LABELS } } });
    return;
  }
  const labels = existing.metadata?.labels ?? {};
  if (Object.entries(POD_SECURITY_LABELS).every(([k, v]) => labels[k] === v)) return;
  existing.metadata = { ...existing.metadata, labels: { ...labels, ...POD_SECURITY_LABELS } };
  await core.replaceNamespace({ name, body: existing });
}

/** The revision currently deployed, or undefined for a first release (none, or only failed ones). */
async function deployedRevision(options: DeployOptions): Promise<number | undefined> {
  const history = await run('helm', [
    'history',
    options.release,
    '--namespace',
    options.namespace,
    '-o',
    'json',
  ])
    .then(({ stdout }) => JSON.parse(stdout) as { revision: number; status: string }[])
    .catch(() => []);
  return history.filter((h) => h.status === 'deployed').at(-1)?.revision;
}

async function helmUpgrade(options: DeployOptions): Promise<string> {
  const set = (key: string, value: string) => ['--set', `${key}=${value}`];
  return helm(options, [
    'upgrade',
    '--install',
    options.release,
    options.chart,
    ...scope(options),
    '--values',
    `${options.chart}/values-${options.env}.yaml`,
    ...options.values.flatMap((file) => ['--values', file]),
    ...set('images.api.repository', options.apiImage.repository),
    ...set('images.api.digest', options.apiImage.digest),
    ...set('images.varnish.repository', options.varnishImage.repository),
    ...set('images.varnish.digest', options.varnishImage.digest),
    ...set('ingress.host', options.host),
    '--atomic',
    '--wait',
    '--history-max',
    '20',
  ]);
}

/** The GeoJSON table the smoke reads: the sample table where the environment's values serve it (ci/smoke/tables.ts). */
export function smokeTable(chart: string, env: string): string {
  const read = (file: string) => readFileSync(join(chart, file), 'utf8');
  return smokeTableOf(read(`values-${env}.yaml`), read('values.yaml'));
}

/**
 * Through the cluster, as a user's request would go past the load balancer: a loopback port-forward to the Varnish
 * Service (the Kubernetes API's), so it needs neither DNS nor the certificate. A tileset that does not exist is not
 * the release's fault: the environment's replica is made by the replica workflow (first deploy, step 7).
 */
async function smoke(kubeConfig: KubeConfig, options: DeployOptions): Promise<Outcome> {
  const forward = await forwardToService(kubeConfig, options.namespace, `${options.release}-varnish`, 8080);
  try {
    await untilVarnishReachesApi(forward.url, options);
    await runSmoke({
      url: forward.url,
      tileset: options.smokeTileset,
      tile: '0/0/0',
      table: smokeTable(options.chart, options.env),
      geomField: 'geom',
      healthOnly: false,
      log: options.log,
    });
  } catch (error) {
    if (!(error instanceof MissingTable)) throw error;
    return {
      outcome: 'waiting',
      note:
        `the tileset ${error.table} does not exist yet (${error.message}). The release is up and answered every other ` +
        `check; make the replica: gh workflow run replica.yml ` +
        `-f env=${options.env} -f dry-run=false -f invalidate=false (docs/infrastructure.md, first deploy step 7), ` +
        `then run this deploy again`,
    };
  } finally {
    await forward.close();
  }
}

/** The public host, bounded: waiting for DNS or the certificate is reported; an HTTPS answer other than 200 fails. */
async function publicCheck(
  kubeConfig: KubeConfig,
  options: DeployOptions,
  report: DeployReport,
): Promise<Outcome> {
  if (options.publicWaitSeconds === 0) {
    return { outcome: 'skipped', note: `https://${options.host} not checked (--public-wait 0)` };
  }
  const networking = kubeConfig.makeApiClient(NetworkingV1Api);
  const result = await checkPublic({
    host: options.host,
    waitSeconds: options.publicWaitSeconds,
    ingressAddress: async () =>
      (await networking.readNamespacedIngress({ name: options.release, namespace: options.namespace })).status
        ?.loadBalancer?.ingress?.[0]?.ip,
    log: options.log,
  });
  if (result.ok) return;
  if (result.failed) {
    report.publicFailed = result.assessment.message;
    throw new Error(result.assessment.message);
  }
  const note = `after ${Math.round(result.seconds)}s: ${result.assessment.message}`;
  report.waiting.push(`public (${result.assessment.stage}): ${note}`);
  return { outcome: 'waiting', note };
}

/**
 * Varnish turns ready before its health probe has seen the API healthy (3 good probes): until then it answers 503.
 * Wait for that (bounded), so the smoke judges the release, not the probe's warm-up.
 */
async function untilVarnishReachesApi(url: string, options: DeployOptions): Promise<void> {
  const deadline = Date.now() + 60_000;
  let last = '';
  while (Date.now() < deadline) {
    const status = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5000) }).then(
      (r) => r.status,
      (e: unknown) => messageOf(e),
    );
    if (status === 200) return;
    last = String(status);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  options.log(`Varnish still answers /healthz with ${last} after 60s`);
}

/** `helm test`; on failure the test pods' logs join the error (the chart deletes them only when they pass). */
async function helmTest(core: CoreV1Api, options: DeployOptions): Promise<void> {
  try {
    await helm(options, ['test', options.release, ...scope(options)]);
  } catch (error) {
    const pods = await core.listNamespacedPod({
      namespace: options.namespace,
      labelSelector: `app.kubernetes.io/instance=${options.release},app.kubernetes.io/component=test`,
    });
    const logs = await Promise.all(
      pods.items.map((p) =>
        core
          .readNamespacedPodLog({ name: p.metadata!.name!, namespace: options.namespace, tailLines: 40 })
          .then(
            (log) => `--- ${p.metadata!.name} ---\n${log}`,
            () => '',
          ),
      ),
    );
    throw new Error(`${messageOf(error)}\n${logs.join('\n')}`.trim(), { cause: error });
  }
}

async function rollBack(options: DeployOptions, previous: number | undefined): Promise<string> {
  if (previous === undefined) {
    await helm(options, ['uninstall', options.release, ...scope(options), '--wait']);
    return 'first release: uninstalled (its Ingress kept: helm.sh/resource-policy keep)';
  }
  await helm(options, ['rollback', options.release, String(previous), ...scope(options), '--wait']);
  return `rolled back to revision ${previous}`;
}

/**
 * While helm waits, remembers why the release's pods are not ready (waiting/terminated reasons, failing probes'
 * events): --atomic deletes those pods before helm returns, so this is the only moment their reasons exist.
 */
function watchPods(core: CoreV1Api, options: DeployOptions) {
  const seen = new Map<string, string>();
  let stopped = false;
  const poll = async () => {
    while (!stopped) {
      await describeNotReady(core, options, seen).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  };
  void poll();
  return {
    stop(): string {
      stopped = true;
      return [...seen.values()].join('\n');
    },
  };
}

async function describeNotReady(core: CoreV1Api, options: DeployOptions, seen: Map<string, string>) {
  const pods = await core.listNamespacedPod({
    namespace: options.namespace,
    labelSelector: `app.kubernetes.io/instance=${options.release}`,
  });
  const events = await core.listNamespacedEvent({ namespace: options.namespace });
  for (const pod of pods.items.filter((p) => !isReady(p) && !p.metadata?.deletionTimestamp)) {
    const name = pod.metadata?.name ?? '?';
    const warnings = events.items
      .filter((e) => e.type === 'Warning' && e.involvedObject.name === name)
      .map((e) => `    ${e.reason}: ${e.message ?? ''}`.trimEnd());
    const reasons = (pod.status?.containerStatuses ?? []).map((c) => {
      const state = c.state?.waiting ?? c.state?.terminated;
      return `${c.name}: ${state?.reason ?? (c.ready ? 'ready' : 'running, not ready')}${state?.message ? ` (${state.message})` : ''}`;
    });
    const line = `  pod ${name}: ${reasons.join('; ') || `phase ${pod.status?.phase ?? 'unknown'}`}`;
    if (reasons.length || warnings.length) seen.set(name, [line, ...new Set(warnings)].join('\n'));
  }
}

function isReady(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

async function readyPods(core: CoreV1Api, options: DeployOptions): Promise<Record<string, string>> {
  const pods = await core.listNamespacedPod({
    namespace: options.namespace,
    labelSelector: `app.kubernetes.io/instance=${options.release}`,
  });
  const want: Record<string, number> = { api: API_REPLICAS, varnish: VARNISH_REPLICAS };
  return Object.fromEntries(
    Object.entries(want).map(([component, replicas]) => {
      const ready = pods.items.filter(
        (p) =>
          p.metadata?.labels?.['app.kubernetes.io/component'] === component &&
          isReady(p) &&
          !p.metadata?.deletionTimestamp,
      ).length;
      return [component, `${ready}/${replicas}`];
    }),
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
