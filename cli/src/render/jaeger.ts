import { stringify } from 'yaml';
import { jaegerPorts } from '../components/jaeger.js';
import type { Topology } from '../topology/schema.js';
import { hashHeader } from './header.js';

/** The one trace store: Jaeger's in-memory backend. */
const store = 'memstore';

/**
 * Jaeger v2's config, as plain data. Pure. Jaeger v2 is an OpenTelemetry Collector build; this
 * follows its own examples (cmd/jaeger/internal/all-in-one.yaml, config-*.yaml, v2.20.0): OTLP in
 * on 4317/4318 (the collector exports to 4317), the `jaeger_storage` extension with a `memory`
 * backend bounded by `max_traces` (the oldest traces are evicted, so the store cannot grow past
 * its container's limit as v1's unbounded one did), `jaeger_query` serving the UI and the HTTP
 * API `/api/traces/<id>` that `innover smoke` reads on 16686, and `healthcheckv2` on 13133
 * (`GET /status`), which the CLI probes from the host since the image has no shell.
 */
export function renderJaegerConfig(topology: Topology): Record<string, unknown> {
  const any = (port: number) => `0.0.0.0:${port}`;
  return {
    service: {
      extensions: ['jaeger_storage', 'jaeger_query', 'healthcheckv2'],
      pipelines: {
        traces: { receivers: ['otlp'], processors: ['memory_limiter', 'batch'], exporters: ['jaeger_storage_exporter'] },
      },
      telemetry: { resource: { 'service.name': 'jaeger' }, logs: { level: 'info' } },
    },
    extensions: {
      healthcheckv2: { use_v2: true, http: { endpoint: any(jaegerPorts.health) } },
      jaeger_query: { storage: { traces: store }, http: { endpoint: any(jaegerPorts.query) } },
      jaeger_storage: { backends: { [store]: { memory: { max_traces: topology.infrastructure.jaeger.maxTraces } } } },
    },
    receivers: {
      otlp: { protocols: { grpc: { endpoint: any(jaegerPorts.otlpGrpc) }, http: { endpoint: any(jaegerPorts.otlpHttp) } } },
    },
    processors: {
      // Refuses spans before the container's limit rather than being OOM-killed with the store.
      memory_limiter: { check_interval: '1s', limit_percentage: 80, spike_limit_percentage: 20 },
      batch: {},
    },
    exporters: { jaeger_storage_exporter: { trace_storage: store } },
  };
}

/** The Jaeger config file text (mounted as /etc/jaeger/config.yaml). */
export function renderJaegerFile(topology: Topology): string {
  return `${hashHeader}${stringify(renderJaegerConfig(topology), { lineWidth: 0, indent: 2 })}`;
}
