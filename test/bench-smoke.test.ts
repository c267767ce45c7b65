// The benchmark harness's statistics: medians, per-round ratios, rotation.
import { describe, expect, it } from 'vitest';
import { compare, median, perRoundRatios, quantile, rotation } from '../bench/harness.mjs';

describe('bench harness statistics', () => {
  it('takes the median of odd and even counts without reordering the input', () => {
    const xs = [5, 1, 3];
    expect(median(xs)).toBe(3);
    expect(xs).toEqual([5, 1, 3]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('interpolates quantiles', () => {
    expect(quantile([1, 2, 3, 4, 5], 0.5)).toBe(3);
    expect(quantile([0, 10], 0.9)).toBe(9);
  });

  it('divides each round by that round\'s baseline, skipping rounds without either', () => {
    const rounds = [{ a: 10, b: 20 }, { a: 5, b: 20 }, { b: 30 }, { a: 2, b: 3 }];
    expect(perRoundRatios(rounds, 'b', 'a')).toEqual([2, 4, 1.5]);
    expect(median(perRoundRatios(rounds, 'b', 'a'))).toBe(2);
  });

  it('rotates the order by one each round', () => {
    expect(rotation(['a', 'b', 'c'], 0)).toEqual(['a', 'b', 'c']);
    expect(rotation(['a', 'b', 'c'], 1)).toEqual(['b', 'c', 'a']);
    expect(rotation(['a', 'b', 'c'], 4)).toEqual(['b', 'c', 'a']);
  });

  it('runs contenders and reports a baseline ratio of exactly 1', async () => {
    let sink = 0;
    const results = await compare({
      baseline: 'one',
      rounds: 2,
      time: 5,
      warmupTime: 1,
      warmupRounds: 0,
      contenders: [
        { name: 'one', calls: 10, fn: () => { for (let i = 0; i < 10; i++) sink += i; } },
        { name: 'two', calls: 10, fn: () => { for (let i = 0; i < 20; i++) sink += i; } },
      ],
    });
    expect(results.map((r) => r.name)).toEqual(['one', 'two']);
    expect(results[0]!.ratio).toBe(1);
    expect(results[0]!.baseline).toBe(true);
    expect(results[1]!.ratios).toHaveLength(2);
    expect(sink).toBeGreaterThan(0);
  });
});
