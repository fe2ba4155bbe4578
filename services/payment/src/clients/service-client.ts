// replaced by @innover/kit's ServiceClient at merge
/**
 * The kit's service-to-service client, as ISSUE-10-PLAN.md specifies it (helper K builds it). Until it lands,
 * this file declares the same interface and errors, and `serviceClients` falls back to a plain fetch client
 * over `<UPPER_SNAKE_NAME>_URL` without tokens (the `lite` behaviour). At merge: delete this file, import
 * `ServiceClient`, `ServiceCallError` and `ServiceUnavailableError` from `@innover/kit`, and let
 * `serviceClients` answer `dependencies.services`.
 */

export interface ServiceRequestOptions {
  body?: unknown;
  idempotencyKey?: string;
  query?: Record<string, string>;
  timeoutMs?: number;
}

export interface ServiceClient {
  request<T>(method: string, path: string, options?: ServiceRequestOptions): Promise<{ status: number; body: T; headers: Headers }>;
}

export interface ServiceClients {
  get(name: string): ServiceClient;
}

/** A non-2xx `{error, message}` answer. */
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

/** Connection error, timeout, 502/503/504: retryable. */
export class ServiceUnavailableError extends Error {
  override name = 'ServiceUnavailableError';
  constructor(
    readonly service: string,
    message: string,
  ) {
    super(message);
  }
}

function fetchClient(service: string, baseUrl: string): ServiceClient {
  return {
    async request<T>(method: string, path: string, options: ServiceRequestOptions = {}): Promise<{ status: number; body: T; headers: Headers }> {
      const url = new URL(path, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
      for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, value);
      const headers: Record<string, string> = { accept: 'application/json' };
      if (options.body !== undefined) headers['content-type'] = 'application/json';
      if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
      let response: Response;
      try {
        response = await fetch(url, { method, headers, ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}), signal: AbortSignal.timeout(options.timeoutMs ?? 5_000) });
      } catch (error) {
        throw new ServiceUnavailableError(service, `${service} ${method} ${path}: ${(error as Error).message}`);
      }
      const text = await response.text();
      if ([502, 503, 504].includes(response.status)) throw new ServiceUnavailableError(service, `${service} ${method} ${path}: HTTP ${response.status}`);
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = text;
      }
      if (!response.ok) {
        const problem = (body ?? {}) as { error?: string; message?: string };
        throw new ServiceCallError(service, response.status, problem.error ?? 'error', problem.message ?? `HTTP ${response.status}`);
      }
      return { status: response.status, body: body as T, headers: response.headers };
    },
  };
}

/** The kit's `dependencies.services` when present, else fetch clients over `<NAME>_URL`. */
export function serviceClients(dependencies: object, environment: Record<string, string | undefined> = process.env): ServiceClients {
  const kit = (dependencies as { services?: ServiceClients }).services;
  if (kit) return kit;
  const made = new Map<string, ServiceClient>();
  return {
    get(name) {
      let client = made.get(name);
      if (!client) {
        const variable = `${name.toUpperCase().replace(/-/g, '_')}_URL`;
        const url = environment[variable];
        if (!url) throw new Error(`${variable} is not set: the payment service calls ${name}`);
        client = fetchClient(name, url);
        made.set(name, client);
      }
      return client;
    },
  };
}
