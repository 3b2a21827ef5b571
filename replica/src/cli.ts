// `npm run replicate -w replica -- [source] --dest-project P [flags]`: progress on stderr, report on stdout, exit code
// from exit-codes.ts. Reaches BigQuery only through @google-cloud/bigquery (BIGQUERY_EMULATOR_HOST works).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { BigQuery } from '@google-cloud/bigquery';
import { ExitCode } from './exit-codes.js';
import { provesFreshness, reportFreshness } from './freshness.js';
import { serviceTarget, urlTarget } from './cache-target.js';
import {
  DEFAULT_MODE,
  DEFAULT_SETTLE_MS,
  destinationRef,
  parseKeep,
  parseMode,
  parseSettleMs,
  type ReplicaOptions,
} from './options.js';
import { replicate } from './replicate.js';
import type { Report } from './report.js';
import { parseTableRef, UsageError } from './table-ref.js';

const USAGE = `usage: replicate [project.dataset.table] --dest-project P [--dest-dataset D] [--dest-table T]
  [--mode overwrite|versioned] [--keep N] [--rollback] [--dry-run] [--verify-only]
  [--ban-url URL | --ban-service NAMESPACE/SERVICE[:PORT]] [--settle-ms MS] [--report-freshness] [--json] [--help|-h]
defaults: source, dataset and table from environments.json "replica"; --mode ${DEFAULT_MODE}; --keep 3;
  --settle-ms ${DEFAULT_SETTLE_MS} (the API's table-metadata cache + 1 s: the wait before the ban)
exit codes: 0 done (copied, verified, rolled back, planned), 1 error, 2 usage, 3 already up to date,
  4 verification failed, 5 (--verify-only) the recorded source instant has left time travel: refresh instead,
  6 not servable: stored carto_partition values disagree with the partition scheme (or it is unreadable)`;

interface ReplicaDefaults {
  source: string;
  dataset: string;
  table: string;
}

function defaults(): ReplicaDefaults {
  const file = new URL('../../environments.json', import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as { replica: ReplicaDefaults }).replica;
}

interface CliOptions {
  options: ReplicaOptions;
  json: boolean;
  /** Write the freshness point to Cloud Monitoring after a successful run. */
  reportFreshness: boolean;
}

/** --help/-h anywhere: the usage, whatever else is on the line (people type it after a half-written command). */
function wantsHelp(argv: string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

/** Arguments after `--` are positionals, never flags. */
function endOfOptions(argv: string[]): number {
  const end = argv.indexOf('--');
  return end < 0 ? argv.length : end;
}

function parseOptions(argv: string[]): CliOptions {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'dest-project': { type: 'string' },
      'dest-dataset': { type: 'string' },
      'dest-table': { type: 'string' },
      mode: { type: 'string', default: DEFAULT_MODE },
      keep: { type: 'string', default: '3' },
      rollback: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      'verify-only': { type: 'boolean', default: false },
      'ban-url': { type: 'string' },
      'ban-service': { type: 'string' },
      'settle-ms': { type: 'string', default: String(DEFAULT_SETTLE_MS) },
      'report-freshness': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length > 1) throw new UsageError(`one source table expected, got ${positionals.join(' ')}`);
  if (values.rollback && values['verify-only'])
    throw new UsageError('--rollback and --verify-only exclude each other');
  const replica = defaults();
  const mode = parseMode(values.mode);
  if (values.rollback && mode !== 'versioned') throw new UsageError('--rollback needs --mode versioned');
  const options: ReplicaOptions = {
    source: parseTableRef(positionals[0] ?? replica.source),
    destination: destinationRef(
      values['dest-project'] ?? process.env.GOOGLE_CLOUD_PROJECT,
      values['dest-dataset'] ?? replica.dataset,
      values['dest-table'] ?? replica.table,
    ),
    mode,
    keep: parseKeep(values.keep),
    action: values.rollback ? 'rollback' : values['verify-only'] ? 'verify' : 'refresh',
    dryRun: values['dry-run'],
  };
  if (values['ban-url'] && values['ban-service'])
    throw new UsageError('--ban-url and --ban-service exclude each other');
  const settleMs = parseSettleMs(values['settle-ms']);
  if (values['ban-url']) options.invalidate = { target: urlTarget(values['ban-url']), settleMs };
  if (values['ban-service']) options.invalidate = { target: serviceTarget(values['ban-service']), settleMs };
  return { options, json: values.json, reportFreshness: values['report-freshness'] };
}

function printHuman(report: Report): void {
  console.log(`${report.outcome}: ${report.message}`);
  for (const step of report.plan ?? []) console.log(`  - ${step}`);
  for (const step of report.steps ?? []) console.log(`  done: ${step}`);
  if (report.estimatedVerificationBytes !== undefined) {
    console.log(`  verification would scan ${report.estimatedVerificationBytes} bytes`);
  }
  for (const job of report.jobs)
    console.log(`  ${job.kind} job ${job.id}${job.attached ? ' (attached)' : ''}`);
  for (const difference of report.verification?.schemaDifferences ?? [])
    console.log(`  schema: ${difference}`);
  if (report.partitionCheck && !report.partitionCheck.ok)
    console.log(`  partitions: ${report.partitionCheck.problem}`);
  if (report.freshness) {
    const { ok, error, value } = report.freshness;
    console.log(`  freshness ${ok ? `written: ${value}` : `NOT written: ${error}`}`);
  }
}

/** A failed write is logged and reported but leaves the exit code alone: the copy itself succeeded. */
async function addFreshness(
  report: Report,
  options: ReplicaOptions,
  log: (line: string) => void,
): Promise<void> {
  if (!provesFreshness(report)) {
    log(`freshness not reported: ${report.dryRun ? 'dry run' : `exit code ${report.exitCode}`}`);
    return;
  }
  report.freshness = await reportFreshness(
    options.destination,
    Date.now(),
    process.env.REPLICA_MONITORING_ENDPOINT,
  );
  const { metric, table, value, ok, error } = report.freshness;
  if (ok) log(`freshness: ${metric}{table="${table}"} = ${value}`);
  else log(`warning: freshness metric not written (${error}); exit code unchanged`);
}

async function main(argv: string[]): Promise<number> {
  if (wantsHelp(argv.slice(0, endOfOptions(argv)))) {
    console.log(USAGE);
    return ExitCode.OK;
  }
  let parsed: CliOptions;
  try {
    parsed = parseOptions(argv);
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return ExitCode.USAGE;
  }
  const { options, json } = parsed;
  const log = (line: string) => console.error(`[replica] ${line}`);
  try {
    const bigquery = new BigQuery({ projectId: options.destination.projectId });
    const pollMs = Number(process.env.REPLICA_POLL_MS ?? 2000);
    const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
    const report = await replicate(options, { bigquery, log, pollMs, now: Date.now, sleep });
    if (parsed.reportFreshness) await addFreshness(report, options, log);
    if (json) console.log(JSON.stringify(report, null, 2));
    else printHuman(report);
    return report.exitCode;
  } catch (error) {
    const message = (error as Error).message;
    log(`error: ${message}`);
    if (json) console.log(JSON.stringify({ outcome: 'error', exitCode: ExitCode.ERROR, message }, null, 2));
    return ExitCode.ERROR;
  }
}

process.exitCode = await main(process.argv.slice(2));
