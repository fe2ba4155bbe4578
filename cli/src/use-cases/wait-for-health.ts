import { UserError } from '../command.js';
import type { ContainerSummary, EngineClient } from '../clients/engine-client.js';
import type { Workload } from '../plan/types.js';
import { assessContainer, type ContainerPhase } from './container-status.js';
import type { HttpProbe } from '../clients/http-probe.js';
import { composeHealth } from '../targets/compose/compose-plan.js';

/** One container's progress, reported on every tick. */
export interface ContainerProgress {
  name: string;
  phase: ContainerPhase;
  ready: boolean;
  /** Seconds since the wait started when it became ready. */
  readyAfterSeconds?: number;
}

export interface WaitOptions {
  project: string;
  /** The containers to wait for, in dependency order. */
  containers: readonly Workload[];
  engine: EngineClient;
  probe: HttpProbe;
  /** Overall limit, on top of each container's own `startTimeoutSeconds`. */
  timeoutSeconds: number;
  tickMilliseconds?: number;
  signal?: AbortSignal;
  onProgress?: (progress: readonly ContainerProgress[]) => void;
  /** Injectable clock for tests. */
  now?: () => number;
  sleep?: (milliseconds: number, signal?: AbortSignal) => Promise<void>;
}

/** A container that will not become healthy by waiting longer. `up` prints its last log lines. */
export class ContainerHealthError extends UserError {
  constructor(
    readonly container: string,
    readonly reason: string,
  ) {
    super(`${container} ${reason}: see innover logs ${container}`);
    this.name = 'ContainerHealthError';
  }
}

const defaultSleep = (milliseconds: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(done, milliseconds);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * Waits until every container is ready, polling with ONE list call per tick for the whole project
 * (plus an HTTP probe for each shell-less container not yet healthy). Fails fast on an exit, an
 * unhealthy container, or a container past its own start timeout, counted from the moment its
 * dependencies became ready (CockroachDB, Keycloak and WSO2 get longer ones from the plan).
 */
export async function waitForHealth(options: WaitOptions): Promise<ContainerProgress[]> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const tick = options.tickMilliseconds ?? 250;
  const started = now();
  const names = new Set(options.containers.map((container) => container.name));
  const readyAt = new Map<string, number>();

  for (;;) {
    if (options.signal?.aborted) throw new UserError('interrupted while waiting for the stack', { exitCode: 130 });
    const summaries = await options.engine.listContainers({ project: options.project });
    const byService = new Map<string, ContainerSummary>(summaries.map((summary) => [summary.service, summary]));
    const probes = await probeShellLess(options, byService, readyAt);
    const current = now();
    const progress: ContainerProgress[] = [];
    let failure: ContainerHealthError | undefined;

    for (const container of options.containers) {
      const assessment = assessContainer(container, byService.get(container.name), probes.get(container.name));
      // Ready once is ready: a job that completed stays completed even after compose removes it.
      if (assessment.ready && !readyAt.has(container.name)) readyAt.set(container.name, current);
      const ready = readyAt.has(container.name);
      const entry: ContainerProgress = { name: container.name, phase: ready && !assessment.ready ? 'healthy' : assessment.phase, ready };
      const at = readyAt.get(container.name);
      if (at !== undefined) entry.readyAfterSeconds = Math.round((at - started) / 100) / 10;
      progress.push(entry);
      if (ready || failure) continue;
      if (assessment.failure) {
        failure = new ContainerHealthError(container.name, assessment.failure);
        continue;
      }
      const dependenciesReadyAt = container.dependsOn
        .filter((dependency) => names.has(dependency.name))
        .map((dependency) => readyAt.get(dependency.name));
      if (dependenciesReadyAt.some((time) => time === undefined)) continue;
      const clockStart = Math.max(started, ...(dependenciesReadyAt as number[]));
      if (current - clockStart > container.startTimeoutSeconds * 1000) {
        failure = new ContainerHealthError(container.name, `is not healthy after ${container.startTimeoutSeconds} s (${assessment.phase})`);
      }
    }
    options.onProgress?.(progress);
    if (failure) throw failure;
    if (progress.every((entry) => entry.ready)) return progress;
    if (current - started > options.timeoutSeconds * 1000) {
      const waiting = progress.filter((entry) => !entry.ready);
      const first = waiting[0];
      throw new ContainerHealthError(
        first?.name ?? 'the stack',
        `is not healthy within --timeout ${options.timeoutSeconds} s (still waiting: ${waiting.map((entry) => `${entry.name} ${entry.phase}`).join(', ')})`,
      );
    }
    await sleep(tick, options.signal);
  }
}

async function probeShellLess(
  options: WaitOptions,
  byService: ReadonlyMap<string, ContainerSummary>,
  readyAt: ReadonlyMap<string, number>,
): Promise<Map<string, boolean>> {
  const probes = new Map<string, boolean>();
  await Promise.all(
    options.containers.map(async (container) => {
      const health = composeHealth(container);
      if (health.kind !== 'host-probe' || readyAt.has(container.name)) return;
      if (byService.get(container.name)?.state !== 'running') return;
      probes.set(container.name, await options.probe(health.url, options.signal));
    }),
  );
  return probes;
}
