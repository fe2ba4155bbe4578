import { UsageError, UserError, type CommandModule } from '../command.js';
import { runningContainerId, containerOf } from '../use-cases/exec-target.js';
import { resolveStack } from '../use-cases/resolve-stack.js';
import { hostRedis, requireRedisAnswers, routeTask } from '../plan/service-queues.js';

export interface TestWorkerArgs {
  service: string;
  task?: string;
  args?: string[];
  profile?: string;
  timeout?: number | string;
}

export interface TestWorkerResult {
  service: string;
  queue: string;
  task: string;
  result: unknown;
  seconds: number;
}

/** The result as one line: strings as they are, anything else as JSON (`3`, `{"a":1}`). */
export function formatResult(result: unknown): string {
  return typeof result === 'string' ? result : JSON.stringify(result) ?? 'undefined';
}

/**
 * `innover test-worker <svc> [task] [args...]`: dispatches a task (default `add 1 2`) to the
 * service's queue from the host, waits for the result and prints just that. Non-zero on failure
 * or timeout, in one line. The queue is reached through the context's `queue` client.
 */
export const command: CommandModule<TestWorkerArgs, TestWorkerResult> = {
  async handler(args, ctx) {
    const target = await resolveStack(ctx, args.profile);
    const task = args.task ?? 'add';
    const argv = args.task ? (args.args ?? []) : ['1', '2'];
    const queue = routeTask(target, args.service, task);
    const redis = hostRedis(target, await ctx.dotenv());
    const api = await ctx.client('queue');
    // A bad argument is a usage error (exit 2) whether or not the stack runs: check it first.
    let payload: unknown;
    try {
      payload = api.parseTaskArgs(task, argv);
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    await runningContainerId(ctx, target, containerOf(target, 'redis'));
    await requireRedisAnswers(api, redis, ctx.signal);
    const timeoutSeconds = Number(args.timeout ?? 30);
    const started = Date.now();
    try {
      const result = await api.runTask({ redisUrl: redis.url, queue, task, args: payload, timeoutMs: timeoutSeconds * 1000 });
      return { service: args.service, queue, task, result, seconds: Math.round((Date.now() - started) / 100) / 10 };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new UserError(message.split(redis.url).join('redis').split(redis.password).join('***'));
    }
  },
  render: (result) => formatResult(result.result),
};
