import { UsageError, UserError } from '../command.js';
import type { EnvConfig } from '../env/schema.js';
import { serviceQueue, serviceTasks } from '../components/services-names.js';
import { containerOf } from '../use-cases/exec-target.js';
import type { QueueApi } from '../clients/queue-api.js';
import type { StackTarget } from '../use-cases/resolve-stack.js';

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

/** Redis as the host reaches it: the published port on 127.0.0.1, with the password from `.env`. */
export interface HostRedis {
  host: string;
  port: number;
  password: string;
  /** The BullMQ URL. It holds the password: it is used, never printed. */
  url: string;
}

export function hostRedis(target: StackTarget, env: Pick<EnvConfig, 'REDIS_PASSWORD'>): HostRedis {
  if (!target.plan.components.includes('services')) {
    throw new UserError(`profile ${target.profile} runs no services or workers: use --profile lite, core or full`);
  }
  const redis = containerOf(target, 'redis');
  const port = redis.ports[0]?.host;
  if (port === undefined) throw new UserError(`redis publishes no host port in profile ${target.profile}: set infrastructure.redis.hostPort in innover.yaml`);
  const host = '127.0.0.1';
  return { host, port, password: env.REDIS_PASSWORD, url: `redis://:${encodeURIComponent(env.REDIS_PASSWORD)}@${host}:${port}/0` };
}

/**
 * Fails in one line unless Redis answers AUTH and PING. BullMQ reconnects forever on a refused
 * connection or a wrong password, so without this `test-worker` would wait past its --timeout and
 * `workers` would never return.
 */
export async function requireRedisAnswers(api: Pick<QueueApi, 'probeRedis'>, redis: HostRedis, signal: AbortSignal): Promise<void> {
  try {
    await api.probeRedis({ host: redis.host, port: redis.port, password: redis.password }, signal);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UserError(`Redis at ${redis.host}:${redis.port}: ${message.split(redis.password).join('***')}`);
  }
}
