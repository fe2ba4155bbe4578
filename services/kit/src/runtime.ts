import { readFileSync } from 'node:fs';
import type { Router } from 'express';
import type { Logger } from 'pino';
import { parseConfig } from './config.ts';
import type { ProcessRole, ServiceConfig } from './config.ts';
import type { Database, KitTable } from './database.ts';
import type { EventBus } from './events.ts';
import { createLogger } from './logger.ts';
import type { TaskClient } from './queue.ts';
import type { ReadinessCheck } from './readiness.ts';
import { createServiceClients } from './service-client.ts';
import type { ServiceClients } from './service-client.ts';
import type { TaskRegistry } from './tasks.ts';
import { startTelemetry } from './telemetry.ts';
import { extractTraceContext, injectTraceContext, SpanKind, withSpan } from './tracing.ts';
import type { Telemetry } from './telemetry.ts';

/** Enqueues tasks from request handlers; the job carries the request's trace context. */
export interface TaskEnqueuer {
  /**
   * `trace`: a W3C carrier (e.g. a stored `traceparent`) the job continues instead of the active context, so
   * work resumed later (a reconciler re-enqueueing a stalled payment) stays in the trace that started it.
   */
  enqueue(task: string, args: unknown, options?: { jobId?: string; trace?: Record<string, string> }): Promise<{ id: string; queue: string }>;
}

/**
 * What a service's routes receive. Each client is present only when its variable is set. No `events`: the
 * API process never holds a Kafka client; a route writes events with `enqueueEvent` in its transaction and
 * the worker's outbox relay publishes them.
 */
export interface ApiDependencies {
  config: ServiceConfig;
  logger: Logger;
  database: Database | undefined;
  tasks: TaskEnqueuer | undefined;
  /** Clients of the services in SERVICE_CALLS (service-client.ts). */
  services: ServiceClients;
}

/** What the worker's tasks and subscriptions receive: the API's dependencies plus Kafka (when KAFKA_BROKERS is set). */
export interface ServiceDependencies extends ApiDependencies {
  events: EventBus | undefined;
}

/** A periodic task: the worker keeps one BullMQ job scheduler per entry, so one job runs per interval whatever the replica count. */
export interface TaskSchedule {
  /** A task of this service (or a sample task); its schema must accept `args`. */
  task: string;
  /** Interval in milliseconds. */
  everyMs: number;
  /** The job's arguments; default `{}`. */
  args?: unknown;
}

/** A service: only what is its own. Everything else comes from the kit. */
export interface ServiceDefinition {
  /** Default SERVICE_NAME-independent version, usually the package version. */
  version?: string;
  /** Absolute path of the folder holding `*.sql` migrations (the API runs them at start). */
  migrationsDirectory?: string;
  /** The kit's tables this service uses (services/kit/migrations), created before the service's own migrations. */
  kitTables?: KitTable[];
  routes?: (router: Router, dependencies: ApiDependencies) => void;
  /** Extra tasks of this service; the sample tasks `add` and `slow` are always there. */
  tasks?: TaskRegistry;
  /** Periodic tasks the worker schedules (BullMQ job schedulers, upserted at start). */
  schedules?: TaskSchedule[];
  /** Kafka subscriptions the worker runs. */
  subscriptions?: (dependencies: ServiceDependencies) => Promise<void>;
}

/** Reads the package version next to a service's `dist/` (used as SERVICE_VERSION default). */
export function packageVersion(importMetaUrl: string): string {
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', importMetaUrl), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** Parses the environment or prints one line per problem and exits 1, before anything listens. */
export function loadConfigOrExit(environment: Record<string, string | undefined>, role: ProcessRole, version: string | undefined): ServiceConfig {
  const result = parseConfig(environment, role, version ? { version } : {});
  if (result.ok) return result.config;
  const name = environment['SERVICE_NAME'] || 'service';
  for (const problem of result.problems) process.stderr.write(`${name} ${role}: invalid configuration: ${problem}\n`);
  process.exit(1);
}

/**
 * A start-up failure the operator can act on (port taken, database unreachable...): one line on stderr naming
 * the service and the problem, clients closed, exit 1. Never a stack trace.
 */
export async function exitAtStart(config: Pick<ServiceConfig, 'serviceName'>, role: ProcessRole, problem: string, runtime?: Pick<Runtime, 'close'>): Promise<never> {
  process.stderr.write(`${config.serviceName} ${role}: ${problem}\n`);
  await runtime?.close(2_000);
  process.exit(1);
}

/** Waits for the async log destination to drain, so the last lines survive `process.exit`. */
export function flushLogger(logger: Logger): Promise<void> {
  return new Promise((resolve) => logger.flush(() => resolve()));
}

/** The API's view of the dependencies: everything but `events`. */
export function apiDependencies(dependencies: ServiceDependencies): ApiDependencies {
  const { config, logger, database, tasks, services } = dependencies;
  return { config, logger, database, tasks, services };
}

/** The clients one process holds, built from config; closed together at shutdown. */
export interface Runtime {
  config: ServiceConfig;
  logger: Logger;
  telemetry: Telemetry;
  dependencies: ServiceDependencies;
  taskClient: TaskClient | undefined;
  readinessChecks: ReadinessCheck[];
  /** Closes every client, giving up after `timeoutMs`. */
  close(timeoutMs?: number): Promise<void>;
}

/**
 * Builds the clients of the configured dependencies. Client libraries are imported only when their
 * variable is set, so a process never pays memory for a dependency it does not have. Kafka is the
 * worker's alone: the API process ignores KAFKA_BROKERS (no kafkajs loaded, no kafka readiness check).
 */
export async function createRuntime(config: ServiceConfig, role: ProcessRole = 'worker'): Promise<Runtime> {
  const telemetry = await startTelemetry({ serviceName: config.serviceName, serviceVersion: config.serviceVersion, endpoint: config.otlpEndpoint });
  const logger = createLogger({ serviceName: config.serviceName, level: config.logLevel });
  const database = config.databaseUrl ? (await import('./database.ts')).createDatabase(config.databaseUrl) : undefined;
  const events = config.kafkaBrokers && role === 'worker' ? (await import('./events.ts')).createEventBus({ brokers: config.kafkaBrokers, serviceName: config.serviceName, logger }) : undefined;
  const services = createServiceClients(config.calls);
  const queue = config.redisUrl ? await import('./queue.ts') : undefined;
  const taskClient = config.redisUrl ? queue?.createTaskClient(config.redisUrl) : undefined;
  // A separate connection for PING: no offline queue, so a Redis outage fails the probe at once.
  const { Redis } = config.redisUrl ? await import('ioredis') : { Redis: undefined };
  const redisProbe = config.redisUrl && Redis ? new Redis(config.redisUrl, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: 1_000, retryStrategy: () => 500 }) : undefined;
  redisProbe?.on('error', () => undefined);
  // Concurrent first probes share one connect: a second connect() on a connecting client fails
  // with "Stream isn't writeable", which readiness would report as a false 503.
  let probeConnect: Promise<void> | undefined;
  const connectProbe = async (probe: NonNullable<typeof redisProbe>) => {
    if (probe.status === 'wait') probeConnect ??= probe.connect().finally(() => (probeConnect = undefined));
    if (probeConnect) await probeConnect;
  };
  // Outbox wake-ups for the relays of this service's workers (outbox-signal.ts): after a commit that wrote an
  // outbox row, one PUBLISH on the probe's connection, throttled; a lost one only costs the relay's next poll.
  let outboxSignal: { close(): void } | undefined;
  if (redisProbe) {
    const { onOutboxCommitted, outboxChannel, throttledSignal } = await import('./outbox-signal.ts');
    const signal = throttledSignal(
      {
        publish: async (channel, message) => {
          await connectProbe(redisProbe);
          return await redisProbe.publish(channel, message);
        },
      },
      outboxChannel(config.serviceName),
    );
    const stopListening = onOutboxCommitted(signal.notify);
    outboxSignal = {
      close() {
        stopListening();
        signal.close();
      },
    };
  }
  const tasks: TaskEnqueuer | undefined =
    taskClient && queue
    ? {
        async enqueue(task, args, options = {}) {
          const name = queue.queueForTask(task, config.taskRoutes, config.queueName);
          const attributes = { 'messaging.system': 'bullmq', 'messaging.destination.name': name, 'innover.task': task };
          return await withSpan(`${name} publish`, { kind: SpanKind.PRODUCER, attributes, ...(options.trace ? { parent: extractTraceContext(options.trace) } : {}) }, async () => {
            const job = await taskClient.enqueue({ queue: name, task, args, trace: injectTraceContext(), ...(options.jobId ? { jobId: options.jobId } : {}) });
            return { id: job.id, queue: name };
          });
        },
      }
    : undefined;
  const readinessChecks: ReadinessCheck[] = [];
  if (database) readinessChecks.push({ name: 'sql', check: async () => void (await database.query('SELECT 1')) });
  if (redisProbe)
    readinessChecks.push({
      name: 'redis',
      check: async () =>
        withSpan('PING', { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'redis', 'db.operation.name': 'PING' } }, async () => {
          await connectProbe(redisProbe);
          const reply: string = await redisProbe.ping();
          if (reply !== 'PONG') throw new Error(`unexpected PING reply ${reply}`);
        }),
    });
  if (events) readinessChecks.push({ name: 'kafka', check: () => events.check() });
  return {
    config,
    logger,
    telemetry,
    dependencies: { config, logger, database, events, tasks, services },
    taskClient,
    readinessChecks,
    async close(timeoutMs = 5_000) {
      // Bounded: a dependency that went silent must not keep a stopping process alive.
      outboxSignal?.close();
      const closing = (async () => {
        await Promise.allSettled([database?.close(), events?.close(), taskClient?.close(), redisProbe?.quit()]);
        await telemetry.shutdown();
      })();
      let timer: NodeJS.Timeout | undefined;
      const closed = await Promise.race([closing.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)))]);
      clearTimeout(timer);
      if (!closed) logger.warn({ timeoutMs }, 'some clients did not close in time');
    },
  };
}

