import { stringify } from 'yaml';
import type { StackPlan } from '../plan/types.js';
import { hashHeader } from './header.js';

/**
 * The OpenTelemetry Collector config for one profile, as plain data. Pure. OTLP in on 4317/4318,
 * out to Jaeger (when the profile has it) and to a debug exporter; a health_check extension on
 * 13133 that the CLI probes from the host, since the image has no shell.
 */
export function renderCollectorConfig(plan: StackPlan): Record<string, unknown> {
  const jaeger = plan.workloads.some((container) => container.name === 'jaeger');
  const traceExporters = jaeger ? ['otlp/jaeger', 'debug'] : ['debug'];
  return {
    extensions: { health_check: { endpoint: '0.0.0.0:13133' } },
    receivers: {
      otlp: { protocols: { grpc: { endpoint: '0.0.0.0:4317' }, http: { endpoint: '0.0.0.0:4318' } } },
    },
    processors: {
      memory_limiter: { check_interval: '1s', limit_percentage: 80, spike_limit_percentage: 20 },
      batch: {},
    },
    exporters: {
      ...(jaeger ? { 'otlp/jaeger': { endpoint: 'jaeger:4317', tls: { insecure: true } } } : {}),
      debug: { verbosity: 'basic' },
    },
    service: {
      extensions: ['health_check'],
      pipelines: {
        traces: { receivers: ['otlp'], processors: ['memory_limiter', 'batch'], exporters: traceExporters },
        metrics: { receivers: ['otlp'], processors: ['memory_limiter', 'batch'], exporters: ['debug'] },
        logs: { receivers: ['otlp'], processors: ['memory_limiter', 'batch'], exporters: ['debug'] },
      },
    },
  };
}

export function renderCollectorFile(plan: StackPlan): string {
  return `${hashHeader}${stringify(renderCollectorConfig(plan), { lineWidth: 0, indent: 2 })}`;
}
