import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError, type CommandContext } from '../command.js';
import type { ComposeClient, ComposeProject } from '../clients/compose-client.js';
import { withTopology } from '../context.js';
import type { StackPlan } from '../plan/types.js';
import { planDev, stringifyDevOverride, type DevPlan } from '../targets/compose/dev-override.js';
import type { Topology } from '../topology/schema.js';
import { topologyFileName } from '../topology/topology-file.js';
import { resolveStack, type StackTarget } from './resolve-stack.js';

/** What `innover dev` runs on: the last good topology's target, its dev plan and the project with the override. */
export interface DevTopology {
  /** The `[services...]` dev was started with (every app service of the profile when empty). */
  services: readonly string[];
  target: StackTarget;
  dev: DevPlan;
  /** Absolute path of the dev override. */
  overridePath: string;
  /** The profile's compose file with the override laid over it. */
  project: ComposeProject;
}

/** The profile's compose project with the dev override laid over it (and `.env`, once `up` has made it). */
export function devProject(root: string, target: StackTarget, overridePath: string): ComposeProject {
  const envFile = join(root, '.env');
  return { ...target.compose, ...(existsSync(envFile) ? { envFile } : {}), overrides: [overridePath] };
}

/** The files whose change `innover dev` applies to the running stack. */
export const topologyFiles = [topologyFileName, '.env'] as const;

/** What one change did: applied (and what compose recreated), or refused with the one line that says why. */
export type TopologyOutcome =
  | {
      kind: 'applied';
      /** Compose services whose container is new (recreated or added), in plan order. */
      recreated: string[];
      /** Compose services whose container is gone (dropped from the topology). */
      removed: string[];
      /** Compose services whose image was built first (an image input changed). */
      built: string[];
      /** The dev override changed (the watched set or its rules): compose watch must start again. */
      watchChanged: boolean;
      next: DevTopology;
    }
  | { kind: 'refused'; problem: string };

/** The seams a change goes through; tests replace them. */
export interface DevTopologySteps {
  loadTopology: (root: string) => Promise<Topology>;
  /** The generate use case: the drift-checked files and the profile's own files. */
  generate: (ctx: CommandContext, target: StackTarget) => Promise<void>;
  writeText: (path: string, text: string) => Promise<void>;
}

export const defaultTopologySteps: Omit<DevTopologySteps, 'writeText'> = {
  loadTopology: async (root) => (await import('../topology/load.js')).loadTopology(root),
  generate: async (ctx, target) => (await import('./generate-stack.js')).generateStack(ctx, target),
};

/**
 * Applies the current innover.yaml (and .env) to the stack `innover dev` runs: loads and validates
 * it, regenerates the drift-checked files, re-plans and rewrites the dev override, builds the images
 * whose inputs changed, then `docker compose up -d` over the profile and the override, so Compose
 * recreates only the containers whose configuration changed. A topology that does not validate is
 * refused before anything is written; the stack keeps running on the last good one.
 */
export async function applyTopologyChange(ctx: CommandContext, current: DevTopology, steps: DevTopologySteps): Promise<TopologyOutcome> {
  let scoped: CommandContext;
  let target: StackTarget;
  let dev: DevPlan;
  try {
    scoped = withTopology(ctx, await steps.loadTopology(ctx.root));
    target = await resolveStack(scoped, current.target.profile);
    if (target.plan.project !== current.target.plan.project) {
      throw new UserError(
        `${topologyFileName}: project: '${target.plan.project}' while innover dev runs '${current.target.plan.project}': put it back, or stop dev, run innover down, then innover dev`,
      );
    }
    dev = planDev(target.plan, current.services);
    if (dev.containers.length === 0) throw new UserError(`${topologyFileName}: profile '${target.profile}' runs no app services to watch: give it 'services'`);
    await steps.generate(scoped, target);
  } catch (error) {
    if (error instanceof UserError) return { kind: 'refused', problem: oneLine(error) };
    throw error;
  }
  const overrideText = stringifyDevOverride(dev);
  await steps.writeText(current.overridePath, overrideText);
  const project = devProject(ctx.root, target, current.overridePath);
  const next: DevTopology = { services: current.services, target, dev, overridePath: current.overridePath, project };
  const compose = await ctx.client('compose');
  const engine = await ctx.client('engine');
  const containers = async (): Promise<Map<string, string>> =>
    new Map((await engine.listContainers({ project: target.plan.project, all: true })).map((summary) => [summary.service, summary.id]));
  const before = await containers();
  const built = changedImages(current, next);
  if (built.length > 0) await compose.build(project, { services: built, noCache: false, signal: ctx.signal });
  await compose.up(project, { build: false, removeOrphans: true, signal: ctx.signal });
  const after = await containers();
  const order = target.plan.workloads.map((workload) => workload.name);
  const recreated = [...after].filter(([name, id]) => before.get(name) !== id).map(([name]) => name);
  recreated.sort((a, b) => order.indexOf(a) - order.indexOf(b));
  const removed = [...before.keys()].filter((name) => !after.has(name));
  return { kind: 'applied', recreated, removed, built, watchChanged: overrideText !== stringifyDevOverride(current.dev), next };
}

/** The first problem of a UserError, on one line (the rest counted): what the loop prints. */
function oneLine(error: UserError): string {
  const [first = error.message, ...rest] = error.problems;
  return rest.length > 0 ? `${first} (and ${rest.length} more: innover generate lists them)` : first;
}

/**
 * The compose services whose image must be built before `up`: a build (context, Dockerfile, args or
 * the dev stage's) that is new or changed. A worker that runs its API's image is built with the API.
 */
export function changedImages(current: DevTopology, next: DevTopology): string[] {
  const before = buildInputs(current.target.plan, current.dev);
  return [...buildInputs(next.target.plan, next.dev)].filter(([name, inputs]) => before.get(name) !== inputs).map(([name]) => name);
}

function buildInputs(plan: StackPlan, dev: DevPlan): Map<string, string> {
  const inputs = new Map<string, string>();
  for (const workload of plan.workloads) {
    const watched = dev.containers.find((container) => container.name === workload.name);
    const image = watched?.image ?? workload.image;
    const build = watched?.build ?? workload.build;
    if (build) inputs.set(workload.name, JSON.stringify({ image, build }));
  }
  return inputs;
}

/** `innover.yaml: applied (recreated payment, payment-worker)`, or the one line of a refusal. */
export function describeTopologyOutcome(changed: readonly string[], outcome: TopologyOutcome): string {
  const label = changed.join(', ');
  if (outcome.kind === 'refused') {
    return `${outcome.problem} (nothing applied: the stack keeps the last good ${topologyFileName})`;
  }
  const parts = [
    ...(outcome.built.length > 0 ? [`built ${outcome.built.join(', ')}`] : []),
    ...(outcome.recreated.length > 0 ? [`recreated ${outcome.recreated.join(', ')}`] : []),
    ...(outcome.removed.length > 0 ? [`removed ${outcome.removed.join(', ')}`] : []),
  ];
  return `${label}: applied (${parts.length > 0 ? parts.join('; ') : 'no container changed'})`;
}

export interface FollowTopologyOptions {
  signal: AbortSignal;
  steps: DevTopologySteps;
  /** A change altered the dev override: the watched containers (or their rules) are now `next.dev`'s. */
  onWatchChange: (next: DevTopology) => void;
}

/**
 * Watches innover.yaml and .env until the signal aborts, applying each change in turn (changes
 * during an apply are applied once it ends, together). Prints one line per change; a failure to
 * apply (compose could not start a container) is printed too, and the loop goes on.
 */
export async function followTopology(ctx: CommandContext, start: DevTopology, options: FollowTopologyOptions): Promise<void> {
  const files = await ctx.client('files');
  let current = start;
  const queued = new Set<string>();
  let running: Promise<void> | undefined;
  const print = (line: string, refused: boolean): void => {
    if (!ctx.json) ctx.out.write(`${line}\n`);
    else if (refused) ctx.out.warn(line);
  };
  const applyQueued = async (): Promise<void> => {
    while (queued.size > 0 && !options.signal.aborted) {
      const changed = topologyFiles.filter((name) => queued.has(name));
      queued.clear();
      try {
        const outcome = await applyTopologyChange(ctx, current, options.steps);
        print(describeTopologyOutcome(changed, outcome), outcome.kind === 'refused');
        if (outcome.kind === 'applied') {
          current = outcome.next;
          if (outcome.watchChanged) options.onWatchChange(current);
        }
      } catch (error) {
        if (options.signal.aborted) return;
        const reason = error instanceof UserError ? oneLine(error) : error instanceof Error ? error.message : String(error);
        // The files may be written already: the next save applies them again.
        print(`${changed.join(', ')}: not applied (${reason}); the next save retries`, true);
      }
    }
  };
  await files.watch(ctx.root, topologyFiles, {
    signal: options.signal,
    onChange: (names) => {
      for (const name of names) queued.add(name);
      running ??= applyQueued().finally(() => (running = undefined));
    },
  });
  await running;
}

/** `docker compose watch` over the watched containers, started again over a new set when innover.yaml changes it. */
export class ComposeWatchLoop {
  private names: readonly string[];
  private current: AbortController | undefined;
  private restarting = false;

  constructor(
    private readonly compose: ComposeClient,
    private project: ComposeProject,
    names: readonly string[],
    private readonly options: { signal: AbortSignal; onLine: (line: string) => void },
  ) {
    this.names = names;
  }

  /** Until the signal aborts or compose watch fails (a restart is neither). */
  async run(): Promise<void> {
    while (!this.options.signal.aborted) {
      this.current = new AbortController();
      this.restarting = false;
      const signal = AbortSignal.any([this.options.signal, this.current.signal]);
      await this.compose.watch(this.project, { services: this.names, noUp: true, signal, onLine: this.options.onLine });
      if (!this.restarting) return;
    }
  }

  restart(project: ComposeProject, names: readonly string[]): void {
    this.project = project;
    this.names = names;
    this.restarting = true;
    this.current?.abort();
  }
}
