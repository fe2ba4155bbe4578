import { infra, port } from '../topology/schema-parts.js';
import type { ComponentModule, SchemaSlice } from './module.js';
import { hardened, probe } from './shared.js';

const otlpGrpcPort = 4317;
const otlpHttpPort = 4318;
const healthPort = 13133;

export const collectorSlice = {
  section: 'infrastructure',
  key: 'otelCollector',
  schema: infra({
    grpcHostPort: port.default(4317),
    httpHostPort: port.default(4318),
    healthHostPort: port.default(13133),
  }),
  defaults: { image: 'otel/opentelemetry-collector-contrib:0.115.1' },
} satisfies SchemaSlice;

/** The OpenTelemetry Collector: the services' OTLP, on to Jaeger when the profile has it; a shell-less image. */
export const collector: ComponentModule = {
  name: 'collector',
  component: 'otel-collector',
  slice: collectorSlice,
  reservedNames: ['otel-collector'],
  hostPorts: (topology) => {
    const settings = topology.infrastructure.otelCollector;
    return [
      ['infrastructure.otelCollector.grpcHostPort', settings.grpcHostPort],
      ['infrastructure.otelCollector.httpHostPort', settings.httpHostPort],
      ['infrastructure.otelCollector.healthHostPort', settings.healthHostPort],
    ];
  },
  provides: () => ({
    serviceDependencies: [{ name: 'otel-collector', condition: 'started' }],
    serviceEnvironment: () => ({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://otel-collector:${otlpHttpPort}` }),
  }),
  plan({ topology, paths, has }) {
    const settings = topology.infrastructure.otelCollector;
    return {
      workloads: [
        {
          name: 'otel-collector',
          lifecycle: 'long-running',
          role: 'infrastructure',
          component: 'otel-collector',
          image: settings.image,
          category: 'support',
          override: settings.resources,
          dependsOn: has('jaeger') ? [{ name: 'jaeger', condition: 'started' }] : [],
          ports: [
            { host: settings.grpcHostPort, container: otlpGrpcPort, purpose: 'OTLP gRPC' },
            { host: settings.httpHostPort, container: otlpHttpPort, purpose: 'OTLP HTTP' },
            { host: settings.healthHostPort, container: healthPort, hostOnly: true, purpose: 'health' },
          ],
          readiness: probe({ kind: 'http', port: healthPort, path: '/' }, 10),
          startTimeoutSeconds: 60,
          command: ['--config=/etc/otelcol-contrib/config.yaml'],
          volumes: [{ kind: 'config', file: 'collector', mountPath: '/etc/otelcol-contrib/config.yaml' }],
          security: hardened({ runAsUser: 10001 }),
        },
      ],
      files: [{ id: 'collector', path: paths.collector }],
      urls: [
        { key: 'OTEL_HTTP_URL', name: 'OpenTelemetry Collector (OTLP HTTP)', url: `http://localhost:${settings.httpHostPort}` },
        { key: 'OTEL_GRPC_URL', name: 'OpenTelemetry Collector (OTLP gRPC)', url: `http://localhost:${settings.grpcHostPort}` },
      ],
    };
  },
};
