/**
 * Service-to-service HTTP calls: `dependencies.services.get('ledger').request('POST', '/transfers', {body})`.
 *
 * - Base URL from `<UPPER_SNAKE_NAME>_URL` of every service named in `SERVICE_CALLS` (config.ts).
 * - One CLIENT span per HTTP request (tracedFetch) with `traceparent` injected, so the callee's SERVER span
 *   continues the caller's trace.
 * - With `OIDC_TOKEN_URL`, `OIDC_CLIENT_ID` and `OIDC_CLIENT_SECRET`: an OAuth 2.0 client-credentials token
 *   (RFC 6749 §4.4, client_secret_basic), cached until 30 s before `expires_in` runs out, one token request
 *   in flight at a time; a 401 answer drops that token, fetches a new one and retries once. Without them: no
 *   Authorization header (lite).
 * - Non-2xx `{error, message}` → `ServiceCallError`; a refused connection, a timeout or 502/503/504 →
 *   `ServiceUnavailableError`, which a saga step may retry (every call it makes must be idempotent).
 * The calls go through node:http with keep-alive agents (http-transport.ts); the token endpoint through fetch.
 */
import type { ServiceCallAuth, ServiceCallSettings } from './config.ts';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { Attributes } from '@opentelemetry/api';
import { defaultHttpSend, sendOverFetch } from './http-transport.ts';
import type { HttpAnswer, HttpSend } from './http-transport.ts';
import { injectTraceContext, tracedFetch, withSpan } from './tracing.ts';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ServiceRequestOptions {
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as the `Idempotency-Key` header. */
  idempotencyKey?: string;
  /** Appended to the path; `undefined` values are left out. */
  query?: Record<string, string | number | boolean | undefined>;
  /** Bounds the whole call, token and retry included; default SERVICE_CALL_TIMEOUT_MS (5 s). */
  timeoutMs?: number;
}

export interface ServiceResponse<T> {
  status: number;
  /** Parsed JSON; `undefined` for an empty body (204). */
  body: T;
  /** Lower-case names, as node:http gives them. */
  headers: HttpAnswer['headers'];
}

export interface ServiceClient {
  readonly service: string;
  readonly baseUrl: string;
  request<T = unknown>(method: HttpMethod, path: string, options?: ServiceRequestOptions): Promise<ServiceResponse<T>>;
}

/** `dependencies.services`: one client per service named in SERVICE_CALLS. */
export interface ServiceClients {
  /** Throws for a service not in SERVICE_CALLS (a wiring mistake, not a runtime condition). */
  get(service: string): ServiceClient;
  /** The called services, in SERVICE_CALLS order. */
  names(): string[];
}

/** The called service answered a non-2xx status other than 502/503/504: a definite answer, not retryable. */
export class ServiceCallError extends Error {
  override name = 'ServiceCallError';
  readonly service: string;
  readonly status: number;
  /** The answer's `error` field, or `http_<status>` when it had none. */
  readonly code: string;
  /** The parsed answer, e.g. the kit's 400 `issues`. */
  readonly body?: unknown;
  constructor(service: string, status: number, code: string, message: string, body?: unknown) {
    super(message);
    this.service = service;
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

/** No definite answer: connection refused or reset, timeout, or 502/503/504. Retry with the same idempotency key. */
export class ServiceUnavailableError extends Error {
  override name = 'ServiceUnavailableError';
  readonly retryable = true;
  readonly service: string;
  /** The status for 502/503/504; undefined when there was no answer. */
  readonly status?: number;
  constructor(service: string, message: string, status?: number) {
    super(message);
    this.service = service;
    this.status = status;
  }
}

/** A cached client-credentials access token. */
export interface TokenSource {
  /** A valid token, from cache or from the token endpoint (one request at a time). */
  token(): Promise<string>;
  /** Forgets `token` if it is still the cached one (after a 401), so the next `token()` fetches anew. */
  invalidate(token: string): void;
}

/** Refresh this long before `expires_in` runs out, so a token never expires in flight. */
export const tokenRefreshMarginMs = 30_000;

type Fetch = (input: string | URL, init?: RequestInit) => Promise<Response>;

/** The OAuth client-credentials token of this service; `fetch` and `now` are injectable for tests. */
export function createTokenSource(auth: ServiceCallAuth, options: { fetch?: Fetch; now?: () => number; timeoutMs?: number } = {}): TokenSource {
  const fetchToken = options.fetch ?? ((input, init) => tracedFetch(input, init, { 'innover.call': 'oidc-token' }));
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 5_000;
  let cached: { token: string; refreshAt: number } | undefined;
  let inFlight: Promise<string> | undefined;
  // RFC 6749 §2.3.1: client id and secret are form-urlencoded before the Basic encoding.
  const basic = `Basic ${Buffer.from(`${encodeURIComponent(auth.clientId)}:${encodeURIComponent(auth.clientSecret)}`).toString('base64')}`;

  async function request(): Promise<string> {
    let response: Response;
    try {
      response = await fetchToken(auth.tokenUrl, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ grant_type: 'client_credentials' }).toString(),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new ServiceUnavailableError('oidc', `token endpoint ${new URL(auth.tokenUrl).origin} unreachable: ${describeFailure(error, timeoutMs)}`);
    }
    const answer = (await response.json().catch(() => undefined)) as { access_token?: unknown; expires_in?: unknown; error?: unknown } | undefined;
    if (response.status >= 500) throw new ServiceUnavailableError('oidc', `token endpoint answered ${response.status}`, response.status);
    if (!response.ok || typeof answer?.access_token !== 'string') {
      // The OAuth error code only (e.g. invalid_client): never the request, which holds the secret.
      const code = typeof answer?.error === 'string' ? answer.error : `http_${response.status}`;
      throw new ServiceCallError('oidc', response.status, code, `token endpoint refused client ${auth.clientId} (${code}): check OIDC_CLIENT_ID and OIDC_CLIENT_SECRET`);
    }
    const expiresInMs = typeof answer.expires_in === 'number' && answer.expires_in > 0 ? answer.expires_in * 1_000 : 60_000;
    // A token shorter-lived than twice the margin is used for half its life.
    cached = { token: answer.access_token, refreshAt: now() + Math.max(expiresInMs - tokenRefreshMarginMs, expiresInMs / 2) };
    return answer.access_token;
  }

  return {
    async token() {
      if (cached && now() < cached.refreshAt) return cached.token;
      inFlight ??= request().finally(() => (inFlight = undefined));
      return await inFlight;
    },
    invalidate(token) {
      if (cached?.token === token) cached = undefined;
    },
  };
}

function describeFailure(error: unknown, timeoutMs: number): string {
  const failure = error as Error & { cause?: { code?: string } };
  if (failure.name === 'TimeoutError' || failure.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  return failure.cause?.code ?? (failure as { code?: string }).code ?? failure.message;
}

const unavailableStatuses = new Set([502, 503, 504]);

function pathWithQuery(path: string, query: ServiceRequestOptions['query']): string {
  if (!path.startsWith('/')) throw new Error(`service call path must start with "/", got "${path}"`);
  const parameters = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) parameters.set(key, String(value));
  const search = parameters.toString();
  return search ? `${path}${path.includes('?') ? '&' : '?'}${search}` : path;
}

/** `send` with a CLIENT span per request and the active trace context injected as `traceparent`. */
function tracedSend(send: HttpSend, attributes: Attributes = {}): HttpSend {
  return async (url, call) => {
    const target = new URL(url);
    return await withSpan(call.method, { kind: SpanKind.CLIENT, attributes: { 'http.request.method': call.method, 'url.full': `${target.origin}${target.pathname}`, 'server.address': target.hostname, ...attributes } }, async (span) => {
      const answer = await send(url, { ...call, headers: { ...call.headers, ...injectTraceContext() } });
      span.setAttribute('http.response.status_code', answer.status);
      if (answer.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      return answer;
    });
  };
}

/** A client for one service at `baseUrl`; `tokens` absent → no Authorization header. */
export function createServiceClient(service: string, baseUrl: string, options: { tokens?: TokenSource; timeoutMs?: number; fetch?: Fetch } = {}): ServiceClient {
  const defaultTimeoutMs = options.timeoutMs ?? 5_000;
  const send = options.fetch ? sendOverFetch(options.fetch) : tracedSend(defaultHttpSend(), { 'peer.service': service });
  const root = baseUrl.replace(/\/+$/, '');
  return {
    service,
    baseUrl: root,
    async request<T>(method: HttpMethod, path: string, requestOptions: ServiceRequestOptions = {}): Promise<ServiceResponse<T>> {
      const timeoutMs = requestOptions.timeoutMs ?? defaultTimeoutMs;
      const signal = AbortSignal.timeout(timeoutMs);
      const url = `${root}${pathWithQuery(path, requestOptions.query)}`;
      const headers: Record<string, string> = { accept: 'application/json' };
      if (requestOptions.body !== undefined) headers['content-type'] = 'application/json';
      if (requestOptions.idempotencyKey !== undefined) headers['idempotency-key'] = requestOptions.idempotencyKey;
      const body = requestOptions.body === undefined ? undefined : JSON.stringify(requestOptions.body);

      const attempt = async (token: string | undefined): Promise<HttpAnswer> => {
        try {
          return await send(url, { method, headers: token ? { ...headers, authorization: `Bearer ${token}` } : headers, ...(body === undefined ? {} : { body }), signal });
        } catch (error) {
          throw new ServiceUnavailableError(service, `${method} ${service}${path} failed: ${describeFailure(error, timeoutMs)}`);
        }
      };
      const withDeadline = <R>(work: Promise<R>): Promise<R> =>
        Promise.race([work, new Promise<never>((_resolve, reject) => signal.addEventListener('abort', () => reject(new ServiceUnavailableError(service, `${method} ${service}${path} failed: no answer within ${timeoutMs} ms`)), { once: true }))]);

      let token = options.tokens ? await withDeadline(options.tokens.token()) : undefined;
      let response = await attempt(token);
      if (response.status === 401 && options.tokens && token) {
        // The token may have been revoked or the signing key rotated: one fresh token, one retry.
        options.tokens.invalidate(token);
        token = await withDeadline(options.tokens.token());
        response = await attempt(token);
      }
      const text = response.text;
      let parsed: unknown;
      if (text !== '') {
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
      }
      if (unavailableStatuses.has(response.status)) throw new ServiceUnavailableError(service, `${method} ${service}${path} answered ${response.status}`, response.status);
      if (response.status < 200 || response.status >= 300) {
        const answer = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as { error?: unknown; message?: unknown };
        const code = typeof answer.error === 'string' ? answer.error : `http_${response.status}`;
        const message = typeof answer.message === 'string' ? answer.message : `${method} ${service}${path} answered ${response.status}`;
        throw new ServiceCallError(service, response.status, code, message, parsed);
      }
      if (text !== '' && parsed === undefined) throw new ServiceCallError(service, response.status, 'invalid_response', `${method} ${service}${path} answered ${response.status} with a body that is not JSON`);
      return { status: response.status, body: parsed as T, headers: response.headers };
    },
  };
}

/** The clients of every service in SERVICE_CALLS, sharing one token source. */
export function createServiceClients(settings: ServiceCallSettings, options: { fetch?: Fetch; tokens?: TokenSource } = {}): ServiceClients {
  const tokens = options.tokens ?? (settings.auth ? createTokenSource(settings.auth, { timeoutMs: settings.timeoutMs }) : undefined);
  const clients = new Map(
    Object.entries(settings.urls).map(([service, url]) => [service, createServiceClient(service, url, { timeoutMs: settings.timeoutMs, ...(tokens ? { tokens } : {}), ...(options.fetch ? { fetch: options.fetch } : {}) })]),
  );
  return {
    get(service) {
      const client = clients.get(service);
      if (!client) {
        const variable = `${service.toUpperCase().replace(/-/g, '_')}_URL`;
        throw new Error(`no client for service "${service}": add it to SERVICE_CALLS and set ${variable}${clients.size ? ` (this process calls ${[...clients.keys()].join(', ')})` : ''}`);
      }
      return client;
    },
    names: () => [...clients.keys()],
  };
}
