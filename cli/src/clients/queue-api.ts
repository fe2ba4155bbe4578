import type { inspectQueues, parseTaskArgs, runTask } from '@innover/kit/queue';
import { probeRedis } from './redis-probe.js';

/**
 * How the CLI reaches the queues, the `queue` client (`ctx.client('queue')`): `@innover/kit/queue`
 * (loaded lazily, BullMQ is heavy) plus the direct Redis probe asked before it. Tests pass a fake.
 */
export interface QueueApi {
  runTask: typeof runTask;
  inspectQueues: typeof inspectQueues;
  parseTaskArgs: typeof parseTaskArgs;
  probeRedis: typeof probeRedis;
}

export const loadQueueApi = async (): Promise<QueueApi> => {
  const { runTask, inspectQueues, parseTaskArgs } = await import('@innover/kit/queue');
  return { runTask, inspectQueues, parseTaskArgs, probeRedis };
};
