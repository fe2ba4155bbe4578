import { writeFile } from 'node:fs/promises';
import { context } from '@opentelemetry/api';
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Job } from 'bullmq';
import { tellDevRunner } from './dev-reload.ts';
import { issuePaths } from './http-errors.ts';
import { backoffDelay, cappedExponentialBackoff, redisConnection } from './queue.ts';
import type { TaskJobData } from './queue.ts';
import { createRuntime, exitAtStart, flushLogger, loadConfigOrExit } from './runtime.ts';
import type { Runtime, ServiceDefinition, TaskSchedule } from './runtime.ts';
import { outboxRelayCrashAfter } from './outbox.ts';
import type { OutboxMessage, OutboxRelay } from './outbox.ts';
import { sampleTasks } from './tasks.ts';
import type { TaskRegistry } from './tasks.ts';
import { extractTraceContext, SpanKind, withSpan } from './tracing.ts';

/** How often the worker touches its heartbeat file; the healthcheck accepts 30 s of silence. */
export const heartbeatIntervalMs = 5_000;

/** Job schedulers of `definition.schedules` are named `schedule:<task>` on the worker's queue. */
export const schedulerPrefix = 'schedule:';

/** Scheduled jobs: no retries (the next interval runs again), a bounded history. */
export const scheduledJobOptions = { attempts: 1, removeOnComplete: { count: 100 }, removeOnFail: { count: 500 } };

/** One line per problem of `schedules` against the worker's tasks; empty when they are valid. Pure. */
export function scheduleProblems(schedules: TaskSchedule[], tasks: TaskRegistry): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  schedules.forEach((schedule, index) => {
    const where = `schedules[${index}]`;
    const definition = tasks[schedule.task];
    if (!definition) {
      problems.push(`${where}.task: no task "${schedule.task}" in this worker; it runs: ${Object.keys(tasks).sort().join(', ')}`);
    } else {
      const parsed = definition.schema.safeParse(schedule.args ?? {});
      if (!parsed.success) problems.push(`${where}.args: task ${schedule.task} refuses them: ${issuePaths(parsed.error.issues).map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`);
    }
    if (!Number.isSafeInteger(schedule.everyMs) || schedule.everyMs <= 0) problems.push(`${where}.everyMs: must be a whole number of milliseconds greater than 0 (got ${schedule.everyMs})`);
    if (seen.has(schedule.task)) problems.push(`${where}.task: ${schedule.task} is scheduled twice; keep one entry per task`);
    seen.add(schedule.task);
  });
  return problems;
}

/**
 * Upserts one BullMQ job scheduler per schedule (BullMQ ≥ 5.16, docs.bullmq.io/guide/job-schedulers: an upsert
 * with the same id updates the scheduler instead of adding one, so every replica can run it at start), and
 * removes this service's schedulers that are no longer declared. A scheduler produces its next job when the
 * current one starts, so there is one job per interval whatever the number of workers.
 */
export async function upsertSchedules(queue: Queue, schedules: TaskSchedule[]): Promise<void> {
  const wanted = new Set(schedules.map((schedule) => `${schedulerPrefix}${schedule.task}`));
  for (const schedule of schedules) {
    await queue.upsertJobScheduler(`${schedulerPrefix}${schedule.task}`, { every: schedule.everyMs }, { name: schedule.task, data: { args: schedule.args ?? {} } satisfies TaskJobData, opts: scheduledJobOptions });
  }
  for (const existing of await queue.getJobSchedulers()) {
    if (existing.key.startsWith(schedulerPrefix) && !wanted.has(existing.key)) await queue.removeJobScheduler(existing.key);
  }
}

/** A running worker process. */
export interface WorkerHandle {
  worker: Worker;
  runtime: Runtime;
  /** The outbox relay, when `kitTables` has 'outbox' and KAFKA_BROKERS and DATABASE_URL are set. */
  relay: OutboxRelay | undefined;
  /** Finishes the job(s) in hand, then closes everything. */
  shutdown(): Promise<void>;
}

/**
 * Builds the job processor: unknown task or bad payload fails the job without retries and with a clear
 * reason (the worker keeps running); otherwise the task runs in a span continuing the enqueuer's trace.
 */
export function createProcessor(tasks: TaskRegistry, runtime: Pick<Runtime, 'logger' | 'dependencies'>, queueName: string) {
  return async (job: Job<TaskJobData>): Promise<unknown> => {
    const definition = tasks[job.name];
    if (!definition) throw new UnrecoverableError(`unknown task "${job.name}" on queue ${queueName}; this worker runs: ${Object.keys(tasks).sort().join(', ')}`);
    const parsed = definition.schema.safeParse(job.data?.args);
    if (!parsed.success) {
      const problems = issuePaths(parsed.error.issues).map((issue) => `${issue.path === '(body)' ? 'args' : `args.${issue.path}`}: ${issue.message}`);
      throw new UnrecoverableError(`invalid payload for task ${job.name}: ${problems.join('; ')}`);
    }
    const parent = extractTraceContext(job.data?.trace);
    return await context.with(parent, () =>
      withSpan(`${job.name} process`, { kind: SpanKind.CONSUMER, attributes: { 'messaging.system': 'bullmq', 'messaging.destination.name': queueName, 'messaging.message.id': job.id ?? '', 'innover.task': job.name, 'innover.attempt': job.attemptsMade + 1 } }, async () => {
        const jobLogger = runtime.logger.child({ jobId: job.id, task: job.name });
        jobLogger.info({ attempt: job.attemptsMade + 1 }, 'job started');
        const result = await definition.run(parsed.data, { ...runtime.dependencies, logger: jobLogger, job: { id: job.id ?? '', name: job.name, attemptsMade: job.attemptsMade } });
        jobLogger.info('job completed');
        return result;
      }),
    );
  };
}

/**
 * Starts the worker of a service on QUEUE_NAME. Late acknowledgement comes from BullMQ's job locks:
 * a job whose worker dies keeps its lock only until WORKER_LOCK_DURATION_MS, then the stalled check
 * (every WORKER_STALLED_INTERVAL_MS) puts it back in the queue for the next worker.
 * SIGTERM/SIGINT: stop taking jobs, finish the ones in hand, exit 0.
 */
export async function startWorker(definition: ServiceDefinition, environment: Record<string, string | undefined> = process.env): Promise<WorkerHandle> {
  const config = loadConfigOrExit(environment, 'worker', definition.version);
  const runtime = await createRuntime(config).catch((error: unknown) => exitAtStart(config, 'worker', `failed to start: ${(error as Error).message}`));
  const { logger } = runtime;
  let crashAfter: number | undefined;
  try {
    crashAfter = outboxRelayCrashAfter(environment);
  } catch (error) {
    await exitAtStart(config, 'worker', `invalid configuration: ${(error as Error).message}`, runtime);
  }
  const tasks: TaskRegistry = { ...sampleTasks, ...definition.tasks };
  const schedules = definition.schedules ?? [];
  const problems = scheduleProblems(schedules, tasks);
  if (problems.length > 0) await exitAtStart(config, 'worker', `invalid service definition: ${problems.join('; ')}`, runtime);
  const worker = new Worker<TaskJobData>(config.queueName, createProcessor(tasks, runtime, config.queueName), {
    connection: redisConnection(config.redisUrl ?? ''),
    concurrency: config.worker.concurrency,
    lockDuration: config.worker.lockDurationMs,
    stalledInterval: config.worker.stalledIntervalMs,
    // A job may be recovered from a dead worker twice; a third stall marks it failed (kept), never dropped.
    maxStalledCount: 2,
    settings: { backoffStrategy: (attemptsMade: number, type?: string) => (type === cappedExponentialBackoff ? backoffDelay(attemptsMade) : 1_000) },
  });
  worker.on('failed', (job, error) => logger.warn({ jobId: job?.id, task: job?.name, attemptsMade: job?.attemptsMade, reason: error.message }, 'job failed'));
  worker.on('error', (error) => logger.error({ err: error }, 'worker error'));
  worker.on('stalled', (jobId) => logger.warn({ jobId }, 'job stalled: its worker stopped renewing the lock; requeued'));

  const beat = (): Promise<void> => writeFile(config.worker.heartbeatFile, `${Date.now()}\n`).catch((error: unknown) => logger.warn({ err: error }, 'heartbeat write failed'));
  await worker.waitUntilReady();
  await beat();
  const heartbeat = setInterval(() => void beat(), heartbeatIntervalMs);
  {
    // Always, so schedules a new release dropped stop too.
    const queue = new Queue(config.queueName, { connection: redisConnection(config.redisUrl ?? '') });
    queue.on('error', (error) => logger.warn({ err: error }, 'scheduler queue error'));
    try {
      await upsertSchedules(queue, schedules);
    } catch (error) {
      await queue.close();
      await exitAtStart(config, 'worker', `failed to set up schedules: ${(error as Error).message}`, runtime);
    }
    await queue.close();
  }
  if (definition.subscriptions) await definition.subscriptions(runtime.dependencies);
  const { database, events } = runtime.dependencies;
  let relay: OutboxRelay | undefined;
  let outboxSubscriber: { close(): Promise<void> } | undefined;
  if (definition.kitTables?.includes('outbox') && events) {
    if (database) {
      const { crashingPublisher, relayOutbox } = await import('./outbox.ts');
      const publish = (messages: OutboxMessage[]) => events.publishOutbox(messages);
      const crash = () => {
        process.stderr.write(`${config.serviceName} worker: OUTBOX_RELAY_CRASH_AFTER=${String(crashAfter)}: crashing on purpose\n`);
        process.kill(process.pid, 'SIGKILL');
      };
      const relayLogger = logger.child({ component: 'outbox-relay' });
      // Wake-ups from the API and other replicas (outbox-signal.ts); without them the relay still polls, backing off to 2 s.
      let wakeRelay: (() => void) | undefined;
      if (config.redisUrl) {
        const { outboxChannel, subscribeOutboxSignal } = await import('./outbox-signal.ts');
        outboxSubscriber = await subscribeOutboxSignal(config.redisUrl, outboxChannel(config.serviceName), () => wakeRelay?.(), relayLogger).catch((error: unknown) => {
          relayLogger.warn({ err: error }, 'outbox signal subscription failed; the relay only polls');
          return undefined;
        });
      }
      relay = relayOutbox({
        database,
        publish: crashAfter === undefined ? publish : crashingPublisher(publish, crashAfter, crash),
        logger: relayLogger,
        wakeSignal: (wake) => {
          wakeRelay = wake;
          return () => (wakeRelay = undefined);
        },
      });
    } else {
      logger.warn('kitTables has outbox but DATABASE_URL is not set: the outbox relay does not run');
    }
  }
  logger.info({ queue: config.queueName, concurrency: config.worker.concurrency, tasks: Object.keys(tasks).sort(), schedules: schedules.map((schedule) => `${schedule.task}/${schedule.everyMs}ms`), outboxRelay: Boolean(relay) }, 'worker ready');
  tellDevRunner(environment, { innoverDev: 'ready' });

  let closing: Promise<void> | undefined;
  const shutdown = (): Promise<void> => {
    closing ??= (async () => {
      logger.info('shutting down: finishing jobs in hand');
      clearInterval(heartbeat);
      // The relay stops (and releases its leases) before the producer it publishes with closes.
      await Promise.allSettled([worker.close(), relay?.stop()]);
      await outboxSubscriber?.close();
      await runtime.close();
      logger.info('stopped');
      await flushLogger(logger);
    })();
    return closing;
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      void shutdown().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
  return { worker, runtime, relay, shutdown };
}
