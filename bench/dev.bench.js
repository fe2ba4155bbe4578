// The inner-loop figures of issue 12, on the `lite` profile (the e2e's Compose project), on this machine,
// measured from outside only (the CLI and HTTP), so they hold whatever reload mechanism `innover dev` uses:
//   - `innover dev payment`: from saving a change to a route's response text (an atomic write, as an
//     editor does) until a request to the payment API's host port sees the new text: p50 (target <= 1.5 s),
//     p95 (target <= 3 s) and max over N saves after warm-ups; saves never seen within the timeout count
//     as the timeout; before the next save the stack settles (`innover health` green, then 1 s), as a
//     developer's next save comes after the last reload, so restarts do not pile up;
//   - the same change through a rebuild, `innover up payment` (builds the payment image and recreates its
//     API container), measured the same way in the same run: the median, and the ratio rebuild / dev.
// The edited route is GET /payments/<not a uuid>, whose 404 text (`no payment <id>`) comes from
// services/payment/src/entry-points/routes.ts without a database read (bench/dev-figures.ts). The file is
// put back byte for byte in any case, Ctrl-C included. At the end the stack is taken down when the bench
// started it; otherwise `innover up` puts the payment containers back on the production image.
//   node bench/run.js dev      INNOVER_BENCH_DEV_SAVES (20), INNOVER_BENCH_DEV_REBUILDS (3)
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { commandRunner } from './commands.js';
import { acquireStackLock } from '../test/e2e/stack-lock.ts';
import { keepRememberedProfile } from '../test/e2e/remembered-profile.ts';
import { devFigures, editedFile, markRoute, probePath, seenText } from './dev-figures.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const profile = 'lite';
const project = process.env.INNOVER_BENCH_PROJECT ?? 'innover-e2e';
const env = { ...process.env, INNOVER_PROJECT: project, NO_COLOR: '1' };
const saves = Number(process.env.INNOVER_BENCH_DEV_SAVES ?? 20);
const rebuilds = Number(process.env.INNOVER_BENCH_DEV_REBUILDS ?? 3);
const warmUps = 2;
/** A measured save no request saw by then counts as this long. */
const saveTimeoutMs = 30_000;
/** After a save is seen: `innover health` until every container is healthy again (a reload may restart more than the API), then this. */
const pauseMs = 1_000;
const pollMs = 25;
const log = (line) => process.stderr.write(`[bench] ${line}\n`);

const run = commandRunner({ cwd: root, env });

/** `node bin/innover.js ...` in the background: its lines (stdout and stderr) go to `onLine`, the last ones are kept. */
function innoverChild(args, onLine = () => {}) {
  const child = spawn('node', ['bin/innover.js', ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const tail = [];
  const keep = (line) => {
    tail.push(line);
    if (tail.length > 40) tail.shift();
    onLine(line);
  };
  createInterface({ input: child.stdout }).on('line', keep);
  createInterface({ input: child.stderr }).on('line', keep);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, tail, exited, running: () => child.exitCode === null && child.signalCode === null };
}

/** `promise`'s value, or undefined once `timeoutMs` passed (the timer never outlives it). */
async function within(promise, timeoutMs, signal) {
  const timer = new AbortController();
  const onAbort = () => timer.abort(signal.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await Promise.race([promise, sleep(timeoutMs, undefined, { signal: timer.signal })]);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (!signal?.aborted) timer.abort();
  }
}

/** Stops a background command with `signal` (Ctrl-C is SIGINT), then SIGKILL if it does not end in time. */
async function stopChild(handle, signal, timeoutMs = 60_000) {
  if (!handle?.running()) return;
  handle.child.kill(signal);
  const ended = await within(handle.exited, timeoutMs);
  if (!ended) {
    log(`${handle.child.spawnargs.slice(2, 4).join(' ')} did not stop on ${signal} within ${timeoutMs / 1000} s: SIGKILL`);
    handle.child.kill('SIGKILL');
    await handle.exited;
  }
}

export default async function runBench() {
  if (!existsSync(join(root, 'cli', 'dist', 'main.js'))) throw new Error('the CLI is not built: run npm run build');
  const file = join(root, editedFile);
  const original = readFileSync(file);
  const mode = statSync(file).mode & 0o777;
  markRoute(original.toString('utf8'), 'check'); // refuses a file it cannot edit (or a marker a killed run left) before anything starts
  const scratch = join(root, '.innover', 'dev-bench.save.tmp');
  mkdirSync(dirname(scratch), { recursive: true });

  /** An editor's save: the whole file written beside, then renamed over the original. */
  const save = (token) => {
    writeFileSync(scratch, markRoute(original.toString('utf8'), token));
    chmodSync(scratch, mode);
    renameSync(scratch, file);
    return performance.now();
  };
  const restore = () => {
    rmSync(scratch, { force: true });
    if (!readFileSync(file).equals(original)) writeFileSync(file, original);
  };

  const release = await acquireStackLock('bench');
  // From here on a Ctrl-C puts the file back at once and lets the finally below clean up.
  const interrupted = new AbortController();
  const onSigint = () => {
    restore();
    interrupted.abort(new Error('interrupted (SIGINT): the edited file is restored; cleaning up'));
  };
  process.once('SIGINT', onSigint);
  process.on('exit', restore);
  const restoreProfile = keepRememberedProfile(root);
  const envCreated = !existsSync(join(root, '.env'));
  const wasRunning = run('docker', ['ps', '-q', '--filter', `label=com.docker.compose.project=${project}`]).stdout.trim() !== '';
  const load = [loadavg()[0]];
  let dev;
  let up;
  let token = 0;
  const nextToken = () => `${process.pid}-${(token += 1)}`;
  try {
    const { loadTopology } = await import('../cli/dist/topology/load.js');
    const topology = await loadTopology(root);
    const url = `http://127.0.0.1:${topology.services.find((service) => service.name === 'payment').hostPort}${probePath}`;

    /** Polls the route until its text carries `text`; the ms since `since`, or undefined after `timeoutMs`. */
    const seen = async (text, since, timeoutMs, alive = () => true) => {
      const deadline = since + timeoutMs;
      while (performance.now() < deadline) {
        interrupted.signal.throwIfAborted();
        if (!alive()) return undefined;
        try {
          const response = await fetch(url, { signal: AbortSignal.any([interrupted.signal, AbortSignal.timeout(2_000)]) });
          const body = await response.text();
          if (body.includes(text)) return performance.now() - since;
        } catch {
          // restarting: connection refused or reset
        }
        await sleep(pollMs, undefined, { signal: interrupted.signal });
      }
      return undefined;
    };

    /** A developer's next save comes once the last one has settled: the whole stack healthy (payment's worker restarts too), then a pause. */
    const settle = async () => {
      const deadline = performance.now() + 20_000;
      while (run('node', ['bin/innover.js', 'health', '--profile', profile], { check: false }).status !== 0 && performance.now() < deadline) {
        await sleep(500, undefined, { signal: interrupted.signal });
      }
      await sleep(pauseMs, undefined, { signal: interrupted.signal });
    };

    // innover dev payment: the stack up, payment's containers from their sources, watching.
    const reported = [];
    let measuring = false;
    let resolveReady;
    const ready = new Promise((resolve) => (resolveReady = resolve));
    dev = innoverChild(['dev', 'payment', '--profile', profile], (line) => {
      if (/^payment: /.test(line)) resolveReady(line);
      const reload = /^payment: reloaded in ([\d.]+) s/.exec(line);
      if (reload && measuring) reported.push(Number(reload[1]));
    });
    const started = performance.now();
    const first = await within(Promise.race([ready, dev.exited.then(() => undefined)]), 20 * 60_000, interrupted.signal);
    if (!first) throw new Error(`innover dev payment ${dev.running() ? 'printed no payment line within 20 min' : 'exited'}: ${dev.tail.slice(-5).join(' | ')}`);
    log(`innover dev payment: ${first} (${((performance.now() - started) / 1000).toFixed(0)} s after the start)`);

    // Warm-ups: two saves in a row seen, so the watch is in place and the first restarts are behind.
    for (let inARow = 0, attempt = 0; inARow < warmUps; attempt += 1) {
      if (attempt >= 6) throw new Error(`innover dev: a save was not seen within 20 s in ${attempt} warm-ups: ${dev.tail.slice(-5).join(' | ')}`);
      const mark = nextToken();
      const took = await seen(seenText(mark), save(mark), 20_000, dev.running);
      if (!dev.running()) throw new Error(`innover dev exited during the warm-up: ${dev.tail.slice(-5).join(' | ')}`);
      log(`warm-up save: ${took === undefined ? 'not seen within 20 s' : `seen after ${Math.round(took)} ms`}`);
      inARow = took === undefined ? 0 : inARow + 1;
      await settle();
    }

    const devTimes = [];
    let missed = 0;
    measuring = true;
    for (let index = 0; index < saves; index += 1) {
      const mark = nextToken();
      const took = await seen(seenText(mark), save(mark), saveTimeoutMs, dev.running);
      if (!dev.running()) throw new Error(`innover dev exited during the measured saves: ${dev.tail.slice(-5).join(' | ')}`);
      if (took === undefined) missed += 1;
      else devTimes.push(took);
      await settle();
    }
    measuring = false;
    load.push(loadavg()[0]);
    log(`innover dev: save -> seen ${devTimes.map(Math.round).join(' ')} ms${missed ? `; ${missed} not seen within ${saveTimeoutMs / 1000} s` : ''}`);
    log(`innover dev's own lines: reloaded in ${reported.join(' ')} s`);

    // Ctrl-C: dev stops watching, the stack keeps running (payment still on its dev image).
    await stopChild(dev, 'SIGINT');
    log(`innover dev stopped on SIGINT: ${dev.tail.at(-1) ?? ''}`);

    // The same change through a rebuild: `innover up payment` builds the payment image and recreates its API.
    const rebuildArgs = ['up', 'payment', '--profile', profile];
    const rebuildTimes = [];
    for (let index = 0; index < rebuilds; index += 1) {
      const mark = nextToken();
      const since = save(mark);
      up = innoverChild(rebuildArgs);
      let ended;
      void up.exited.then(() => (ended = performance.now()));
      // Polled while the command runs, and a little after (it returns once payment is healthy).
      const took = await seen(seenText(mark), since, 20 * 60_000, () => ended === undefined || performance.now() - ended < 10_000);
      const { code } = await up.exited;
      const wall = performance.now() - since;
      if (code !== 0) throw new Error(`innover ${rebuildArgs.join(' ')} exited ${code}: ${up.tail.slice(-5).join(' | ')}`);
      if (took === undefined) throw new Error(`innover ${rebuildArgs.join(' ')}: the new text was not seen within 20 min`);
      log(`innover ${rebuildArgs.join(' ')}: seen after ${(took / 1000).toFixed(1)} s, the command took ${(wall / 1000).toFixed(1)} s`);
      rebuildTimes.push(took);
      await settle();
    }

    load.push(loadavg()[0]);
    return devFigures({ dev: devTimes, missed, timeoutMs: saveTimeoutMs, reported, rebuild: rebuildTimes, rebuildCommand: `innover ${rebuildArgs.slice(0, 2).join(' ')}`, load });
  } finally {
    await stopChild(dev, 'SIGINT');
    await stopChild(up, 'SIGINT');
    restore();
    process.off('SIGINT', onSigint);
    process.off('exit', restore);
    if (!wasRunning) run('node', ['bin/innover.js', 'down', '--profile', profile], { check: false });
    // The stack was there before: its payment containers go back to the production image, from the restored file.
    else run('node', ['bin/innover.js', 'up', '--profile', profile], { check: false });
    if (envCreated) rmSync(join(root, '.env'), { force: true });
    restoreProfile();
    release();
    // Ctrl-C ends the whole run, as it does in the other benches, once this one has cleaned up.
    if (interrupted.signal.aborted) process.kill(process.pid, 'SIGINT');
  }
}
