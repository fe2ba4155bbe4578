/**
 * A span exporter speaking OTLP/HTTP with the JSON encoding (POST `<endpoint>/v1/traces`).
 *
 * Why not @opentelemetry/exporter-trace-otlp-http: it loads protobufjs and the whole OTLP transformer even to
 * send JSON, ~3.6 MiB of resident memory in every service process, which the idle-RSS budget cannot spare.
 * The encoding follows the OTLP spec's JSON mapping: hex trace/span ids, enum values as integers,
 * 64-bit integers as decimal strings.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Attributes, HrTime, SpanContext } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';

type AnyValue = { stringValue: string } | { boolValue: boolean } | { intValue: string } | { doubleValue: number } | { arrayValue: { values: AnyValue[] } };
interface KeyValue {
  key: string;
  value: AnyValue;
}

function anyValue(value: unknown): AnyValue {
  if (Array.isArray(value)) return { arrayValue: { values: value.map((item: unknown) => anyValue(item)) } };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  return { stringValue: typeof value === 'string' ? value : '' };
}

function keyValues(attributes: Attributes): KeyValue[] {
  return Object.entries(attributes)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => ({ key, value: anyValue(value) }));
}

/** `[seconds, nanoseconds]` → nanoseconds since the epoch, exact, as a decimal string. */
export function unixNanos(time: HrTime): string {
  return (BigInt(time[0]) * 1_000_000_000n + BigInt(time[1])).toString();
}

function spanJson(span: ReadableSpan) {
  const context: SpanContext = span.spanContext();
  return {
    traceId: context.traceId,
    spanId: context.spanId,
    ...(context.traceState ? { traceState: context.traceState.serialize() } : {}),
    ...(span.parentSpanContext?.spanId ? { parentSpanId: span.parentSpanContext.spanId } : {}),
    name: span.name,
    // OTLP numbers kinds from 1 (INTERNAL); the API enum starts at 0.
    kind: span.kind + 1,
    startTimeUnixNano: unixNanos(span.startTime),
    endTimeUnixNano: unixNanos(span.endTime),
    attributes: keyValues(span.attributes),
    droppedAttributesCount: span.droppedAttributesCount,
    events: span.events.map((event) => ({ timeUnixNano: unixNanos(event.time), name: event.name, attributes: keyValues(event.attributes ?? {}), droppedAttributesCount: event.droppedAttributesCount ?? 0 })),
    droppedEventsCount: span.droppedEventsCount,
    links: span.links.map((link) => ({ traceId: link.context.traceId, spanId: link.context.spanId, attributes: keyValues(link.attributes ?? {}), droppedAttributesCount: link.droppedAttributesCount ?? 0 })),
    droppedLinksCount: span.droppedLinksCount,
    status: { code: span.status.code, ...(span.status.message ? { message: span.status.message } : {}) },
  };
}

/** The `ExportTraceServiceRequest` body for a batch: spans grouped by resource, then by instrumentation scope. */
export function exportRequest(spans: ReadableSpan[]) {
  const byResource = new Map<ReadableSpan['resource'], Map<string, ReadableSpan[]>>();
  for (const span of spans) {
    const scopes = byResource.get(span.resource) ?? new Map<string, ReadableSpan[]>();
    byResource.set(span.resource, scopes);
    const scopeKey = `${span.instrumentationScope.name}@${span.instrumentationScope.version ?? ''}`;
    scopes.set(scopeKey, [...(scopes.get(scopeKey) ?? []), span]);
  }
  return {
    resourceSpans: [...byResource].map(([resource, scopes]) => ({
      resource: { attributes: keyValues(resource.attributes) },
      scopeSpans: [...scopes.values()].map((scopeSpans) => ({
        scope: { name: scopeSpans[0]?.instrumentationScope.name ?? '', ...(scopeSpans[0]?.instrumentationScope.version ? { version: scopeSpans[0].instrumentationScope.version } : {}) },
        spans: scopeSpans.map(spanJson),
      })),
    })),
  };
}

/** POSTs a JSON body; resolves with the status code, rejects on network errors and after `timeoutMs`. */
function postJson(url: string, body: string, timeoutMs: number): Promise<number> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send(target, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, timeout: timeoutMs }, (response) => {
      response.resume();
      response.once('end', () => resolve(response.statusCode ?? 0));
      response.once('error', reject);
    });
    request.once('timeout', () => request.destroy(new Error(`collector did not answer within ${timeoutMs} ms`)));
    request.once('error', reject);
    request.end(body);
  });
}

/** Posts batches to `url`; a failure or timeout is reported to the batch processor, never thrown at a caller. */
export class OtlpJsonTraceExporter implements SpanExporter {
  private readonly pending = new Set<Promise<void>>();
  private stopped = false;

  private readonly options: { url: string; timeoutMs: number };

  constructor(options: { url: string; timeoutMs: number }) {
    this.options = options;
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    if (this.stopped) {
      resultCallback({ code: ExportResultCode.FAILED, error: new Error('exporter is shut down') });
      return;
    }
    // node:http rather than fetch: the server already loaded it, while fetch would pull in undici (~3 MiB).
    const sent = postJson(this.options.url, JSON.stringify(exportRequest(spans)), this.options.timeoutMs).then(
      (status) => resultCallback(status >= 200 && status < 300 ? { code: ExportResultCode.SUCCESS } : { code: ExportResultCode.FAILED, error: new Error(`collector answered ${status}`) }),
      (error: unknown) => resultCallback({ code: ExportResultCode.FAILED, error: error as Error }),
    );
    this.pending.add(sent);
    void sent.finally(() => this.pending.delete(sent));
  }

  async forceFlush(): Promise<void> {
    await Promise.all(this.pending);
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    await this.forceFlush();
  }
}
