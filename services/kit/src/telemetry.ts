import { context, propagation, trace } from '@opentelemetry/api';
import type { Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOffSampler, BatchSpanProcessor, ParentBasedSampler, TracerProvider } from '@opentelemetry/sdk-trace';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';

/** Handle on the process-wide tracing setup. */
export interface Telemetry {
  tracer: Tracer;
  /** Flushes what is buffered (bounded by the exporter timeout) and stops exporting. */
  shutdown(): Promise<void>;
}

/**
 * Registers the global tracer provider, async-local context and W3C propagation.
 * Spans are always created so context propagates; they are exported only when `endpoint` is set. With
 * nowhere to send them (no endpoint, no extra processor: `lite`) a trace this process starts is sampled out:
 * its spans are non-recording but still carry their trace and span ids, so `traceparent` flows through every
 * hop and log lines keep their trace id, without the cost of recording what nobody reads. A caller's sampled
 * trace stays sampled (parent-based): the flag is the caller's decision, passed on to every later hop.
 * Export is batched off the request path with a short timeout and a bounded queue, so a collector that
 * is down costs dropped spans, never a slow or failed request.
 */
export async function startTelemetry(options: { serviceName: string; serviceVersion: string; endpoint: string | undefined; extraProcessors?: SpanProcessor[] }): Promise<Telemetry> {
  const spanProcessors: SpanProcessor[] = [...(options.extraProcessors ?? [])];
  if (options.endpoint) {
    const { OtlpJsonTraceExporter } = await import('./otlp-json-exporter.ts');
    const exporter = new OtlpJsonTraceExporter({ url: `${options.endpoint}/v1/traces`, timeoutMs: 2_000 });
    spanProcessors.push(new BatchSpanProcessor({ exporter, maxQueueSize: 2_048, scheduledDelayMillis: 1_000, exportTimeoutMillis: 2_000 }));
  }
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName, [ATTR_SERVICE_VERSION]: options.serviceVersion }),
    spanProcessors,
    ...(spanProcessors.length === 0 ? { sampler: new ParentBasedSampler({ root: new AlwaysOffSampler() }) } : {}),
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  return {
    tracer: trace.getTracer('@innover/kit'),
    async shutdown() {
      await provider.shutdown().catch(() => undefined);
    },
  };
}

