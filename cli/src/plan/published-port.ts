import type { StackPlan } from './types.js';

/**
 * The host port of a component's main port, as its module publishes it (its first workload's
 * first port: SQL for the database, the UI for Jaeger, HTTP for Nginx). Pure. Throws when the
 * plan has no such component with a port: the caller asks only for components in the profile.
 */
export function publishedPort(plan: Pick<StackPlan, 'workloads'>, component: string): number {
  const port = plan.workloads.find((workload) => workload.component === component && workload.ports.length > 0)?.ports[0];
  if (!port) throw new Error(`no published port of component ${component} in the plan`);
  return port.host;
}
