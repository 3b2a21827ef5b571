// @module-tag needs-docker
// Every alert and recording rule fires from metrics the cluster really has. The inventory is read from each exporting
// component itself: the API's metric registry (api/src/metrics.ts), our Varnish image's prometheus-varnish-exporter scraped in
// front of a real varnishd with the chart's VCL, GKE's managed kube-state-metrics packages that Terraform enables
// (terraform console of each environment whose chart deploys the rules; gke-kube-state-metrics.yaml lists each
// package's metrics from Google's documentation), the Cloud Monitoring metric the replica job writes, and the series
// GKE Managed Prometheus records from the chart's recording rules.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolsDir } from '@maps-api/emulator';
import { environmentNames, render, testHost } from '../charts/maps-api/tests/chart.js';
import {
  apiMetricNames,
  cloudMonitoringMetricNames,
  inventory,
  kubeStateMetricNames,
  metricsReadBy,
  recordedNames,
  unexported,
} from './metric-inventory.js';
import { REPO_ROOT } from './rule-files.js';
import { exportedNames, startExportedVarnish, type ExportedVarnish } from './varnish-exporter.js';

const RULE_FILES = 'charts/maps-api/files/monitoring';
// The environments whose chart deploys the recording rules and scraping (and whose Terraform the alert policies).
const monitored = environmentNames.filter((env) => render(env).some((object) => object.kind === 'Rules'));

let backend: Server | undefined;
let varnish: ExportedVarnish | undefined;
let workRoot = '';
let varnishNames: string[] = [];
let apiNames: string[] = [];

/** terraform console of envs/<env> in a copy of terraform/ (and the rule files it reads), with a local backend. */
function terraformValue(env: string, expression: string): unknown {
  const dir = join(workRoot, 'terraform', 'envs', env);
  writeFileSync(join(dir, 'backend_override.tf'), 'terraform {\n  backend "local" {}\n}\n');
  const options = {
    cwd: dir,
    encoding: 'utf8' as const,
    timeout: 180_000,
    env: {
      ...process.env,
      TF_CLI_CONFIG_FILE: join(toolsDir(), 'terraform/cli.tfrc'),
      TF_PLUGIN_CACHE_DIR: join(workRoot, '.plugin-cache'),
      TF_IN_AUTOMATION: '1',
      CHECKPOINT_DISABLE: '1',
      TF_VAR_host: testHost(env), // an input with no value in the repository (CI passes it)
      TF_VAR_oncall_email: 'maps-oncall@acme-maps.net', // likewise
    },
  };
  const init = spawnSync('terraform', ['init', '-input=false', '-no-color'], options);
  if (init.error || init.status !== 0) {
    throw new Error(`terraform init in envs/${env}: ${init.error?.message ?? init.stdout + init.stderr}`);
  }
  const evaluated = spawnSync('terraform', ['console', '-no-color'], {
    ...options,
    input: `jsonencode(${expression})\n`,
  });
  if (evaluated.status !== 0) throw new Error(`terraform console in envs/${env}: ${evaluated.stderr}`);
  return JSON.parse(JSON.parse(evaluated.stdout.trim()) as string) as unknown;
}

beforeAll(async () => {
  workRoot = mkdtempSync(join(tmpdir(), 'maps-metric-inventory-'));
  cpSync(join(REPO_ROOT, 'terraform'), join(workRoot, 'terraform'), {
    recursive: true,
    filter: (src) => !['.terraform', '.terraform.lock.hcl'].includes(basename(src)) && !src.endsWith('.ts'),
  });
  cpSync(join(REPO_ROOT, RULE_FILES), join(workRoot, RULE_FILES), { recursive: true });
  backend = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => backend!.listen(0, '127.0.0.1', resolve));
  varnish = await startExportedVarnish((backend.address() as AddressInfo).port);
  varnishNames = [...exportedNames(await varnish.scrape())];
  apiNames = await apiMetricNames();
}, 300_000);

afterAll(async () => {
  await varnish?.stop();
  backend?.close();
  if (workRoot) rmSync(workRoot, { recursive: true, force: true });
});

const sourcesFor = (gkeComponents: string[]) => ({
  'API (api/src/metrics.ts)': apiNames,
  'prometheus-varnish-exporter': varnishNames,
  [`GKE kube-state-metrics (${gkeComponents.join(', ')})`]: kubeStateMetricNames(gkeComponents),
  'Cloud Monitoring (replica job)': cloudMonitoringMetricNames(),
  'GMP rule evaluator (recording rules)': recordedNames(),
});

describe('every metric a rule reads is exported by a component the environment runs', () => {
  it('reads PromQL with Prometheus grammar, and refuses what does not parse', () => {
    expect(metricsReadBy('sum by (le) (rate(a_bucket{x="kube_fake"}[5m])) / on() b:c:d')).toEqual([
      'a_bucket',
      'b:c:d',
    ]);
    expect(() => metricsReadBy('sum(rate(a[5m])')).toThrow(/does not parse/);
    expect(monitored.length).toBeGreaterThan(0);
    expect(varnishNames).toContain('varnish_main_client_req');
    expect(apiNames).toContain('http_request_duration_seconds_bucket');
  });

  it.each(monitored)(
    '%s: every alert and recording rule reads only metrics an enabled component exports',
    (env) => {
      const components = terraformValue(env, 'module.environment.alerting.monitoring_components') as string[];
      expect(unexported(inventory(sourcesFor(components)))).toEqual([]);
    },
    300_000,
  );

  it('names the rule and the metric when a component is off (the check can fail)', () => {
    const withoutKubeState = unexported(inventory(sourcesFor(['SYSTEM_COMPONENTS'])));
    expect(withoutKubeState).toContain(
      'MapsApiPodsBelowFive (kubernetes.yaml): kube_deployment_status_replicas_available',
    );
  });
});
