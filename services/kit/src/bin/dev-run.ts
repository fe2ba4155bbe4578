#!/usr/bin/env node
/**
 * `innover dev`'s in-container runner: `dev-run.ts <api|worker> [--watch <dir>]...`, the dev
 * containers' command (the Dockerfile's `dev` stage), run from the service's folder.
 *
 * It runs the service's entry (src/<role>.ts) in a child process and watches the directories (the
 * service's src/ and the libraries' src/, which Compose watch syncs into the container). On a change
 * it starts a new process while the old one keeps serving; the new API binds the same port
 * (`reusePort`), and once it serves (the kit reports `ready` over IPC) the old one gets SIGTERM and
 * drains (the kit's shutdown). One line per reload: `innover-dev: reloaded in 0.4 s after <file> changed`.
 *
 * A new process that fails before it serves (a syntax error, a failed import, a throw at start) is
 * reported once, as one line with file and line, and the old one keeps serving: the healthcheck
 * keeps answering (the API's port, the worker's heartbeat), and the next good save recovers.
 *
 * Speed: a spare process is kept warm, with the packages the sources import (node_modules, which
 * change only with a rebuild) and the libraries' modules (the kit's) already loaded, so a reload of
 * a service's file loads only the service's sources (a library change discards the spare: the
 * next one loads it anew); a reload also skips the migrations, which it cannot change.
 *
 * SIGTERM/SIGINT stop the serving process gracefully and exit with its code. If the serving process
 * dies on its own (not during a reload), the runner exits with its code and the engine restarts the container.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { watch } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { devDebugVariable, devLinePrefix, devRunnerVariable, keptLine, reloadedLine, startFailure, waitingLine } from '../dev-reload.ts';
import type { DevChildMessage } from '../dev-reload.ts';

/** Changes closer together than this are one reload (an editor's write and rename, a sync of several files). */
const debounceMs = 30;
/** A new process that does not serve within this is given up (the old one keeps serving). */
const readyTimeoutMs = 60_000;

const here = dirname(fileURLToPath(import.meta.url));
/** The workspace root (this file is services/kit/src/bin/dev-run.ts): failure places are relative to it. */
const root = resolve(here, '../../../..');
const childScript = join(here, basename(import.meta.url).endsWith('.js') ? 'dev-child.js' : 'dev-child.ts');

const [role, ...rest] = process.argv.slice(2);
if (role !== 'api' && role !== 'worker') {
  process.stderr.write('usage: dev-run.ts <api|worker> [--watch <dir>]...\n');
  process.exit(2);
}
const watched: string[] = [];
for (let index = 0; index < rest.length; index++) {
  if (rest[index] === '--watch' && rest[index + 1]) watched.push(resolve(rest[++index]!));
  else {
    process.stderr.write(`dev-run: unknown argument ${rest[index]!}; usage: dev-run.ts <api|worker> [--watch <dir>]...\n`);
    process.exit(2);
  }
}
if (watched.length === 0) watched.push(resolve('src'));
const entry = `src/${role}.ts`;
/** The watched directories but the service's own src/: the libraries (the kit, the generated protobuf code). */
const libraries = watched.filter((directory) => directory !== resolve('src'));
const inDirectory = (path: string, directory: string): boolean => path === directory || path.startsWith(`${directory}/`);

interface Child {
  process: ChildProcess;
  /** Its stderr until it serves: printed then, or summed up in one line if it fails. */
  stderr: string[];
  ready: boolean;
  /** The runner stopped it (replaced, or shutting down): its exit is expected. */
  stopping: boolean;
  /** When the runner saw the change it carries (ms since the epoch), and its first changed file; undefined for the first start. */
  change: { at: number; file: string } | undefined;
  failure: string | undefined;
  timer: NodeJS.Timeout | undefined;
  /** When it was started (and began preloading). */
  born: number;
}

const say = (line: string): void => void process.stdout.write(`${line}\n`);

let serving: Child | undefined;
let candidate: Child | undefined;
let spare: Child | undefined;
/** The process a reload replaced, while it drains. */
let retiring: Child | undefined;
/** The packages and library modules the serving processes loaded: what a spare preloads. */
const packages = new Set<string>();
/** When a library file last changed: a spare born before has the old one loaded. */
let libraryChangedAt = 0;
/** A change arrived that no started process carries yet: when the first of them was seen, and its file. */
let pendingChange: Child['change'];
let shuttingDown = false;
let served = false;

function spawnChild(): Child {
  const process_ = fork(childScript, [entry, root, ...libraries], {
    stdio: ['inherit', 'inherit', 'pipe', 'ipc'],
    env: { ...process.env, [devRunnerVariable]: '1' },
  });
  const child: Child = { process: process_, stderr: [], ready: false, stopping: false, change: undefined, failure: undefined, timer: undefined, born: Date.now() };
  process_.stderr?.setEncoding('utf8');
  process_.stderr?.on('data', (chunk: string) => {
    if (child.ready) process.stderr.write(chunk);
    else child.stderr.push(chunk);
  });
  process_.on('message', (message: DevChildMessage) => onMessage(child, message));
  process_.on('exit', (code, signal) => onExit(child, code, signal));
  // A message to a process that just died (its exit follows and is handled there).
  process_.on('error', (error) => process.stderr.write(`dev-run: ${error.message}\n`));
  if (packages.size > 0) process_.send({ type: 'preload', urls: [...packages] });
  return child;
}

function start(child: Child, change: Child['change']): void {
  candidate = child;
  child.change = change;
  child.timer = setTimeout(() => {
    child.failure = `did not serve within ${readyTimeoutMs / 1_000} s`;
    stop(child);
  }, readyTimeoutMs);
  child.process.send({ type: 'start', reload: served });
}

function onMessage(child: Child, message: DevChildMessage): void {
  if (message.innoverDev === 'modules') {
    for (const url of message.urls) packages.add(url);
    ensureSpare();
  } else if (message.innoverDev === 'preloaded') {
    if (process.env[devDebugVariable] === '1' && child === spare) say(`${devLinePrefix}debug: a spare is ready (${message.count} modules preloaded)`);
  } else if (message.innoverDev === 'failed') {
    child.failure = message.detail;
  } else if (message.innoverDev === 'ready' && child === candidate) {
    clearTimeout(child.timer);
    child.ready = true;
    process.stderr.write(child.stderr.join(''));
    child.stderr = [];
    candidate = undefined;
    const old = serving;
    serving = child;
    served = true;
    if (child.change) say(reloadedLine((Date.now() - child.change.at) / 1_000, relative(child.change.file)));
    if (old) {
      retiring = old;
      stop(old);
    }
    // The first process tells which packages to preload; later ones may add some.
    child.process.send({ type: 'modules' });
    ensureSpare();
    next();
  }
}

function onExit(child: Child, code: number | null, signal: NodeJS.Signals | null): void {
  clearTimeout(child.timer);
  if (child === spare) spare = undefined;
  if (child === retiring) {
    retiring = undefined;
    return;
  }
  if (child === candidate) {
    candidate = undefined;
    if (!shuttingDown) {
      const detail = child.failure ?? startFailure(child.stderr.join(''), root);
      say(serving ? keptLine(detail) : waitingLine(detail));
      ensureSpare();
      next();
    }
    return;
  }
  if (child !== serving) return;
  serving = undefined;
  const status = code ?? (signal ? 1 : 0);
  if (shuttingDown || !child.stopping) {
    // The serving process ended: the runner ends with it (the engine restarts a crashed container).
    for (const other of [candidate, spare, retiring]) if (other) stop(other, 'SIGKILL');
    process.exit(status);
  }
}

function stop(child: Child, signal: NodeJS.Signals = 'SIGTERM'): void {
  child.stopping = true;
  if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill(signal);
}

/**
 * A spare process, preloading, for the next reload: at once, beside the one draining (the dev
 * override gives the container twice its memory for that), so that a save soon after a reload finds it ready.
 */
function ensureSpare(): void {
  if (!spare && !shuttingDown && packages.size > 0) spare = spawnChild();
}

/** Starts a process for the pending change, unless one is already starting (it runs after). */
function next(): void {
  if (!pendingChange || candidate || shuttingDown) return;
  const change = pendingChange;
  pendingChange = undefined;
  if (spare && spare.born <= libraryChangedAt) {
    stop(spare, 'SIGKILL');
    spare = undefined;
  }
  const child = spare ?? spawnChild();
  spare = undefined;
  start(child, change);
}

/** A path relative to the workspace root, as the host names it (`services/payment/src/x.ts`). */
function relative(path: string): string {
  return path.startsWith(`${root}/`) ? path.slice(root.length + 1) : path;
}

let debounce: NodeJS.Timeout | undefined;
function changed(path: string): void {
  const name = basename(path);
  // Editors' swap and backup files.
  if (name.startsWith('.') || name.endsWith('~') || name.endsWith('.swp')) return;
  const now = Date.now();
  pendingChange ??= { at: now, file: path };
  if (libraries.some((library) => inDirectory(path, library))) libraryChangedAt = now;
  clearTimeout(debounce);
  debounce = setTimeout(next, debounceMs);
}

for (const directory of watched) {
  try {
    watch(directory, { recursive: true }, (_event, filename) => changed(join(directory, filename ?? '')));
  } catch (error) {
    process.stderr.write(`dev-run: cannot watch ${directory}: ${(error as Error).message}\n`);
  }
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (shuttingDown) return;
    shuttingDown = true;
    for (const other of [candidate, spare, retiring]) if (other) stop(other, 'SIGKILL');
    if (serving) stop(serving, signal);
    else process.exit(0);
  });
}

start(spawnChild(), undefined);
