import type { BanResult } from './ban.js';
import { exitCodeOf, type Outcome } from './exit-codes.js';
import type { FreshnessResult } from './freshness.js';
import type { JobRecord } from './jobs.js';
import type { Action, Mode } from './options.js';
import type { PartitionCheck } from './partitions.js';
import type { Verification } from './verify.js';

export interface Report {
  outcome: Outcome;
  exitCode: number;
  action: Action;
  mode: Mode;
  dryRun: boolean;
  source: string;
  destination: string;
  location?: string;
  /** The source's lastModifiedTime: the state that was (or would be) copied. */
  sourceSnapshot?: string;
  /** The instant the source was read at (time travel); equals sourceSnapshot unless that is too old to travel to. */
  sourceReadTime?: string;
  version?: string;
  jobs: JobRecord[];
  verification?: Verification;
  /** Whether the API can serve the copy pruned (its partition scheme and a sample of stored rows agree). */
  partitionCheck?: PartitionCheck;
  prunedVersions?: string[];
  /** --dry-run: what a real run would do (plan.ts, one line per step). */
  plan?: string[];
  /** A real run: the steps it executed, described as the dry run describes them. */
  steps?: string[];
  estimatedVerificationBytes?: number;
  ban?: BanResult;
  /** --report-freshness: the Cloud Monitoring point written after a successful run (ok: false if that failed). */
  freshness?: FreshnessResult;
  message: string;
}

export function finish(report: Omit<Report, 'exitCode'>): Report {
  return { ...report, exitCode: exitCodeOf(report.outcome) };
}
