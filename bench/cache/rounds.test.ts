import { describe, expect, it } from 'vitest';
import { median, pairedRounds } from './rounds.js';

describe('paired benchmark rounds', () => {
  it('alternates the order every round (ABBA) and discards the warm-up rounds', async () => {
    const calls: string[] = [];
    let clock = 0;
    const kept = await pairedRounds([{ name: 'varnish' }, { name: 'nginx' }], 1, 3, async ({ name }) => {
      calls.push(name);
      return clock++;
    });
    expect(calls).toEqual(['varnish', 'nginx', 'nginx', 'varnish', 'varnish', 'nginx', 'nginx', 'varnish']);
    // Round 1 of the warm-up (samples 0 and 1) is gone; each kept round pairs adjacent runs.
    expect(kept).toEqual({ varnish: [3, 4, 7], nginx: [2, 5, 6] });
  });

  it('takes the median of an odd or even number of values', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});
