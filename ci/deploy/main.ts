/**
 * The one deploy program (ci/deploy/README.md), run by `dagger call deploy` and by `npm run rehearse`:
 *   node --experimental-strip-types ci/deploy/main.ts --env <dev|staging|production> --namespace <ns>
 *     --api-image <repo@sha256:..> --varnish-image <repo@sha256:..> --host <public host> [--values <extra.yaml>]...
 *     [--public-wait <dur>] [--timeout <dur>] [--release maps-api] [--chart <dir>] [--report <file.json>]
 * Cluster: KUBECONFIG (or the default kubeconfig). Exits 0 when deployed and verified through the cluster (what the
 * environment still waits for, a replica or its certificate, is printed as warnings), 1 when a step failed (after
 * rolling back), 2 on bad usage, 3 when the public host answers over HTTPS but not 200 (nothing rolled back).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { deploy, parseDuration, parseImage, type DeployOptions } from './steps.ts';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ENVIRONMENTS = ['dev', 'staging', 'production'];

function options(): { deploy: DeployOptions; report?: string } {
  const { values } = parseArgs({
    options: {
      env: { type: 'string' },
      namespace: { type: 'string' },
      'api-image': { type: 'string' },
      'varnish-image': { type: 'string' },
      host: { type: 'string' },
      values: { type: 'string', multiple: true, default: [] },
      'smoke-tileset': { type: 'string' },
      timeout: { type: 'string', default: '10m' },
      'public-wait': { type: 'string', default: '10m' },
      release: { type: 'string', default: 'maps-api' },
      chart: { type: 'string', default: join(repoRoot, 'charts', 'maps-api') },
      report: { type: 'string' },
    },
  });
  const env = values.env ?? '';
  if (!ENVIRONMENTS.includes(env)) throw new Error(`--env must be one of ${ENVIRONMENTS.join(', ')}`);
  if (!values.namespace) throw new Error('--namespace is required');
  if (!values['api-image'] || !values['varnish-image']) {
    throw new Error('--api-image and --varnish-image are required (repo@sha256:<digest>)');
  }
  // No values file carries a host (it is an input): without it the chart renders no Ingress, and an upgrade would
  // delete the environment's load balancer.
  if (!values.host) throw new Error("--host is required (the environment's public host: the Ingress rule)");
  // The smoke asks for the environment's replica of the sample tileset (environments.json), as `dagger call smoke`.
  const environments = JSON.parse(readFileSync(join(repoRoot, 'environments.json'), 'utf8')) as {
    environments: Record<string, { gcpProject: string }>;
    replica: { dataset: string; table: string };
  };
  const tileset = `${environments.environments[env]!.gcpProject}.${environments.replica.dataset}.${environments.replica.table}`;
  return {
    report: values.report,
    deploy: {
      env,
      namespace: values.namespace,
      release: values.release,
      chart: values.chart,
      apiImage: parseImage(values['api-image']),
      varnishImage: parseImage(values['varnish-image']),
      host: values.host,
      values: values.values,
      smokeTileset: values['smoke-tileset'] ?? tileset,
      timeoutSeconds: parseDuration(values.timeout),
      publicWaitSeconds: parseDuration(values['public-wait']),
      log: (line) => console.log(line),
    },
  };
}

let parsed: ReturnType<typeof options>;
try {
  parsed = options();
} catch (error) {
  console.error(`usage error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}
const kubeConfig = new KubeConfig();
kubeConfig.loadFromDefault();
const report = await deploy(kubeConfig, parsed.deploy);
if (parsed.report) writeFileSync(parsed.report, `${JSON.stringify(report, null, 2)}\n`);
for (const s of report.steps) {
  const label = s.ok ? (s.outcome ?? 'ok').padEnd(7) : 'FAIL   ';
  console.log(`${label} ${s.step} (${s.seconds.toFixed(1)}s)${s.note ? `: ${s.note}` : ''}`);
}
if (!report.ok) {
  console.error(`deploy of ${report.release} to ${report.namespace} (${report.env}) failed: ${report.error}`);
  if (report.rollback) console.error(`rollback: ${report.rollback}`);
  process.exit(1);
}
console.log(
  `deployed ${report.apiImage} and ${report.varnishImage} to ${report.namespace} in ${report.seconds}s`,
);
// GitHub Actions turns these lines into annotations on the run (workflow commands).
for (const line of report.waiting) console.log(`::warning title=${report.env} is waiting::${line}`);
if (report.publicFailed) {
  console.error(
    `the public host fails (the release is verified through the cluster, nothing rolled back): ${report.publicFailed}`,
  );
  process.exit(3);
}
