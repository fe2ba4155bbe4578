import type { ContainerHealth, ContainerState } from '../clients/engine-client.js';

/** What `innover dev` reports about one watched container: one line per reload. */
export interface DevEvent {
  container: string;
  /** `kept`: a reload failed and the last good code keeps serving; `failed`: nothing good serves. */
  kind: 'started' | 'reloaded' | 'rebuilt' | 'kept' | 'failed';
  /**
   * A reload: from the save (the changed file's mtime on the host) until the dev runner's line says
   * the new process serves, so compose watch's wait and copy count. A start or rebuild: from the
   * start or compose's rebuild line until the container is healthy.
   */
  seconds: number;
  /** Why a reload failed, with file and line: `services/payment/src/x.ts:12: SyntaxError: …`. */
  detail?: string;
}

/** One watched container as the engine lists it. */
export interface ContainerSighting {
  container: string;
  id: string;
  state: ContainerState;
  health: ContainerHealth;
}

type Cause = 'started' | 'reloaded' | 'rebuilt';

interface Pending {
  cause: Cause;
  since: number;
  /** The id seen when the change arrived; a rebuild recreates the container under a new one. */
  id: string | undefined;
  /** The container left `healthy` (restarting, starting, recreated) since the change. */
  left: boolean;
  failed: boolean;
}

/**
 * `Syncing "payment" after changes were detected` (Compose 2.26), `Syncing service "payment" after 1
 * changes were detected` (later), `Rebuilding service "payment" after changes were detected...`.
 */
const syncLine = /^\s*Syncing (?:service )?"([^"]+)" after/;
// eslint-disable-next-line no-control-regex -- the escape is what is stripped
const ansiEscape = /\x1b\[[0-9;?]*[A-Za-z]/g;
const rebuildLine = /^\s*Rebuilding service "([^"]+)" after/;

/**
 * The kit's dev runner's lines in a container's log (services/kit/src/dev-reload.ts):
 * `innover-dev: reloaded in 0.4 s after services/payment/src/x.ts changed`, `innover-dev: kept the last good code: <detail>`,
 * `innover-dev: nothing to serve until a good save: <detail>`.
 */
const runnerReloaded = /^innover-dev: reloaded in (\d+(?:\.\d+)?) s after (.+) changed$/;
const runnerKept = /^innover-dev: kept the last good code: (.+)$/;
const runnerWaiting = /^innover-dev: nothing to serve until a good save: (.+)$/;

/**
 * Turns compose watch's lines, the containers' logs and the engine's health into reload lines. A sync
 * is reloaded in place by the kit's dev runner, whose log line completes it (with its own timing, from
 * the save). A rebuild starts a clock that stops when the recreated container is healthy. A container
 * that crash-loops or turns unhealthy instead is reported once as failed, and the next change starts
 * over. Pure (time comes in), so it is tested without Docker.
 */
export class ReloadTracker {
  private readonly pending = new Map<string, Pending>();
  private readonly lastId = new Map<string, string>();
  private watched: ReadonlySet<string>;

  constructor(containers: readonly string[]) {
    this.watched = new Set(containers);
  }

  /** Every watched container is starting (the dev containers replace the production ones). */
  starting(now: number): void {
    for (const container of this.watched) this.pending.set(container, { cause: 'started', since: now, id: undefined, left: true, failed: false });
  }

  /** innover.yaml changed the watched set: the containers it adds are starting (compose just created them). */
  follow(containers: readonly string[], now: number): void {
    for (const container of containers) {
      if (!this.watched.has(container)) this.pending.set(container, { cause: 'started', since: now, id: undefined, left: true, failed: false });
    }
    this.watched = new Set(containers);
  }

  /** A line compose watch printed; true when it was a sync or rebuild of a watched container. */
  composeLine(line: string, now: number): boolean {
    // Compose starts its watch lines with an erase-line escape even under `--ansi never`.
    const text = line.replace(ansiEscape, '');
    const sync = syncLine.exec(text);
    const rebuild = sync ? undefined : rebuildLine.exec(text);
    const container = sync?.[1] ?? rebuild?.[1];
    if (!container || !this.watched.has(container)) return false;
    const previous = this.pending.get(container);
    // A sync while the container starts or is rebuilt is in what that start runs: the start's line stays.
    if (sync && previous && !previous.failed && previous.cause !== 'reloaded') return true;
    // Several changes before the container is back count from the first.
    const since = previous && !previous.failed ? previous.since : now;
    this.pending.set(container, { cause: rebuild ? 'rebuilt' : 'reloaded', since, id: this.lastId.get(container), left: false, failed: false });
    return true;
  }

  /**
   * A line of a watched container's log; the event when it is one of the dev runner's lines.
   * `savedAt` gives a project file's mtime on the host (ms), undefined when it is gone.
   */
  logLine(container: string, line: string, now: number, savedAt: (path: string) => number | undefined = () => undefined): DevEvent | undefined {
    if (!this.watched.has(container)) return undefined;
    const text = line.replace(ansiEscape, '').trim();
    const reloaded = runnerReloaded.exec(text);
    const kept = reloaded ? undefined : runnerKept.exec(text);
    const waiting = reloaded || kept ? undefined : runnerWaiting.exec(text);
    if (!reloaded && !kept && !waiting) return undefined;
    const pending = this.pending.get(container);
    // A rebuild in flight is completed by the health of the recreated container, not by its start.
    if (pending?.cause !== 'rebuilt' && pending?.cause !== 'started') this.pending.delete(container);
    const seconds = pending ? Math.round((now - pending.since) / 100) / 10 : 0;
    if (reloaded) {
      // From the save; without the file (deleted), from compose's sync line; else the runner's own figure.
      const saved = savedAt(reloaded[2]!);
      const fromSave = saved !== undefined && saved <= now && now - saved < 60_000 ? Math.round((now - saved) / 100) / 10 : undefined;
      return { container, kind: 'reloaded', seconds: fromSave ?? (pending ? seconds : Number(reloaded[1])) };
    }
    return { container, kind: kept ? 'kept' : 'failed', seconds, detail: (kept ?? waiting)![1]! };
  }

  /** What the engine lists now; the events it completes. */
  sighting(sightings: readonly ContainerSighting[], now: number): DevEvent[] {
    const events: DevEvent[] = [];
    for (const seen of sightings) {
      if (!this.watched.has(seen.container)) continue;
      this.lastId.set(seen.container, seen.id);
      const pending = this.pending.get(seen.container);
      if (!pending || pending.failed) continue;
      const healthy = seen.state === 'running' && (seen.health === 'healthy' || seen.health === 'none');
      if (!healthy || (pending.id !== undefined && seen.id !== pending.id)) pending.left = true;
      const seconds = Math.round((now - pending.since) / 100) / 10;
      if (healthy && pending.left) {
        this.pending.delete(seen.container);
        events.push({ container: seen.container, kind: pending.cause, seconds });
      } else if (pending.left && (seen.health === 'unhealthy' || seen.state === 'restarting' || seen.state === 'dead')) {
        // `restarting` is the engine's restart policy bringing back a crashed process (a syntax
        // error); `exited` alone is not a failure: compose's own restart passes through it.
        pending.failed = true;
        events.push({ container: seen.container, kind: 'failed', seconds });
      }
    }
    return events;
  }
}

/** `payment: reloaded in 0.9 s`. */
export function describeDevEvent(event: DevEvent): string {
  switch (event.kind) {
    case 'started':
      return `${event.container}: running from its sources, healthy in ${event.seconds.toFixed(1)} s`;
    case 'reloaded':
      return `${event.container}: reloaded in ${event.seconds.toFixed(1)} s`;
    case 'rebuilt':
      return `${event.container}: rebuilt in ${event.seconds.toFixed(1)} s`;
    case 'kept':
      return `${event.container}: kept the last good code: ${event.detail ?? 'the new code did not start'}`;
    case 'failed':
      return event.detail
        ? `${event.container}: nothing to serve until a good save: ${event.detail}`
        : `${event.container}: did not come back healthy (its log above says why); the next good save retries`;
  }
}

/** `services/payment/src/x.ts(3,5): error TS2322: …` */
const diagnosticLine = /^\S.*\(\d+,\d+\): error TS\d+: /;
const summaryLine = /Found (\d+) errors?\. Watching for file changes/;

/**
 * What `tsc -b --watch` says that `innover dev` prints: each error with its file and line, and the
 * count once a compilation ends, or that the errors are gone. Its other chatter is dropped. Pure.
 */
export class TypeErrorReport {
  private hadErrors = false;

  line(text: string): string | undefined {
    const line = text.replace(ansiEscape, '').replace(/^\[?[\d:. APM]+\]? - /, '').trimEnd();
    if (diagnosticLine.test(line)) return `types: ${line}`;
    const summary = summaryLine.exec(line);
    if (!summary) return undefined;
    const count = Number(summary[1]);
    const was = this.hadErrors;
    this.hadErrors = count > 0;
    if (count > 0) return `types: ${count} error${count === 1 ? '' : 's'} (the containers run the code anyway)`;
    return was ? 'types: no errors' : undefined;
  }
}
