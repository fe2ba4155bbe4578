import { UsageError, UserError } from '../command.js';
import type { EnvConfig } from '../env/schema.js';
import { serviceQueue, serviceTasks } from '../topology/plan-stack.js';
import { containerOf } from './exec-target.js';
import type { StackTarget } from './resolve-stack.js';

/** The queue a task of a service goes to, by the topology's task routing (pure). */
export function routeTask(target: StackTarget, serviceName: string, task: string): string {
  const service = target.topology.services.find((entry) => entry.name === serviceName);
  if (!service) {
    const known = target.topology.services.map((entry) => entry.name).join(', ');
    throw new UsageError(`test-worker: no service '${serviceName}': use one of ${known}`);
  }
  return serviceTasks(service)[task] ?? serviceQueue(service);
}

/** Every queue of the topology's services, each once, in service order (pure). */
export function allQueues(target: StackTarget): string[] {
  const queues = target.topology.services.flatMap((service) => [serviceQueue(service), ...Object.values(serviceTasks(service))]);
  return [...new Set(queues)];
}

/**
 * Redis as the host reaches it: the published port on 127.0.0.1, with the password from `.env`.
 * The URL holds a secret: it is used, never printed.
 */
export function hostRedisUrl(target: StackTarget, env: Pick<EnvConfig, 'REDIS_PASSWORD'>): string {
  if (!target.plan.components.includes('services')) {
    throw new UserError(`profile ${target.profile} runs no services or workers: use --profile lite, core or full`);
  }
  const redis = containerOf(target, 'redis');
  const port = redis.ports[0]?.host;
  if (port === undefined) throw new UserError(`redis publishes no host port in profile ${target.profile}: set infrastructure.redis.hostPort in innover.yaml`);
  return `redis://:${encodeURIComponent(env.REDIS_PASSWORD)}@127.0.0.1:${port}/0`;
}
