/**
 * The pure parts of bench/dev.bench.js (the inner-loop figures of issue 12): the edit it saves into
 * the payment service, the percentiles and the figures with their targets. Plain erasable
 * TypeScript, so the bench (plain Node) imports it as it is and a unit test covers it.
 */

/** The file the bench edits, relative to the repository root, and the route that answers its text. */
export const editedFile = 'services/payment/src/entry-points/routes.ts';
/** `GET /payments/<not a uuid>` answers 404 `no payment <id>` without touching the database. */
export const probePath = '/payments/dev-bench-probe';

/** The response text the edit changes, as it stands in the source. */
const anchor = '`no payment ${id}`';
/** What a save leaves in the source: `no payment ${id} (dev-bench <token>)`. */
const markerPattern = /\(dev-bench [^)]*\)/;

/** The source with the route's text carrying `token`; refuses a source it cannot edit safely. */
export function markRoute(source: string, token: string): string {
  if (markerPattern.test(source)) {
    throw new Error(`${editedFile} still carries a dev bench marker (a killed run): git checkout ${editedFile}, then run the bench again`);
  }
  const first = source.indexOf(anchor);
  if (first < 0 || source.indexOf(anchor, first + 1) >= 0) {
    throw new Error(`${editedFile} must hold ${anchor} exactly once (the text of GET ${probePath}): update bench/dev-figures.ts`);
  }
  if (!/^[\w.-]+$/.test(token)) throw new Error(`a marker token is letters, digits, '.', '_' or '-': '${token}'`);
  return source.replace(anchor, `\`no payment \${id} (dev-bench ${token})\``);
}

/** The text a request sees once the save carrying `token` runs. */
export function seenText(token: string): string {
  return `(dev-bench ${token})`;
}

/** Nearest-rank percentile (`fraction` in (0, 1]) of the values; NaN when there are none. */
export function percentile(values: readonly number[], fraction: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(fraction * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** One row of `npm run bench` (bench/run.js). */
export interface Figure {
  name: string;
  value: number | string;
  unit: string;
  target: string;
  pass: boolean;
}

export interface DevMeasurements {
  /** Save -> a request sees the new text through `innover dev`, in ms, one per measured save seen. */
  dev: readonly number[];
  /** Measured saves no request saw within the timeout (not in `dev`). */
  missed: number;
  timeoutMs: number;
  /** What `innover dev` itself printed (`payment: reloaded in 0.9 s`), in s. */
  reported: readonly number[];
  /** Save -> seen through `innover up payment` (image rebuild and recreate), in ms. */
  rebuild: readonly number[];
  /** The command the rebuild ran. */
  rebuildCommand: string;
  /** The 1-minute load average when the bench started, after the dev saves and at the end (the machine is shared). */
  load: readonly number[];
}

const seconds = (milliseconds: number): number => milliseconds / 1000;

/** The figures of issue 12's benchmark, with their targets: p50 <= 1.5 s, p95 <= 3 s, the ratio reported. */
export function devFigures(measured: DevMeasurements): Figure[] {
  const saves = measured.dev.length + measured.missed;
  // A save never seen counts as the timeout, so a lost reload shows in p95 and max rather than vanishing.
  const all = [...measured.dev, ...Array.from({ length: measured.missed }, () => measured.timeoutMs)];
  const p50 = seconds(percentile(all, 0.5));
  const p95 = seconds(percentile(all, 0.95));
  const rebuild = seconds(median(measured.rebuild));
  const ratio = rebuild / p50;
  const figures: Figure[] = [
    { name: `innover dev: save -> a request sees the new text, p50 (${saves} saves)`, value: p50, unit: 's', target: '<= 1.5', pass: p50 <= 1.5 },
    { name: `innover dev: save -> a request sees the new text, p95 (${saves} saves)`, value: p95, unit: 's', target: '<= 3', pass: p95 <= 3 },
    { name: `innover dev: save -> a request sees the new text, max (${saves} saves)`, value: seconds(percentile(all, 1)), unit: 's', target: 'report', pass: true },
    { name: `innover dev: saves no request saw within ${seconds(measured.timeoutMs)} s`, value: measured.missed, unit: 'count', target: '0', pass: measured.missed === 0 },
  ];
  if (measured.reported.length > 0) {
    figures.push({ name: `innover dev's own reload lines (change seen -> healthy), median of ${measured.reported.length}`, value: median(measured.reported), unit: 's', target: 'report', pass: true });
  }
  figures.push(
    { name: `${measured.rebuildCommand} (rebuild): save -> seen, median of ${measured.rebuild.length}`, value: rebuild, unit: 's', target: 'report', pass: true },
    { name: `rebuild (${measured.rebuildCommand}) / innover dev, medians, same run`, value: ratio, unit: 'ratio', target: 'report', pass: true },
    { name: 'machine load (1-min average): start / after the dev saves / end; 2 cores shared', value: measured.load.map((value) => value.toFixed(1)).join('/'), unit: 'load', target: 'report', pass: true },
  );
  return figures;
}
