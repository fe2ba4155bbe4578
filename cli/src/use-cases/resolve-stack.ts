import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError, UserError, type CommandContext } from '../command.js';
import type { ComposeProject } from '../clients/compose-client.js';
import { profileFilePaths } from '../plan/files.js';
import { planStack } from '../plan/plan-stack.js';
import type { Topology } from '../topology/schema.js';
import type { StackPlan, Workload } from '../plan/types.js';
import { readState } from '../host/state.js';

/** The stack one command acts on: the profile, its plan and how compose addresses it. */
export interface StackTarget {
  topology: Topology;
  profile: string;
  /** The plan of the profile, its `project` already overridden by INNOVER_PROJECT when set. */
  plan: StackPlan;
  compose: ComposeProject;
}

/**
 * Environment override of the Compose project name (topology.project otherwise), so a second
 * copy of the stack (the e2e's `innover-e2e`) never touches the developer's own containers.
 */
export const projectEnvironmentVariable = 'INNOVER_PROJECT';

const projectName = /^[a-z0-9][a-z0-9_-]*$/;


/** The profile in force: `--profile`, else the one remembered from the last `up`, else the default. */
export async function chooseProfile(ctx: CommandContext, topology: Topology, requested: string | undefined): Promise<string> {
  const profile = requested ?? (await readState(ctx.root)).profile ?? topology.defaultProfile;
  if (!topology.profiles[profile]) {
    const known = Object.keys(topology.profiles).join(', ');
    if (requested) throw new UsageError(`--profile: no profile '${profile}': use one of ${known}`);
    throw new UserError(`.innover/state.json remembers profile '${profile}', which innover.yaml no longer has: pass --profile (one of ${known})`);
  }
  return profile;
}

export async function resolveStack(ctx: CommandContext, requestedProfile: string | undefined): Promise<StackTarget> {
  const topology = await ctx.topology();
  const profile = await chooseProfile(ctx, topology, requestedProfile);
  const planned = planStack(topology, profile);
  const override = ctx.env[projectEnvironmentVariable];
  if (override !== undefined && !projectName.test(override)) {
    throw new UserError(`${projectEnvironmentVariable}='${override}': use lowercase letters, digits, dashes and underscores`);
  }
  const plan = override ? { ...planned, project: override } : planned;
  return {
    topology,
    profile,
    plan,
    compose: {
      root: ctx.root,
      project: plan.project,
      file: join(ctx.root, profileFilePaths(topology, profile).compose),
      ...(existsSync(join(ctx.root, '.env')) ? { envFile: join(ctx.root, '.env') } : {}),
    },
  };
}

/**
 * The planned containers named by the user, or all of them. Unknown names are a usage error
 * listing the known ones. `payment` names the API container; `payment-worker` the worker.
 */
export function selectContainers(plan: StackPlan, names: readonly string[] | undefined): Workload[] {
  if (!names || names.length === 0) return [...plan.workloads];
  const known = plan.workloads.map((container) => container.name);
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new UsageError(
      `no container ${unknown.map((name) => `'${name}'`).join(', ')} in profile '${plan.profile}': use one of ${known.join(', ')}`,
    );
  }
  return plan.workloads.filter((container) => names.includes(container.name));
}

/**
 * Fails in one line when the engine does not answer, before a compose call would print its own
 * multi-line complaint (down, nuke, rebuild, restart).
 */
export async function requireEngine(ctx: CommandContext): Promise<void> {
  await (await ctx.client('engine')).ping();
}
