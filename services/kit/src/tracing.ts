/**
 * Span helpers over the OpenTelemetry API only (no SDK), so every module can trace its I/O cheaply;
 * `startTelemetry` (telemetry.ts) installs the SDK behind them.
 */
import { context, propagation, trace, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { Attributes, Context, Span, Tracer } from '@opentelemetry/api';

export { SpanKind } from '@opentelemetry/api';

/** W3C trace context as carried in job data and Kafka headers. */
export type TraceCarrier = Record<string, string>;

/** The kit's tracer; a no-op until `startTelemetry` ran (tests of pure parts need no setup). */
export function kitTracer(): Tracer {
  return trace.getTracer('@innover/kit');
}

/**
 * Runs `work` inside a new active span, recording errors and ending the span however `work` ends.
 * Used for every I/O the kit wraps (SQL, Redis, Kafka, jobs, outgoing HTTP).
 */
export async function withSpan<T>(name: string, options: { kind?: SpanKind; attributes?: Attributes; parent?: Context }, work: (span: Span) => Promise<T>): Promise<T> {
  const parent = options.parent ?? context.active();
  return await kitTracer().startActiveSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes ?? {} }, parent, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Serialises the active context (or `from`) into a carrier for job data or message headers. */
export function injectTraceContext(from: Context = context.active()): TraceCarrier {
  const carrier: TraceCarrier = {};
  propagation.inject(from, carrier);
  return carrier;
}

/** Rebuilds a parent context from a carrier written by `injectTraceContext` (or an HTTP/Kafka peer). */
export function extractTraceContext(carrier: Record<string, unknown> | undefined): Context {
  return propagation.extract(context.active(), carrier ?? {}, {
    get: (headers, key) => {
      const value = headers[key];
      if (Buffer.isBuffer(value)) return value.toString();
      if (Array.isArray(value)) return value.map(String);
      return typeof value === 'string' ? value : undefined;
    },
    keys: (headers) => Object.keys(headers as object),
  });
}

/** fetch with a CLIENT span and `traceparent` injected; the kit uses it for outgoing HTTP (e.g. JWKS). */
export async function tracedFetch(input: string | URL, init: RequestInit = {}, attributes: Attributes = {}): Promise<Response> {
  const url = new URL(String(input));
  const method = (init.method ?? 'GET').toUpperCase();
  return await withSpan(`${method}`, { kind: SpanKind.CLIENT, attributes: { 'http.request.method': method, 'url.full': `${url.origin}${url.pathname}`, 'server.address': url.hostname, ...attributes } }, async (span) => {
    const headers = new Headers(init.headers);
    for (const [key, value] of Object.entries(injectTraceContext())) headers.set(key, value);
    const response = await fetch(url, { ...init, headers });
    span.setAttribute('http.response.status_code', response.status);
    if (response.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    return response;
  });
}
