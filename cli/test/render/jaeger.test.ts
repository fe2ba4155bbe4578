import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderCollectorConfig } from '../../src/render/collector.js';
import { generatedHeader } from '../../src/render/header.js';
import { renderJaegerConfig, renderJaegerFile } from '../../src/render/jaeger.js';
import { stackUrls } from '../../src/plan/stack-urls.js';
import { planStack } from '../../src/plan/plan-stack.js';
import { defaultStack, topologyFrom } from '../topology/fixtures.js';
import { composePlan } from '../../src/targets/compose/compose-plan.js';

describe('Jaeger v2 config', () => {
  it('is the exact generated file: OTLP in, a bounded in-memory store, the query API and health', () => {
    expect(renderJaegerFile(defaultStack())).toBe(`# ${generatedHeader}
service:
  extensions:
    - jaeger_storage
    - jaeger_query
    - healthcheckv2
  pipelines:
    traces:
      receivers:
        - otlp
      processors:
        - memory_limiter
        - batch
      exporters:
        - jaeger_storage_exporter
  telemetry:
    resource:
      service.name: jaeger
    logs:
      level: info
extensions:
  healthcheckv2:
    use_v2: true
    http:
      endpoint: 0.0.0.0:13133
  jaeger_query:
    storage:
      traces: memstore
    http:
      endpoint: 0.0.0.0:16686
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: 20000
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 0.0.0.0:4317
      http:
        endpoint: 0.0.0.0:4318
processors:
  memory_limiter:
    check_interval: 1s
    limit_percentage: 80
    spike_limit_percentage: 20
  batch: {}
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
`);
  });

  it('bounds the store by infrastructure.jaeger.maxTraces', () => {
    const config = renderJaegerConfig(topologyFrom({ infrastructure: { jaeger: { maxTraces: 5000 } } })) as {
      extensions: { jaeger_storage: { backends: Record<string, { memory: { max_traces: number } }> } };
    };
    expect(config.extensions.jaeger_storage.backends['memstore']!.memory.max_traces).toBe(5000);
    expect(topologyFrom({}).infrastructure.jaeger.maxTraces).toBe(20_000);
  });

  it('every pipeline component is declared, and the storage the query and exporter name exists', () => {
    const config = parse(renderJaegerFile(defaultStack())) as {
      service: { extensions: string[]; pipelines: { traces: { receivers: string[]; processors: string[]; exporters: string[] } } };
      extensions: Record<string, unknown>;
      receivers: Record<string, unknown>;
      processors: Record<string, unknown>;
      exporters: Record<string, { trace_storage?: string }>;
    };
    for (const extension of config.service.extensions) expect(config.extensions).toHaveProperty([extension]);
    const { traces } = config.service.pipelines;
    for (const name of traces.receivers) expect(config.receivers).toHaveProperty([name]);
    for (const name of traces.processors) expect(config.processors).toHaveProperty([name]);
    for (const name of traces.exporters) expect(config.exporters).toHaveProperty([name]);
    const backends = Object.keys((config.extensions['jaeger_storage'] as { backends: object }).backends);
    expect(backends).toContain(config.exporters['jaeger_storage_exporter']!.trace_storage);
    expect(backends).toContain((config.extensions['jaeger_query'] as { storage: { traces: string } }).storage.traces);
  });

  it('runs jaegertracing/jaeger 2.x with the mounted config; the collector exports to its OTLP receiver', () => {
    const plan = planStack(defaultStack(), 'full');
    const jaeger = composePlan(plan).containers.find((container) => container.name === 'jaeger')!;
    expect(jaeger.image).toMatch(/^jaegertracing\/jaeger:2\.\d+\.\d+$/);
    expect(jaeger.runtime.command).toEqual(['--config=/etc/jaeger/config.yaml']);
    expect(jaeger.runtime.volumes).toEqual(['./otel/jaeger.yaml:/etc/jaeger/config.yaml:ro']);
    expect(jaeger.environment).toEqual({});
    expect(jaeger.health).toEqual({ kind: 'host-probe', url: 'http://localhost:13134/status' });
    const collector = renderCollectorConfig(plan) as { exporters: Record<string, { endpoint?: string }> };
    expect(collector.exporters['otlp/jaeger']?.endpoint).toBe('jaeger:4317');
  });

  it('urls lists the UI and the query API smoke reads', () => {
    const urls = stackUrls(defaultStack(), planStack(defaultStack(), 'observability'));
    expect(urls.filter((entry) => entry.key.startsWith('JAEGER'))).toEqual([
      { key: 'JAEGER_URL', name: 'Jaeger UI', url: 'http://localhost:16686' },
      { key: 'JAEGER_API_URL', name: 'Jaeger query API (GET /api/traces/<trace id>)', url: 'http://localhost:16686/api/traces' },
    ]);
  });
});
