import { describe, expect, it } from 'vitest';
import { countBy, isCrossCurrency, percentile, summarizeLatencies, throughputPerSecond } from '../../src/payments/load-stats.js';

describe('load figures', () => {
  it('percentile is the nearest rank: always a measured sample', () => {
    const sorted = Array.from({ length: 100 }, (_, index) => index + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 95)).toBe(95);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([1, 2, 3], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([], 50)).toBeUndefined();
  });

  it('summarizes unsorted samples in whole milliseconds, null when nothing was measured', () => {
    expect(summarizeLatencies([30.4, 10.6, 20, 1000, 15])).toEqual({ count: 5, p50: 20, p95: 1000, p99: 1000, max: 1000 });
    expect(summarizeLatencies([])).toEqual({ count: 0, p50: null, p95: null, p99: null, max: null });
  });

  it('counts by key in first-seen order, skipping undefined keys', () => {
    expect(countBy(['completed', 'rejected', 'completed', 'x'], (value) => (value === 'x' ? undefined : value))).toEqual({ completed: 2, rejected: 1 });
  });

  it('throughput is completed per second, to one decimal, 0 for an empty run', () => {
    expect(throughputPerSecond(300, 2_000)).toBe(150);
    expect(throughputPerSecond(100, 3_000)).toBe(33.3);
    expect(throughputPerSecond(0, 1_000)).toBe(0);
    expect(throughputPerSecond(5, 0)).toBe(0);
  });

  it('cross-currency picks exactly round(count × ratio) payments, spread over the run', () => {
    const picked = (count: number, ratio: number) => Array.from({ length: count }, (_, index) => index).filter((index) => isCrossCurrency(index, count, ratio));
    expect(picked(10, 0.3)).toHaveLength(3);
    expect(picked(300, 0.3)).toHaveLength(90);
    expect(picked(10, 0)).toEqual([]);
    expect(picked(4, 1)).toEqual([0, 1, 2, 3]);
    // Not bunched at the start: the first and second halves get as many.
    const spread = picked(100, 0.2);
    expect(spread.filter((index) => index < 50)).toHaveLength(10);
  });
});
