/**
 * Human output of `innover load payments`: the live progress line and the final report. Pure
 * functions of the data; the command decides where they go (a TTY line, plain lines, nothing on --json).
 */
import { formatTable } from '../output/table.js';
import type { LoadProgress, LoadReport } from './load.js';
import type { LatencySummary } from './load-stats.js';

/** One progress line: a bar of the finished share, then the counts. */
export function formatProgress(progress: LoadProgress, width = 30): string {
  const finished = progress.completed + progress.failed;
  const share = progress.total === 0 ? 1 : Math.min(1, finished / progress.total);
  const filled = Math.round(share * width);
  const bar = `${'#'.repeat(filled)}${'-'.repeat(width - filled)}`;
  return `[${bar}] ${finished}/${progress.total} finished · ${progress.accepted} accepted · ${progress.completed} completed · ${progress.failed} failed`;
}

function latency(summary: LatencySummary): string {
  if (summary.count === 0) return 'none measured';
  return `p50 ${summary.p50} ms · p95 ${summary.p95} ms · p99 ${summary.p99} ms · max ${summary.max} ms (${summary.count})`;
}

function counts(record: Record<string, number>): string {
  const entries = Object.entries(record).sort((a, b) => b[1] - a[1]);
  return entries.length === 0 ? 'none' : entries.map(([name, count]) => `${name} ${count}`).join(', ');
}

export interface LoadRunContext {
  profile: string;
  via: string;
}

export function renderLoad(result: LoadReport & LoadRunContext): string {
  const rows: Array<[string, string]> = [
    ['payments', `${result.count} (${result.concurrency} in flight, ${Math.round(result.crossCurrency * 100)}% cross-currency, via ${result.via})`],
    ['setup', `${result.setup.customers} customers, ${result.setup.wallets} wallets, ${result.setup.fundedMinor} ${result.setup.currency} minor units funded in ${result.setup.ms} ms`],
    ['throughput', `${result.throughputPerSecond} completed/s over ${(result.elapsedMs / 1_000).toFixed(1)} s`],
    ['accept latency', latency(result.acceptLatencyMs)],
    ['complete latency', latency(result.completeLatencyMs)],
    ['statuses', counts(result.statuses)],
    ['reasons', counts(result.reasons)],
    ['http errors', counts(result.httpErrors)],
  ];
  if (result.notAccepted > 0) rows.push(['not accepted', String(result.notAccepted)]);
  if (result.unfinished > 0) rows.push(['unfinished', `${result.unfinished} not terminal within the timeout`]);
  const table = formatTable(['FIGURE', 'VALUE'], rows);
  const invariants = result.invariants.results.map((invariant) => `${invariant.ok ? 'ok  ' : 'FAIL'}  ${invariant.name}: ${invariant.detail}`);
  const problems = [
    ...(result.invariants.ok ? [] : [`${result.invariants.results.filter((invariant) => !invariant.ok).length} invariant(s) failed`]),
    ...(result.unfinished > 0 ? [`${result.unfinished} payment(s) unfinished`] : []),
    ...(result.notAccepted > 0 ? [`${result.notAccepted} payment(s) not accepted`] : []),
  ];
  const verdict = problems.length === 0 ? 'ok' : `FAILED: ${problems.join(', ')}`;
  return `${table}\n\ninvariants\n${invariants.join('\n')}\n\nload ${verdict} (profile ${result.profile}, via ${result.via}): ${result.completed} of ${result.count} completed`;
}
