import { ServiceCallError, ServiceUnavailableError } from '../../src/clients/service-client.js';
import type { ServiceClient } from '../../src/clients/service-client.js';

/**
 * A fetch-based ServiceClient with the error semantics ISSUE-10-PLAN.md gives the kit's (non-2xx `{error,
 * message}` → ServiceCallError, connection errors and 502/503/504 → ServiceUnavailableError), so the
 * wallet's HTTP adapters run against in-test stubs before the kit's client lands.
 */
export function httpServiceClient(service: string, baseUrl: () => string): ServiceClient {
  return {
    async request<T>(method: string, path: string, options: { body?: unknown; idempotencyKey?: string; query?: Record<string, string>; timeoutMs?: number } = {}) {
      const url = new URL(path, baseUrl());
      for (const [name, value] of Object.entries(options.query ?? {})) url.searchParams.set(name, value);
      let response: Response;
      try {
        response = await fetch(url, {
          method,
          headers: { ...(options.body === undefined ? {} : { 'content-type': 'application/json' }), ...(options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {}) },
          ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
          signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
        });
      } catch (error) {
        throw new ServiceUnavailableError(service, (error as Error).message);
      }
      const text = await response.text();
      if ([502, 503, 504].includes(response.status)) throw new ServiceUnavailableError(service, `${service} answered ${response.status}`);
      const body = (text ? JSON.parse(text) : null) as unknown;
      if (!response.ok) {
        const failure = (body ?? {}) as { error?: string; message?: string };
        throw new ServiceCallError(service, response.status, failure.error ?? 'unknown', failure.message ?? text);
      }
      return { status: response.status, body: body as T, headers: Object.fromEntries(response.headers) };
    },
  };
}
