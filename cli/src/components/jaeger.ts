import { z } from 'zod';
import { infra, port } from '../topology/schema-parts.js';
import type { ComponentModule, SchemaSlice } from './module.js';
import { hardened, probe } from './shared.js';

/** Jaeger v2's listeners inside the network: OTLP from the collector, the query API and UI, health. */
export const jaegerPorts = { otlpGrpc: 4317, otlpHttp: 4318, query: 16686, health: 13133 } as const;
/** Where the generated Jaeger config is mounted. */
const jaegerConfigPath = '/etc/jaeger/config.yaml';

export const jaegerSlice = {
  section: 'infrastructure',
  key: 'jaeger',
  schema: infra({
    uiHostPort: port.default(16686),
    /** healthcheckv2's HTTP endpoint (container port 13133), published on 127.0.0.1 for the CLI's probe. */
    healthHostPort: port.default(13134),
    /** The in-memory store's bound: the oldest traces go first, so the store cannot outgrow its memory limit. */
    maxTraces: z
      .number()
      .int()
      .min(100)
      .max(1_000_000)
      .default(20_000)
      .describe("traces Jaeger's in-memory store keeps (memory.max_traces); the oldest are dropped first. Raise it together with Jaeger's memory limit"),
  }),
  defaults: { image: 'jaegertracing/jaeger:2.20.0' },
} satisfies SchemaSlice;

/** Jaeger v2: an OpenTelemetry Collector build configured by one file (render/jaeger.ts); a shell-less image. */
export const jaeger: ComponentModule = {
  name: 'jaeger',
  component: 'jaeger',
  slice: jaegerSlice,
  reservedNames: ['jaeger'],
  hostPorts: (topology) => [
    ['infrastructure.jaeger.uiHostPort', topology.infrastructure.jaeger.uiHostPort],
    ['infrastructure.jaeger.healthHostPort', topology.infrastructure.jaeger.healthHostPort],
  ],
  plan({ topology, paths }) {
    const settings = topology.infrastructure.jaeger;
    const ui = `http://localhost:${settings.uiHostPort}`;
    return {
      workloads: [
        {
          name: 'jaeger',
          lifecycle: 'long-running',
          role: 'infrastructure',
          component: 'jaeger',
          image: settings.image,
          category: 'support',
          override: settings.resources,
          ports: [
            { host: settings.uiHostPort, container: jaegerPorts.query, purpose: 'UI and query API' },
            { host: settings.healthHostPort, container: jaegerPorts.health, hostOnly: true, purpose: 'health' },
          ],
          // healthcheckv2 answers 200 on /status once every component of the pipeline is up.
          readiness: probe({ kind: 'http', port: jaegerPorts.health, path: '/status' }, 10),
          startTimeoutSeconds: 60,
          command: [`--config=${jaegerConfigPath}`],
          volumes: [{ kind: 'config', file: 'jaeger', mountPath: jaegerConfigPath }],
          security: hardened({ runAsUser: 10001 }),
        },
      ],
      files: [{ id: 'jaeger', path: paths.jaeger }],
      urls: [
        { key: 'JAEGER_URL', name: 'Jaeger UI', url: ui },
        { key: 'JAEGER_API_URL', name: 'Jaeger query API (GET /api/traces/<trace id>)', url: `${ui}/api/traces` },
      ],
    };
  },
};
