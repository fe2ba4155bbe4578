import { trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractTraceContext, injectTraceContext, withSpan } from '../src/tracing.ts';
import { startTelemetry } from '../src/telemetry.ts';
import type { Telemetry } from '../src/telemetry.ts';

// The OpenTelemetry globals are set once per process: this file starts telemetry with nowhere to export.
let telemetry: Telemetry | undefined;
beforeAll(async () => {
  telemetry = await startTelemetry({ serviceName: 'kit-test', serviceVersion: '0', endpoint: undefined });
});
afterAll(async () => await telemetry?.shutdown());

describe('startTelemetry without an endpoint (lite: no collector)', () => {
  it('records no span, yet every hop still carries one trace: traceparent, parent ids and the active span context', async () => {
    const seen = await withSpan('outer', {}, async (outer) => {
      expect(outer.isRecording()).toBe(false);
      const carrier = injectTraceContext();
      // The next hop (job data, Kafka headers, an HTTP call) continues the same trace from the carrier.
      const inner = await withSpan('inner', { parent: extractTraceContext(carrier) }, async (span) => span.spanContext());
      return { outer: outer.spanContext(), carrier, inner, active: trace.getActiveSpan()?.spanContext() };
    });
    expect(seen.carrier['traceparent']).toBe(`00-${seen.outer.traceId}-${seen.outer.spanId}-00`);
    expect(seen.inner.traceId).toBe(seen.outer.traceId);
    expect(seen.inner.spanId).not.toBe(seen.outer.spanId);
    expect(seen.active?.traceId).toBe(seen.outer.traceId);
  });

  it("keeps a caller's sampled trace sampled: the flag passes on to every later hop", async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parent = extractTraceContext({ traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
    const carrier = await withSpan('served', { parent }, async () => injectTraceContext());
    expect(carrier['traceparent']).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
  });
});
