import type { MeasuredWrk } from '../wrk.js';

/** One wrk run against one server, with what the machine did meanwhile. */
export interface Sample extends MeasuredWrk {
  /** CPU time of the server's processes (all threads, user + system) divided by the answers it gave. */
  serverCpuUsPerAnswer: number;
  /** wrk's CPU time ÷ (run length × wrk threads). */
  wrkCpuShare: number;
  /** 1-minute load average right after the run. */
  load1: number;
}

/**
 * Runs every target once per round, in order on even rounds and in reverse on odd ones (ABBA…): a drift in the
 * machine's load over the run weighs on every target alike, and the targets measured side by side in a round form
 * the pairs that ratios are taken from. The first `warmup` rounds run the same way and are discarded.
 */
export async function pairedRounds<T extends { name: string }, S>(
  targets: readonly T[],
  warmup: number,
  rounds: number,
  measure: (target: T) => Promise<S>,
  log: (round: string, name: T['name'], sample: S) => void = () => undefined,
): Promise<Record<T['name'], S[]>> {
  const kept = Object.fromEntries(targets.map((t) => [t.name, [] as S[]])) as Record<T['name'], S[]>;
  for (let round = 0; round < warmup + rounds; round++) {
    const order = round % 2 === 0 ? targets : [...targets].reverse();
    const label = round < warmup ? `warm-up ${round + 1}` : `round ${round - warmup + 1}`;
    for (const target of order) {
      const sample = await measure(target);
      log(label.padEnd(9), target.name, sample);
      if (round >= warmup) kept[target.name as T['name']].push(sample);
    }
  }
  return kept;
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
