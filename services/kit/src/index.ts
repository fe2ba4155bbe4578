/**
 * @innover/kit: everything the six services share, written once.
 *
 * This entry stays light (what routes and tasks use, plus the two process starters, which load the heavy
 * client libraries on demand). Factories over heavy libraries have their own subpaths:
 * `@innover/kit/app` (express), `@innover/kit/events` (kafkajs), `@innover/kit/database` (pg),
 * `@innover/kit/queue` (bullmq; also what the CLI uses).
 */
import type { ApiHandle } from './api-process.ts';
import type { ServiceDefinition } from './runtime.ts';
import type { WorkerHandle } from './worker.ts';

export { parseConfig, parseTaskRoutes } from './config.ts';
export { serviceUrlVariable } from './config.ts';
export type { AuthSettings, ConfigResult, ProcessRole, ServiceCallAuth, ServiceCallSettings, ServiceConfig, WorkerSettings } from './config.ts';
export { createLogger, redactedPaths } from './logger.ts';
export type { Logger } from './logger.ts';
export { withSpan, injectTraceContext, extractTraceContext, tracedFetch, SpanKind } from './tracing.ts';
export type { TraceCarrier } from './tracing.ts';
export type { Telemetry } from './telemetry.ts';
export { HttpError, validateBody, validateQuery, refuseRequest, issuePaths, requireDependency } from './http-errors.ts';
export { runReadiness, withTimeout } from './readiness.ts';
export type { ReadinessCheck, ReadinessReport, CheckOutcome } from './readiness.ts';
export type { Database, KitTable, Queryable, Session } from './database.ts';
export type { Transaction, TransactionOptions } from './transactions.ts';
export { jsonCodec, topicName } from './codec.ts';
export { isUuid, uuidV5 } from './uuid.ts';
export type { Codec } from './codec.ts';
export type { EventBus, ReceivedEvent } from './events.ts';
export type { AppDependencies } from './app.ts';
export type { TokenVerifier } from './auth.ts';
export { defineTask, sampleTasks } from './tasks.ts';
export type { TaskContext, TaskDefinition, TaskRegistry } from './tasks.ts';
export { loadConfigOrExit, packageVersion, flushLogger } from './runtime.ts';
export type { ApiDependencies, Runtime, ServiceDefinition, ServiceDependencies, TaskEnqueuer, TaskSchedule } from './runtime.ts';
export { ServiceCallError, ServiceUnavailableError, createServiceClient, createServiceClients, createTokenSource, tokenRefreshMarginMs } from './service-client.ts';
export type { HttpMethod, ServiceClient, ServiceClients, ServiceRequestOptions, ServiceResponse, TokenSource } from './service-client.ts';
export type { ApiHandle } from './api-process.ts';
export type { WorkerHandle } from './worker.ts';

/** Starts a service's API process (see api-process.ts); express and friends load only here. */
export async function startApi(definition: ServiceDefinition, environment: Record<string, string | undefined> = process.env): Promise<ApiHandle> {
  return await (await import('./api-process.ts')).startApi(definition, environment);
}

/** Starts a service's worker process (see worker.ts); no express, no JWT library. */
export async function startWorker(definition: ServiceDefinition, environment: Record<string, string | undefined> = process.env): Promise<WorkerHandle> {
  return await (await import('./worker.ts')).startWorker(definition, environment);
}
