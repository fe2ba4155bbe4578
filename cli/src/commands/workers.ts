import type { CommandModule } from '../command.js';
import type { QueueState } from '@innover/kit/queue';
import { containerOf, runningContainerId } from '../use-cases/exec-target.js';
import { resolveStack } from '../use-cases/resolve-stack.js';
import { allQueues, hostRedis, requireRedisAnswers } from '../plan/service-queues.js';
import { formatTable } from '../output/table.js';

export interface WorkersArgs {
  profile?: string;
}

/** Per queue: `{queue, workers, active:[{id,task,startedAt}], waiting, failed}` (plus delayed, completed). */
export type WorkersResult = QueueState[];

/** The human view: one row per queue, then one line per active job. */
export function renderWorkers(queues: WorkersResult): string {
  const table = formatTable(
    ['QUEUE', 'WORKERS', 'ACTIVE', 'WAITING', 'FAILED'],
    queues.map((queue) => [queue.queue, String(queue.workers), String(queue.active.length), String(queue.waiting), String(queue.failed)]),
  );
  const active = queues.flatMap((queue) =>
    queue.active.map((job) => `  ${queue.queue}: job ${job.id} ${job.task} started ${job.startedAt ?? '?'}`),
  );
  return active.length > 0 ? `${table}\n\nactive jobs:\n${active.join('\n')}` : table;
}

/** `innover workers`: the old "inspect active" view, read from Redis on the host (the context's `queue` client). */
export const command: CommandModule<WorkersArgs, WorkersResult> = {
  async handler(args, ctx) {
    const target = await resolveStack(ctx, args.profile);
    const redis = hostRedis(target, await ctx.dotenv());
    await runningContainerId(ctx, target, containerOf(target, 'redis'));
    const api = await ctx.client('queue');
    await requireRedisAnswers(api, redis, ctx.signal);
    return await api.inspectQueues({ redisUrl: redis.url, queues: allQueues(target) });
  },
  render: renderWorkers,
};
