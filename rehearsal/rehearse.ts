/**
 * `npm run rehearse -- --provider kind|source [--keep] [--no-tests]`: the whole delivery on a real cluster and a real
 * registry (rehearsal/README.md). The provider's cluster up -> build and push the API, Varnish and emulator images ->
 * in-cluster BigQuery emulator -> the deploy program (ci/deploy) with the same digests into dev, staging, production in
 * order -> a table -> the real-cluster tests (rehearsal/tests) -> the provider's cluster down unless --keep.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { oneOf, parseCli } from '../tools/cli.js';
import { startEmulator } from './lib/emulator.js';
import { buildAndPush } from './lib/images.js';
import { provider, providerNames, rehearsal, repoRoot, sh, stream } from './lib/kube.js';

interface DeployReport {
  ok: boolean;
  apiImage: string;
  pods: Record<string, string>;
  steps: { step: string; ok: boolean; outcome?: string }[];
  error?: string;
  rollback?: string;
  seconds: number;
}

const USAGE = `Usage: npm run rehearse -- --provider kind|source [--keep] [--no-tests]
The whole delivery on a real cluster and a local registry (rehearsal/README.md).
  --provider    the cluster (or REHEARSAL_PROVIDER; one must be given):
                  kind     kind's cluster from rehearsal/kind/cluster.yaml (pulls its node image: GitHub runners, laptops)
                  source   the one-node cluster built from source, rehearsal/up.sh (no image pulls: this CI; cgroup v1)
  --keep        leave the cluster running afterwards
  --no-tests    deploy the three environments, skip the real-cluster tests
  -h, --help    print this help`;
const flags = parseCli(USAGE, {
  provider: { type: 'string' },
  keep: { type: 'boolean', default: false },
  'no-tests': { type: 'boolean', default: false },
});
// Children (the provider's scripts, the deploy program, the tests) find the provider in the environment.
process.env.REHEARSAL_PROVIDER = oneOf(
  USAGE,
  'provider',
  flags.provider ?? process.env.REHEARSAL_PROVIDER,
  providerNames,
);
const cluster = provider();
const started = Date.now();
const elapsed = (since: number) => ((Date.now() - since) / 1000).toFixed(0);
const say = (line: string) => console.log(`[rehearse +${elapsed(started)}s] ${line}`);
const work = mkdtempSync(join(tmpdir(), 'rehearse-'));
let failed = false;

say(`cluster provider: ${cluster.name}, ${cluster.what}`);
try {
  let t0 = Date.now();
  // One more start after a failed one (the provider's up.sh stops a half-started cluster first): a node that is slow to
  // turn Ready on a machine still busy with the test suite is not a finding; twice is.
  for (let attempt = 1; ; attempt++) {
    if ((await stream('bash', [join(repoRoot, cluster.up)], '[cluster]')) === 0) break;
    if (attempt === 2) throw new Error(`${cluster.up} failed twice`);
    say(`${cluster.up} failed (its output above says why): starting it once more`);
  }
  say(`cluster ready in ${elapsed(t0)}s`);
  t0 = Date.now();
  const images = await buildAndPush();
  say(`images pushed in ${elapsed(t0)}s: ${JSON.stringify(images)}`);
  t0 = Date.now();
  await startEmulator(images.emulator);
  say(`BigQuery emulator ready and seeded in ${elapsed(t0)}s`);

  const rows: string[][] = [];
  for (const env of rehearsal.environments) {
    const namespace = rehearsal.namespaceOf(env);
    // One cluster stands for three: each environment's namespace value follows its rehearsal namespace (the chart
    // refuses a release namespace that differs from values.namespace).
    const namespaceValues = join(work, `namespace-${env}.yaml`);
    writeFileSync(namespaceValues, `namespace: ${namespace}\n`);
    const report = join(work, `report-${env}.json`);
    const code = await stream(
      process.execPath,
      [
        '--import',
        'tsx',
        'ci/deploy/main.ts',
        ...['--env', env, '--namespace', namespace, '--release', rehearsal.release],
        ...['--api-image', images.api, '--varnish-image', images.varnish, '--host', rehearsal.hostOf(env)],
        ...['--values', namespaceValues, '--values', 'rehearsal/rehearsal-values.yaml'],
        // The same smoke as GKE's (through the cluster); the public check is skipped: no load balancer, DNS or
        // certificate exists here for the rehearsal's hosts.
        ...['--timeout', '6m', '--public-wait', '0s', '--report', report],
      ],
      `[deploy ${env}]`,
    );
    const result = JSON.parse(readFileSync(report, 'utf8')) as DeployReport;
    const stepOk = (name: string) => {
      const step = result.steps.find((s) => s.step === name);
      return step ? (step.ok ? (step.outcome ?? 'passed') : 'FAILED') : 'not run';
    };
    rows.push([
      env,
      namespace,
      result.apiImage.slice(result.apiImage.indexOf('@') + 1, result.apiImage.indexOf('@') + 20),
      `api ${result.pods.api ?? '?'}, varnish ${result.pods.varnish ?? '?'}`,
      stepOk('smoke'),
      stepOk('helm test'),
      stepOk('public'),
      result.seconds.toFixed(0),
    ]);
    if (code !== 0 || !result.ok) {
      failed = true;
      say(`deploy to ${env} failed: ${result.error ?? `exit ${code}`}; not promoting further`);
      break;
    }
  }
  printTable(
    ['environment', 'namespace', 'api digest', 'pods ready', 'smoke', 'helm test', 'public', 'seconds'],
    rows,
  );
  say(
    'public: skipped in every environment (no load balancer, DNS or certificate here: only GKE shows them)',
  );

  if (!failed && !flags['no-tests']) {
    t0 = Date.now();
    process.env.REHEARSAL_IMAGES = JSON.stringify(images);
    const code = await stream(
      process.execPath,
      [
        join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs'),
        'run',
        '--config',
        'rehearsal/vitest.config.ts',
      ],
      '[tests]',
    );
    say(`real-cluster tests ${code === 0 ? 'passed' : 'FAILED'} in ${elapsed(t0)}s`);
    failed = code !== 0;
  }
} catch (error) {
  failed = true;
  console.error(error instanceof Error ? error.message : error);
} finally {
  rmSync(work, { recursive: true, force: true });
  if (!flags.keep) {
    const t0 = Date.now();
    await sh('bash', [join(repoRoot, cluster.down)]).catch((e: unknown) => {
      failed = true;
      console.error(e);
    });
    say(`cluster down in ${elapsed(t0)}s`);
  }
  say(`rehearsal ${failed ? 'FAILED' : 'passed'} in ${elapsed(started)}s`);
}
process.exit(failed ? 1 : 0);

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of rows) console.log(line(row));
}
