import { UserError, type CommandContext } from '../command.js';
import type { ComponentName } from '../topology/schema.js';
import type { ContainerPlan } from '../topology/stack-plan.js';
import type { StackTarget } from './resolve-stack.js';

/** The profiles holding a component, for "not in this profile" messages. */
export function profilesWith(target: StackTarget, component: ComponentName): string[] {
  return Object.entries(target.topology.profiles)
    .filter(([, profile]) => profile.components.includes(component))
    .map(([name]) => name);
}

/** The first planned container of a component, or a one-line error naming the profiles that have it. */
export function containerOf(target: StackTarget, component: ComponentName, role?: ContainerPlan['role']): ContainerPlan {
  const container = target.plan.containers.find((entry) => entry.component === component && (!role || entry.role === role));
  if (!container) {
    throw new UserError(
      `${component} is not in profile ${target.profile}: use --profile ${profilesWith(target, component).join(' or ')}`,
    );
  }
  return container;
}

/** The id of the running container of a planned one (one list call), or a one-line error with the fix. */
export async function runningContainerId(ctx: CommandContext, target: StackTarget, container: ContainerPlan): Promise<string> {
  const engine = await ctx.client('engine');
  const summaries = await engine.listContainers({ project: target.plan.project });
  const summary = summaries.find((entry) => entry.service === container.name);
  if (!summary || summary.state !== 'running') {
    throw new UserError(`${container.name} is not running in project ${target.plan.project}: run innover up --profile ${target.profile}`);
  }
  return summary.id;
}

/** A TTY only when both ends are terminals; pipes and CI get plain streams. */
export function wantsTty(ctx: CommandContext): boolean {
  return ctx.out.isTTY && Boolean(process.stdin.isTTY) && !ctx.json;
}

/** `innover db-shell`, `redis-cli`, `kafka-topics` all answer with the exec's exit code. */
export interface ExecResult {
  container: string;
  exitCode: number;
}
