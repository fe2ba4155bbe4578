import { setTimeout as sleep } from 'node:timers/promises';
import type { ZodType } from 'zod';
import type { Logger } from 'pino';
import type { Database } from './database.ts';
import type { EventBus } from './events.ts';
import type { ServiceClients } from './service-client.ts';
import type { TaskEnqueuer } from './runtime.ts';
import { sampleTaskArguments } from './task-arguments.ts';

/** What a task's `run` may use; dependencies are present only when configured. */
export interface TaskContext {
  logger: Logger;
  database: Database | undefined;
  events: EventBus | undefined;
  /** Clients of the services in SERVICE_CALLS. */
  services: ServiceClients;
  tasks: TaskEnqueuer | undefined;
  job: { id: string; name: string; attemptsMade: number };
}

/** A task: its payload schema (checked before `run`) and its work. */
export interface TaskDefinition<Arguments = never, Result = unknown> {
  schema: ZodType<Arguments>;
  run(args: Arguments, context: TaskContext): Promise<Result>;
}

/** Registry of a worker's tasks by name. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- heterogeneous registry; each entry is checked by its own schema
export type TaskRegistry = Record<string, TaskDefinition<any, unknown>>;

export function defineTask<Arguments, Result>(schema: ZodType<Arguments>, run: (args: Arguments, context: TaskContext) => Promise<Result>): TaskDefinition<Arguments, Result> {
  return { schema, run };
}

/** The sample tasks every service's worker has. */
export const sampleTasks = {
  add: defineTask(sampleTaskArguments.add, async ({ a, b }) => a + b),
  slow: defineTask(sampleTaskArguments.slow, async ({ seconds }) => {
    await sleep(seconds * 1_000);
    return seconds;
  }),
} satisfies TaskRegistry;
