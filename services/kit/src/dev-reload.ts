/**
 * The kit's side of `innover dev`'s in-container runner (bin/dev-run.ts): the variables the runner
 * sets in the processes it starts, the message a started process sends it, and the lines the runner
 * prints (which the CLI reads from the container's log). Pure but for `tellDevRunner`; no imports,
 * so the API and the worker pay nothing for it in production.
 */

/** Set to `1` by the runner in every process it starts: listen with `reusePort`, report readiness over IPC. */
export const devRunnerVariable = 'INNOVER_DEV_RUNNER';
/**
 * Set to `1` by the runner in a process that replaces one that started: the migrations ran in the
 * first one and cannot have changed since (dev syncs only `src/`; a migration change is a rebuild).
 */
export const devReloadVariable = 'INNOVER_DEV_RELOAD';

/** What a process started by the runner sends it over IPC. */
export type DevChildMessage = { innoverDev: 'ready' } | { innoverDev: 'failed'; detail: string } | { innoverDev: 'modules'; urls: string[] } | { innoverDev: 'preloaded'; count: number };

/** Set to `1` for the runner to say more (when a spare is ready): for its tests and for a slow reload's why. */
export const devDebugVariable = 'INNOVER_DEV_DEBUG';

/** Under the runner only: tells it this process serves (the API listens, the worker takes jobs). */
export function tellDevRunner(environment: Record<string, string | undefined>, message: DevChildMessage): void {
  if (environment[devRunnerVariable] === '1' && process.send) process.send(message);
}

/** Every line the runner prints starts with this; the CLI's `innover dev` turns them into its own. */
export const devLinePrefix = 'innover-dev: ';

/**
 * `innover-dev: reloaded in 0.4 s after services/payment/src/x.ts changed`: from the runner seeing the
 * change (its first changed file, relative to the workspace root) to the new process serving. The
 * CLI times the reload from the save itself: that file's mtime on the host (the copy in the
 * container has whole seconds only), so the wait and the copy of compose watch count too.
 */
export function reloadedLine(seconds: number, file: string): string {
  return `${devLinePrefix}reloaded in ${seconds.toFixed(1)} s after ${file} changed`;
}

/** `innover-dev: kept the last good code: services/payment/src/x.ts:12: SyntaxError: …` */
export function keptLine(detail: string): string {
  return `${devLinePrefix}kept the last good code: ${detail}`;
}

/** The first start failed: nothing serves until a good save. */
export function waitingLine(detail: string): string {
  return `${devLinePrefix}nothing to serve until a good save: ${detail}`;
}

// `/app/services/payment/src/x.ts:12` or `file:///app/…:12`, alone on the first line of a SyntaxError's stack.
const locationLine = /^(?:file:\/\/)?(\/[^\s:]+):(\d+)$/;
// `    at f (file:///app/services/x/src/y.ts:12:5)` or `    at file:///…:12:5`
const frameLine = /^\s*at (?:.*?\()?(?:file:\/\/)?(\/[^\s:()]+):(\d+):\d+\)?$/;
// `SyntaxError [ERR_INVALID_TYPESCRIPT_SYNTAX]: Expression expected`, `Error: boom`, `TypeError: …`
const errorLine = /^([A-Z][A-Za-z]*Error)(?: \[[A-Z0-9_]+\])?: (.+)$/;

/**
 * One line for a process that failed before it served, from its error's stack or its stderr:
 * `services/payment/src/x.ts:12: SyntaxError: Expression expected`. The place is the first one in
 * the sources (never node_modules or Node's internals), relative to `root` (the workspace root);
 * without an error line it is the last line the process printed (the kit's own one-line start
 * errors, `payment api: migrations failed: …`).
 */
export function startFailure(text: string, root: string): string {
  const lines = text.split('\n').map((line) => line.trimEnd());
  let place: string | undefined;
  const first = locationLine.exec(lines.find((line) => line.trim() !== '')?.trim() ?? '');
  if (first) place = `${first[1]}:${first[2]}`;
  for (const line of lines) {
    if (place) break;
    const frame = frameLine.exec(line);
    if (frame && !frame[1]!.includes('/node_modules/')) place = `${frame[1]}:${frame[2]}`;
  }
  const error = lines.map((line) => errorLine.exec(line.trim())).find((match) => match !== null);
  const last = [...lines].reverse().find((line) => line.trim() !== '' && !/^\s*at /.test(line))?.trim();
  const what = error ? `${error[1]}: ${error[2]}` : (last ?? 'exited before it served');
  if (!place) return what;
  const prefix = root.endsWith('/') ? root : `${root}/`;
  return `${place.startsWith(prefix) ? place.slice(prefix.length) : place}: ${what}`;
}
