// The instant the source is read at (copy decorator and FOR SYSTEM_TIME AS OF). lastModifiedTime is in milliseconds,
// truncated: a commit a fraction of a millisecond after it is invisible to a read *at* it, and every later run would
// find the labels matching the source's lastModifiedTime and report "up to date" forever. So the tool reads a second
// later, once that instant has passed (BigQuery refuses to read the future).
import type { BigQuery } from '@google-cloud/bigquery';
import type { TableRef } from './table-ref.js';

export const COMMIT_MARGIN_MS = 1000;
/** Longer than this means the machine's clock is behind BigQuery's: fail instead of sleeping on it. */
export const MAX_WAIT_MS = 10_000;
/** Stay this far inside the time-travel window: a read at its very edge may be refused by the time it runs. */
const WINDOW_SAFETY_MS = 3600_000;
/** BigQuery's default time-travel window (datasets may set 48 to 168 hours). */
const DEFAULT_WINDOW_HOURS = 168;

export interface Clock {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

/** The source dataset's time-travel window (maxTimeTravelHours), in ms. */
export async function timeTravelWindowMs(bigquery: BigQuery, table: TableRef): Promise<number> {
  const [metadata] = await bigquery.dataset(table.datasetId, { projectId: table.projectId }).getMetadata();
  const hours = Number(
    (metadata as { maxTimeTravelHours?: string }).maxTimeTravelHours ?? DEFAULT_WINDOW_HOURS,
  );
  return (Number.isFinite(hours) && hours > 0 ? hours : DEFAULT_WINDOW_HOURS) * 3600_000;
}

export function isWithinTimeTravel(instant: number, now: number, windowMs: number): boolean {
  return now - instant < windowMs - WINDOW_SAFETY_MS;
}

/**
 * An instant that covers the source's last commit. When even that instant has left time travel the table has not
 * changed since, so a recent instant (now - 1 min) reads the same state.
 */
export function readInstantFor(lastModified: number, now: number, windowMs: number): number {
  const covering = lastModified + COMMIT_MARGIN_MS;
  return isWithinTimeTravel(covering, now, windowMs) ? covering : now - 60_000;
}

/** Waits (bounded) until `instant` is in the past. */
export async function waitUntilPast(instant: number, clock: Clock): Promise<void> {
  const ahead = instant - clock.now() + 1;
  if (ahead <= 0) return;
  if (ahead > MAX_WAIT_MS) {
    throw new Error(
      `the source's read instant ${new Date(instant).toISOString()} is ${ahead} ms ahead of this machine's clock ` +
        `(more than ${MAX_WAIT_MS} ms): is the clock behind? (check NTP)`,
    );
  }
  await clock.sleep(ahead);
}
