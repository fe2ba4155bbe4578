import type { inspectQueues, parseTaskArgs, runTask } from '@innover/kit/queue';

/**
 * The part of `@innover/kit/queue` the CLI uses, as a seam: commands load the real module lazily
 * (BullMQ is heavy) and tests pass a fake.
 */
export interface QueueApi {
  runTask: typeof runTask;
  inspectQueues: typeof inspectQueues;
  parseTaskArgs: typeof parseTaskArgs;
}

export const loadQueueApi = async (): Promise<QueueApi> => await import('@innover/kit/queue');
