// Shared helpers for the chart's tests: run the real helm and kubeconform, render an environment, find objects.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const chartDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = join(chartDir, '..', '..');
export const releaseName = 'maps-api';

// Loose shape of a rendered Kubernetes object: tests walk arbitrary manifests, and a wrong guess fails an expect.
/* eslint-disable @typescript-eslint/no-explicit-any */
export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; [k: string]: any };
  [k: string]: any;
};
/* eslint-enable @typescript-eslint/no-explicit-any */

type EnvironmentsFile = {
  environments: Record<string, { gcpProject: string; namespace: string; hostVariable: string }>;
  replica: { source: string; dataset: string; table: string };
};
export const environmentsFile = JSON.parse(
  readFileSync(join(repoRoot, 'environments.json'), 'utf8'),
) as EnvironmentsFile;
export const environmentNames = Object.keys(environmentsFile.environments);

export function namespaceOf(environment: string): string {
  const entry = environmentsFile.environments[environment];
  if (!entry) throw new Error(`unknown environment ${environment}`);
  return entry.namespace;
}

export type RunResult = { status: number; stdout: string; stderr: string };

/** Runs a tool found on PATH (tools/install.sh puts it there); a missing tool is a failure with a clear message. */
export function run(tool: string, args: string[], input?: string): RunResult {
  const result = spawnSync(tool, args, { encoding: 'utf8', input, maxBuffer: 64 * 1024 * 1024 });
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error(`${tool} is not installed: run tools/install.sh 30-helm 31-k8s-schemas`);
  }
  if (result.error) throw result.error;
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** The GKE Kubernetes version the chart targets: rendering capabilities and the validation schemas both use it. */
export const kubernetesVersion = (() => {
  const versions = readFileSync(join(repoRoot, 'tools', 'versions.env'), 'utf8');
  const version = /^KUBERNETES_SCHEMA_VERSION=(v\d+\.\d+\.\d+)$/m.exec(versions)?.[1];
  if (!version) throw new Error('KUBERNETES_SCHEMA_VERSION missing from tools/versions.env');
  return version;
})();

/** The host the tests give an environment: a real one is an input (the deploy's --host), never a repository fact. */
export const testHost = (environment: string) => `maps-api.${environment}.acme-maps.net`;

/** A values file with the test host (a file, not --set, so values files a test adds after it still win). */
function testHostValues(environment: string): string {
  const file = join(tmpdir(), `maps-api-chart-test-host-${environment}.yaml`);
  writeFileSync(file, `ingress:\n  host: ${testHost(environment)}\n`);
  return file;
}

export function helmTemplateArgs(environment: string, extra: string[] = []): string[] {
  return [
    'template',
    releaseName,
    chartDir,
    '--kube-version',
    kubernetesVersion,
    '--namespace',
    namespaceOf(environment),
    '--values',
    join(chartDir, `values-${environment}.yaml`),
    '--values',
    testHostValues(environment),
    ...extra,
  ];
}

/** `helm lint --strict` of one environment's values plus extra values files. */
export function helmLintArgs(environment: string, extraValues: string[] = []): string[] {
  const values = [join(chartDir, `values-${environment}.yaml`), ...extraValues].flatMap((f) => [
    '--values',
    f,
  ]);
  return [
    'lint',
    '--strict',
    chartDir,
    '--kube-version',
    kubernetesVersion,
    '--namespace',
    namespaceOf(environment),
    ...values,
  ];
}

/** `helm template` for one environment (with optional --set/--values extras); throws with helm's stderr on failure. */
export function renderText(environment: string, extra: string[] = []): string {
  const result = run('helm', helmTemplateArgs(environment, extra));
  if (result.status !== 0) throw new Error(`helm template ${environment} failed:\n${result.stderr}`);
  return result.stdout;
}

export function parseObjects(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`rendered YAML does not parse: ${doc.errors[0]?.message}`);
      return doc.toJS() as K8sObject | null;
    })
    .filter((o): o is K8sObject => o !== null);
}

export function render(environment: string, extra: string[] = []): K8sObject[] {
  return parseObjects(renderText(environment, extra));
}

export function find(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) {
    const have = objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ');
    throw new Error(`no ${kind}/${name} rendered (have: ${have})`);
  }
  return found;
}

export const apiName = `${releaseName}-api`;
export const varnishName = `${releaseName}-varnish`;
