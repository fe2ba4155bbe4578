/**
 * @innover/kit: everything the six services share, written once.
 *
 * This entry stays light (what routes and tasks use, plus the two process starters, which load the heavy
 * client libraries on demand). Factories over heavy libraries have their own subpaths:
 * `@innover/kit/app` (express), `@innover/kit/events` (kafkajs), `@innover/kit/database` (pg),
 * `@innover/kit/queue` (bullmq; also what the CLI uses).
 */
import type { ApiHandle } from './api-process.js';
import type { ServiceDefinition } from './runtime.js';
import type { WorkerHandle } from './worker.js';

export { parseConfig, parseTaskRoutes } from './config.js';
export { serviceUrlVariable } from './config.js';
export type { AuthSettings, ConfigResult, ProcessRole, ServiceCallAuth, ServiceCallSettings, ServiceConfig, WorkerSettings } from './config.js';
export { createLogger, redactedPaths } from './logger.js';
export type { Logger } from './logger.js';
export { withSpan, injectTraceContext, extractTraceContext, tracedFetch, SpanKind } from './tracing.js';
export type { TraceCarrier } from './tracing.js';
export type { Telemetry } from './telemetry.js';
export { HttpError, validateBody, issuePaths, requireDependency } from './http-errors.js';
export { runReadiness, withTimeout } from './readiness.js';
export type { ReadinessCheck, ReadinessReport, CheckOutcome } from './readiness.js';
export type { Database, KitTable, Queryable, Session } from './database.js';
export type { Transaction, TransactionOptions } from './transactions.js';
export { jsonCodec, topicName } from './codec.js';
export { isUuid, uuidV5 } from './uuid.js';
export type { Codec } from './codec.js';
export type { EventBus, ReceivedEvent } from './events.js';
export type { AppDependencies } from './app.js';
export type { TokenVerifier } from './auth.js';
export { defineTask, sampleTasks } from './tasks.js';
export type { TaskContext, TaskDefinition, TaskRegistry } from './tasks.js';
export { loadConfigOrExit, packageVersion, flushLogger } from './runtime.js';
export type { ApiDependencies, Runtime, ServiceDefinition, ServiceDependencies, TaskEnqueuer, TaskSchedule } from './runtime.js';
export { ServiceCallError, ServiceUnavailableError, createServiceClient, createServiceClients, createTokenSource, tokenRefreshMarginMs } from './service-client.js';
export type { HttpMethod, ServiceClient, ServiceClients, ServiceRequestOptions, ServiceResponse, TokenSource } from './service-client.js';
export type { ApiHandle } from './api-process.js';
export type { WorkerHandle } from './worker.js';

/** Starts a service's API process (see api-process.ts); express and friends load only here. */
export async function startApi(definition: ServiceDefinition, environment: Record<string, string | undefined> = process.env): Promise<ApiHandle> {
  return await (await import('./api-process.js')).startApi(definition, environment);
}

/** Starts a service's worker process (see worker.ts); no express, no JWT library. */
export async function startWorker(definition: ServiceDefinition, environment: Record<string, string | undefined> = process.env): Promise<WorkerHandle> {
  return await (await import('./worker.js')).startWorker(definition, environment);
}
