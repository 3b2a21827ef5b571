/** Process exit codes of the replicate command (documented in docs/bigquery-replica.md). */
export const ExitCode = {
  /** Copied and verified; also: rollback done, --verify-only passed, --dry-run planned. */
  OK: 0,
  /** Anything that went wrong: failed job, location mismatch, permission, network, failed cache ban. */
  ERROR: 1,
  /** Bad flags or identifiers. */
  USAGE: 2,
  /** The destination already holds the source's current state: nothing was copied. */
  UP_TO_DATE: 3,
  /** The copy exists but differs from the source (schema, row count or fingerprints). */
  VERIFICATION_FAILED: 4,
  /**
   * --verify-only: the instant the copy records has left the source's time-travel window and the source changed since,
   * so no honest comparison exists (refresh instead).
   */
  NOT_VERIFIABLE: 5,
  /**
   * The copy equals its source but the API could not serve it pruned: its partition scheme is missing or not
   * understood, or stored rows' carto_partition disagree with it. Not published (no labels, no switch).
   */
  NOT_SERVABLE: 6,
} as const;

export type Outcome =
  | 'copied'
  | 'up-to-date'
  | 'verified'
  | 'verification-failed'
  | 'rolled-back'
  | 'planned'
  | 'not-verifiable'
  | 'not-servable'
  | 'error';

export function exitCodeOf(outcome: Outcome): number {
  switch (outcome) {
    case 'copied':
    case 'verified':
    case 'rolled-back':
    case 'planned':
      return ExitCode.OK;
    case 'up-to-date':
      return ExitCode.UP_TO_DATE;
    case 'verification-failed':
      return ExitCode.VERIFICATION_FAILED;
    case 'not-verifiable':
      return ExitCode.NOT_VERIFIABLE;
    case 'not-servable':
      return ExitCode.NOT_SERVABLE;
    case 'error':
      return ExitCode.ERROR;
  }
}
