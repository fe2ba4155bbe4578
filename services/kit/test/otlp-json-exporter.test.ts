import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { exportRequest, unixNanos } from '../src/otlp-json-exporter.js';

describe('OTLP/JSON encoding', () => {
  it('keeps nanosecond timestamps exact as decimal strings', () => {
    expect(unixNanos([1_795_540_000, 123_456_789])).toBe('1795540000123456789');
  });

  it('groups spans by resource and scope, with hex ids, 1-based kinds and typed attribute values', async () => {
    const memory = new InMemorySpanExporter();
    const provider = new TracerProvider({ resource: resourceFromAttributes({ 'service.name': 'payment' }), spanProcessors: [new SimpleSpanProcessor({ exporter: memory })] });
    const tracer = provider.getTracer('@innover/kit', '1.0.0');
    const parent = trace.setSpanContext(ROOT_CONTEXT, { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 });
    const span = tracer.startSpan('POST /payments', { kind: SpanKind.SERVER, attributes: { count: 2, ratio: 1.5, ok: true, route: '/payments', tags: ['a', 'b'] } }, parent);
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
    span.end();
    await provider.forceFlush();
    const request = exportRequest(memory.getFinishedSpans());
    expect(request.resourceSpans).toHaveLength(1);
    expect(request.resourceSpans[0]?.resource.attributes).toContainEqual({ key: 'service.name', value: { stringValue: 'payment' } });
    const scope = request.resourceSpans[0]?.scopeSpans[0];
    expect(scope?.scope).toEqual({ name: '@innover/kit', version: '1.0.0' });
    expect(scope?.spans[0]).toMatchObject({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      parentSpanId: 'b7ad6b7169203331',
      name: 'POST /payments',
      kind: 2,
      status: { code: 2, message: 'boom' },
      attributes: [
        { key: 'count', value: { intValue: '2' } },
        { key: 'ratio', value: { doubleValue: 1.5 } },
        { key: 'ok', value: { boolValue: true } },
        { key: 'route', value: { stringValue: '/payments' } },
        { key: 'tags', value: { arrayValue: { values: [{ stringValue: 'a' }, { stringValue: 'b' }] } } },
      ],
    });
    expect(scope?.spans[0]?.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(BigInt(scope?.spans[0]?.endTimeUnixNano ?? '0')).toBeGreaterThanOrEqual(BigInt(scope?.spans[0]?.startTimeUnixNano ?? '0'));
  });
});
