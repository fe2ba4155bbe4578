/**
 * Runs a service's compiled API or worker (`services/<name>/dist/{api,worker}.js`) as a child process,
 * collecting its JSON log lines so tests can wait for and assert on them.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Builds the service (and the kit it references) with tsc -b under the shared build lock; cheap when up to date. */
export function buildService(service: string): void {
  const tsc = join(repositoryRoot, 'node_modules', '.bin', 'tsc');
  const args = existsSync('/usr/bin/flock') ? ['/usr/bin/flock', '/tmp/build.lock', tsc, '-b', `services/${service}`] : [tsc, '-b', `services/${service}`];
  const result = spawnSync(args[0] ?? tsc, args.slice(1), { cwd: repositoryRoot, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`building services/${service} failed:\n${result.stdout}${result.stderr}`);
}

export type LogLine = Record<string, unknown> & { msg?: string };

export interface ServiceProcess {
  child: ChildProcess;
  logs: LogLine[];
  stderr: () => string;
  /** Resolves with the first log line (past or future) matching `predicate`. */
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
  kill(signal?: NodeJS.Signals): void;
}

/** Children still running: killed when the test process exits, by one listener (a scenario runs a dozen at once). */
const liveChildren = new Set<ChildProcess>();
let exitListener = false;

function killedAtExit(child: ChildProcess): void {
  liveChildren.add(child);
  if (exitListener) return;
  exitListener = true;
  process.once('exit', () => {
    for (const live of liveChildren) live.kill('SIGKILL');
  });
}

export function spawnService(service: string, role: 'api' | 'worker', environment: Record<string, string>): ServiceProcess {
  const entry = join(repositoryRoot, 'services', service, 'dist', `${role}.js`);
  if (!existsSync(entry)) throw new Error(`${entry} is missing; build with: npx tsc -b services/${service}`);
  // A worker touches a heartbeat file; one the test did not place goes in a folder of its own, removed at exit,
  // never the image's default /tmp/innover-worker-heartbeat on the machine running the tests.
  const heartbeats = role === 'worker' && environment['WORKER_HEARTBEAT_FILE'] === undefined ? mkdtempSync(join(tmpdir(), 'innover-heartbeat-')) : undefined;
  const child = spawn(process.execPath, [entry], {
    cwd: join(repositoryRoot, 'services', service),
    env: { PATH: process.env['PATH'] ?? '', SERVICE_NAME: service, LOG_LEVEL: 'debug', KAFKAJS_NO_PARTITIONER_WARNING: '1', ...(heartbeats ? { WORKER_HEARTBEAT_FILE: join(heartbeats, 'heartbeat') } : {}), ...environment },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  const waiters: Array<{ predicate: (line: LogLine) => boolean; resolve: (line: LogLine) => void }> = [];
  let buffered = '';
  let errors = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const text of lines) {
      if (!text.trim()) continue;
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        line = { msg: text, unstructured: true };
      }
      logs.push(line);
      for (const waiter of [...waiters]) {
        if (waiter.predicate(line)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    errors += chunk.toString();
  });
  killedAtExit(child);
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => {
      liveChildren.delete(child);
      if (heartbeats) rmSync(heartbeats, { recursive: true, force: true });
      resolve(code ?? signal ?? 'unknown');
    }),
  );
  return {
    child,
    logs,
    stderr: () => errors,
    exited,
    kill: (signal = 'SIGTERM') => void child.kill(signal),
    waitForLog(predicate, timeoutMs = 15_000) {
      const found = logs.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${service} ${role}: no matching log line within ${timeoutMs} ms; stderr:\n${errors.slice(-2000)}\nlast logs:\n${logs.slice(-10).map((line) => JSON.stringify(line)).join('\n')}`)), timeoutMs);
        const waiter = {
          predicate,
          resolve: (line: LogLine) => {
            clearTimeout(timer);
            resolve(line);
          },
        };
        waiters.push(waiter);
        void exited.then((code) => {
          if (!waiters.includes(waiter)) return;
          clearTimeout(timer);
          reject(new Error(`${service} ${role} exited (${code}) before the awaited log line; stderr:\n${errors.slice(-2000)}`));
        });
      });
    },
  };
}

/**
 * Waits for an API child to log that it listens, and returns its base URL. A generous limit: on a loaded
 * 2-core machine six APIs migrating at once take well over the default 15 s.
 */
export async function apiBaseUrl(api: ServiceProcess, timeoutMs = 60_000): Promise<string> {
  const line = await api.waitForLog((entry) => entry.msg === 'api listening', timeoutMs);
  return `http://127.0.0.1:${String(line['port'])}`;
}
