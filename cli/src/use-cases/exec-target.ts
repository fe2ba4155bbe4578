import { UserError, type CommandContext } from '../command.js';
import type { ComponentName } from '../topology/schema.js';
import { planStack } from '../plan/plan-stack.js';
import type { EntryPoint, Workload } from '../plan/types.js';
import type { StackTarget } from './resolve-stack.js';

/** The profiles holding a component, for "not in this profile" messages. */
export function profilesWith(target: StackTarget, component: ComponentName): string[] {
  return Object.entries(target.topology.profiles)
    .filter(([, profile]) => profile.components.includes(component))
    .map(([name]) => name);
}

/** The first planned container of a component, or a one-line error naming the profiles that have it. */
export function containerOf(target: StackTarget, component: ComponentName, role?: Workload['role']): Workload {
  const container = target.plan.workloads.find((entry) => entry.component === component && (!role || entry.role === role));
  if (!container) {
    throw new UserError(
      `${component} is not in profile ${target.profile}: use --profile ${profilesWith(target, component).join(' or ')}`,
    );
  }
  return container;
}

/**
 * A component's exec entry point (db-shell, redis-cli, kafka-topics) in the plan, and the workload
 * it runs in; or a one-line error naming the profiles whose component offers it.
 */
export function entryPointOf(target: StackTarget, name: string, service?: string): { entry: EntryPoint; workload: Workload } {
  const offering = (plan: StackTarget['plan']) =>
    plan.componentPlans.find((component) => component.entryPoints.some((entry) => entry.name === name));
  const component = offering(target.plan);
  const entry = component?.entryPoints.find((candidate) => candidate.name === name && candidate.service === service);
  const workload = entry && target.plan.workloads.find((candidate) => candidate.name === entry.workload);
  if (entry && workload) return { entry, workload };
  const profiles = Object.keys(target.topology.profiles).filter((profile) => offering(planStack(target.topology, profile)));
  const owner = profiles.length > 0 ? offering(planStack(target.topology, profiles[0]!))!.component : name;
  throw new UserError(`${owner} is not in profile ${target.profile}: use --profile ${profiles.join(' or ')}`);
}

/** The exec environment of an entry point, from `.env` (passwords travel here, never on a command line). */
export function entryPointEnvironment(entry: EntryPoint, env: object): string[] {
  const values = env as Readonly<Record<string, unknown>>;
  return Object.entries(entry.environment ?? {}).map(([key, ref]) => {
    const value = values[ref.secret];
    return `${key}=${typeof value === 'string' ? value : ''}`;
  });
}

/** The id of the running container of a planned one (one list call), or a one-line error with the fix. */
export async function runningContainerId(ctx: CommandContext, target: StackTarget, container: Workload): Promise<string> {
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
