/**
 * The figures `innover load payments` reports, computed from raw samples: pure functions, so the
 * report's numbers are tested apart from any HTTP.
 */

/** Latency figures of one phase, in whole milliseconds; `null` when nothing was measured. */
export interface LatencySummary {
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

/**
 * The nearest-rank percentile (the smallest sample with at least `p`% of the samples at or below
 * it): always a measured value, never an interpolation between two.
 */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

export function summarizeLatencies(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number): number | null => {
    const value = percentile(sorted, p);
    return value === undefined ? null : Math.round(value);
  };
  return { count: sorted.length, p50: at(50), p95: at(95), p99: at(99), max: at(100) };
}

/** Occurrences of each key, keys in first-seen order. */
export function countBy<T>(items: Iterable<T>, key: (item: T) => string | undefined): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) {
    const name = key(item);
    if (name !== undefined) counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

/** Completed payments per second over `elapsedMs`, to one decimal; 0 for an empty run. */
export function throughputPerSecond(completed: number, elapsedMs: number): number {
  if (completed === 0 || elapsedMs <= 0) return 0;
  return Math.round((completed / (elapsedMs / 1_000)) * 10) / 10;
}

/**
 * Whether payment `index` of `count` goes to a payee wallet in another currency, so that exactly
 * `round(count × ratio)` of them do, spread evenly over the run (not bunched at its start).
 */
export function isCrossCurrency(index: number, count: number, ratio: number): boolean {
  const target = Math.round(count * ratio);
  return Math.floor(((index + 1) * target) / count) > Math.floor((index * target) / count);
}
