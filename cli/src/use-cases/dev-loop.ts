import { statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { UserError, type CommandContext } from '../command.js';
import type { EngineClient } from '../clients/engine-client.js';
import { logPrefixer } from '../output/log-prefix.js';
import { devOverridePath, planDev, stringifyDevOverride } from '../targets/compose/dev-override.js';
import { describeDevEvent, ReloadTracker, TypeErrorReport, type DevEvent } from './dev-reloads.js';
import { ComposeWatchLoop, defaultTopologySteps, devProject, followTopology, type DevTopologySteps } from './dev-topology.js';
import { resolveStack } from './resolve-stack.js';
import type { UpArgs, UpResult } from './up-stack.js';

export interface DevArgs {
  /** App services to watch (`payment`); every service of the profile when empty. */
  services?: string[];
  profile?: string;
  timeout?: number | string;
}

export interface DevResult {
  project: string;
  profile: string;
  /** The override file, relative to the project root. */
  override: string;
  /** The containers that ran from their sources. */
  watched: string[];
  /** Every start, reload, rebuild and failure, in order. */
  events: DevEvent[];
}

/** The seams `innover dev` runs through; tests replace them. */
export interface DevSteps {
  /** `innover up`'s use case, for the whole profile. */
  up: (args: UpArgs, ctx: CommandContext) => Promise<UpResult>;
  writeText: (path: string, text: string) => Promise<void>;
  now: () => number;
  /** A file's mtime in ms (the save a reload is timed from), undefined when it does not exist. */
  modifiedAt: (path: string) => number | undefined;
  /** How often the engine is asked for the containers' health. */
  pollMilliseconds: number;
  /** How a changed innover.yaml is loaded and generated (dev-topology.ts). */
  topology: Omit<DevTopologySteps, 'writeText'>;
}

const defaultSteps: DevSteps = {
  up: async (args, ctx) => (await import('./up-stack.js')).upStack(args, ctx),
  writeText: async (path, text) => {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text);
  },
  now: () => Date.now(),
  modifiedAt: (path) => {
    try {
      return statSync(path).mtimeMs;
    } catch {
      return undefined;
    }
  },
  pollMilliseconds: 250,
  topology: defaultTopologySteps,
};

/**
 * `innover dev`: starts the profile as `up` does, switches the watched services' API and worker
 * containers to the dev image (their TypeScript sources, run by Node's type stripping), then runs
 * `docker compose watch` over the dev override until Ctrl-C. Prints one line per reload and the
 * containers' logs, prefixed as `logs` does. Ctrl-C stops watching only: the stack keeps running.
 */
export async function runDev(args: DevArgs, ctx: CommandContext, overrides: Partial<DevSteps> = {}): Promise<DevResult> {
  const steps = { ...defaultSteps, ...overrides };
  const target = await resolveStack(ctx, args.profile);
  // Checked before anything starts: an unknown service is a usage error, not a half-started loop.
  const dev = planDev(target.plan, args.services ?? []);
  if (dev.containers.length === 0) throw new UserError(`profile '${target.profile}' runs no app services to watch: use a profile with 'services'`);
  await steps.up({ profile: target.profile, ...(args.timeout !== undefined ? { timeout: args.timeout } : {}) }, ctx);
  const override = devOverridePath(target.profile);
  const overridePath = join(ctx.root, override);
  await steps.writeText(overridePath, stringifyDevOverride(dev));
  // After `up`, which may just have created .env.
  const project = devProject(ctx.root, target, overridePath);
  const names = dev.containers.map((container) => container.name);
  const compose = await ctx.client('compose');
  const engine = await ctx.client('engine');
  const events: DevEvent[] = [];
  const tracker = new ReloadTracker(names);
  const report = (event: DevEvent): void => {
    events.push(event);
    if (!ctx.json) ctx.out.write(`${describeDevEvent(event)}\n`);
  };
  const onComposeLine = (line: string): void => {
    if (tracker.composeLine(line, steps.now())) return;
    if (/error|failed|cannot|denied/i.test(line)) ctx.out.warn(`compose watch: ${line.trim()}`);
  };

  ctx.out.info(`${names.join(', ')}: from their sources (the dev image), then watching services/<name>/src and the kit; Ctrl-C stops watching and leaves the stack running (innover down stops it)`);
  tracker.starting(steps.now());
  await compose.up(project, { build: true, services: names, signal: ctx.signal, onLine: onComposeLine });
  const prefix = await logPrefixer(names, ctx.out.isTTY && !ctx.json);
  const stopped = new AbortController();
  const stop = (): void => stopped.abort();
  ctx.signal.addEventListener('abort', stop, { once: true });
  try {
    const watch = new ComposeWatchLoop(compose, project, names, { signal: ctx.signal, onLine: onComposeLine });
    const watching = watch.run().finally(stop);
    const polling = pollHealth(engine, target.plan.project, tracker, steps, stopped.signal, report);
    // The dev runner's own lines become `payment: reloaded in 0.8 s`; the rest is the service's log.
    const onLogLine = (name: string, text: string): void => {
      const event = tracker.logLine(name, text, steps.now(), (path) => steps.modifiedAt(join(ctx.root, path)));
      if (event) report(event);
      else if (!ctx.json) ctx.out.write(`${prefix(name)}${text}\n`);
    };
    const following = followLogs(engine, target.plan.project, names, onLogLine, steps, stopped.signal);
    // The logs of containers a change to innover.yaml adds; a failure there ends the loop as one of the others would.
    const addedLogs: Promise<void>[] = [];
    let addedFailure: { error: unknown } | undefined;
    // innover.yaml and .env: each change is applied to the stack; one that changes the watched set restarts the watch.
    const followed = new Set(names);
    const topology = followTopology(ctx, { services: args.services ?? [], target, dev, overridePath, project }, {
      signal: stopped.signal,
      steps: { ...steps.topology, writeText: steps.writeText },
      onWatchChange: (next) => {
        const nextNames = next.dev.containers.map((container) => container.name);
        tracker.follow(nextNames, steps.now());
        watch.restart(next.project, nextNames);
        const added = nextNames.filter((name) => !followed.has(name));
        for (const name of added) followed.add(name);
        if (added.length === 0) return;
        addedLogs.push(
          followLogs(engine, target.plan.project, added, onLogLine, steps, stopped.signal).catch((error: unknown) => {
            addedFailure ??= { error };
            stop();
          }),
        );
      },
    });
    await Promise.all([watching, polling, following, topology, checkTypes(ctx, dev.containers.map((container) => container.service), stopped.signal)]);
    await Promise.all(addedLogs);
    if (addedFailure) throw addedFailure.error;
  } finally {
    ctx.signal.removeEventListener('abort', stop);
    stop();
  }
  return { project: target.plan.project, profile: target.profile, override, watched: names, events };
}

function pause(milliseconds: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, milliseconds);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

async function pollHealth(
  engine: EngineClient,
  project: string,
  tracker: ReloadTracker,
  steps: DevSteps,
  signal: AbortSignal,
  report: (event: DevEvent) => void,
): Promise<void> {
  while (!signal.aborted) {
    const containers = await engine.listContainers({ project, all: true });
    const sightings = containers.map((summary) => ({ container: summary.service, id: summary.id, state: summary.state, health: summary.health }));
    for (const event of tracker.sighting(sightings, steps.now())) report(event);
    await pause(steps.pollMilliseconds, signal);
  }
}

/**
 * Each watched container's log, line by line (the dev runner's lines among them). A restart ends a
 * follow (and a rebuild replaces the container): it attaches again, skipping the lines it already
 * read of the same container.
 */
async function followLogs(
  engine: EngineClient,
  project: string,
  names: readonly string[],
  onLine: (name: string, text: string) => void,
  steps: DevSteps,
  signal: AbortSignal,
): Promise<void> {
  const read = new Map<string, number>();
  const follow = async (name: string): Promise<void> => {
    while (!signal.aborted) {
      const summary = (await engine.listContainers({ project, all: true })).find((container) => container.service === name);
      if (summary) {
        let skip = read.get(summary.id) ?? 0;
        let count = skip;
        await engine.logs(summary.id, { tail: 'all', follow: true, signal }, (line) => {
          if (skip > 0) {
            skip -= 1;
            return;
          }
          count += 1;
          onLine(name, line.text);
        });
        read.set(summary.id, count);
      }
      await pause(steps.pollMilliseconds, signal);
    }
  };
  await Promise.all(names.map((name) => follow(name)));
}

/** An incremental `tsc -b --watch` over the watched services (their references bring the kit): errors beside the loop, never stopping it. */
async function checkTypes(ctx: CommandContext, services: readonly string[], signal: AbortSignal): Promise<void> {
  if (ctx.json) return;
  const typescript = await ctx.client('typescript');
  const report = new TypeErrorReport();
  const projects = [...new Set(services)].map((service) => `services/${service}`);
  const ran = await typescript.watch(projects, {
    signal,
    onLine: (line) => {
      const text = report.line(line);
      if (text) ctx.out.write(`${text}\n`);
    },
  });
  if (!ran) ctx.out.warn('types: no TypeScript in node_modules (npm ci): reloading without type errors');
}
