// replaced by @innover/kit's ServiceClient at merge
/**
 * The kit's service-to-service client as ISSUE-10-PLAN.md specifies it (helper K builds it), declared here so
 * wallet compiles before it lands. At merge this file becomes re-exports of the kit's `ServiceClient`,
 * `ServiceCallError` and `ServiceUnavailableError`, and `serviceClient` returns `dependencies.services.get(name)`.
 */
import { HttpError } from '@innover/kit';
import type { ServiceDependencies } from '@innover/kit';

export interface ServiceRequestOptions {
  body?: unknown;
  idempotencyKey?: string;
  query?: Record<string, string>;
  timeoutMs?: number;
}

export interface ServiceResponse<T> {
  status: number;
  body: T;
  headers: Record<string, string>;
}

/** Calls one other service: token, traceparent and a CLIENT span are the kit's business. */
export interface ServiceClient {
  request<T>(method: string, path: string, options?: ServiceRequestOptions): Promise<ServiceResponse<T>>;
}

/** A non-2xx answer with the contract's `{error, message}` body. */
export class ServiceCallError extends Error {
  override name = 'ServiceCallError';
  constructor(
    readonly service: string,
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Connection error, timeout or 502/503/504: retryable. */
export class ServiceUnavailableError extends Error {
  override name = 'ServiceUnavailableError';
  constructor(
    readonly service: string,
    message: string,
  ) {
    super(message);
  }
}

/** The client for `service` from the process's dependencies; 503 naming the variable when it has none. */
export function serviceClient(dependencies: ServiceDependencies, service: string): ServiceClient {
  const services = (dependencies as ServiceDependencies & { services?: { get(name: string): ServiceClient } }).services;
  if (!services) throw new HttpError(503, 'dependency_not_configured', `this route needs ${service.toUpperCase().replaceAll('-', '_')}_URL, which is not set for this service`);
  return services.get(service);
}
