import { cockroachSlice } from '../components/cockroachdb.js';
import { collectorSlice } from '../components/collector.js';
import { jaegerSlice } from '../components/jaeger.js';
import { keycloakSlice } from '../components/keycloak.js';
import { nginxSlice } from '../components/nginx.js';
import { postgresSlice } from '../components/postgresql.js';
import { redisSlice } from '../components/redis.js';
import { redpandaSlice } from '../components/redpanda.js';
import { nodeSlice } from '../components/services.js';
import { wso2Slice } from '../components/wso2.js';
import type { TopologyInput } from './schema.js';

/**
 * The stack innover ships. innover.yaml is merged over this (objects deeply, lists replaced),
 * so a project states only what it changes. Each component's defaults (its image tag
 * among them) live in its module (cli/src/components) and nowhere else.
 */
export const defaultTopology = {
  project: 'innover',
  // `calls` is part of each entry, not a default looked up by service name: innover.yaml's
  // services list replaces this one whole, so a project that lists its services states their
  // calls too (innover.yaml does), and a renamed or new service never inherits grants it did not ask for.
  services: [
    { name: 'profile', hostPort: 8101 },
    {
      name: 'payment',
      hostPort: 8102,
      calls: [
        { service: 'wallet', access: 'read' },
        { service: 'profile', access: 'read' },
        { service: 'rule-engine', access: 'write' },
        { service: 'forex', access: 'write' },
        { service: 'ledger', access: 'write' },
      ],
    },
    { name: 'ledger', hostPort: 8103 },
    // Balances are a projection of the ledger's transfers.
    {
      name: 'wallet',
      hostPort: 8104,
      calls: [
        { service: 'profile', access: 'read' },
        { service: 'ledger', access: 'write' },
      ],
      consumes: ['ledger.transfer-changed.v1'],
    },
    { name: 'rule-engine', displayName: 'Rule Engine', apiContext: '/api/rules', hostPort: 8105 },
    { name: 'forex', hostPort: 8106 },
  ],
  database: {
    engine: 'cockroach',
    cockroach: cockroachSlice.defaults,
    postgres: postgresSlice.defaults,
  },
  infrastructure: {
    redis: redisSlice.defaults,
    redpanda: redpandaSlice.defaults,
    keycloak: keycloakSlice.defaults,
    nginx: nginxSlice.defaults,
    wso2: wso2Slice.defaults,
    otelCollector: collectorSlice.defaults,
    jaeger: jaegerSlice.defaults,
    node: nodeSlice.defaults,
  },
  resources: {
    default: { cpus: 0.5, memory: '256m' },
    worker: { cpus: 0.25, memory: '192m' },
    support: { cpus: 0.5, memory: '256m' },
    db: { cpus: 1, memory: '768m' },
  },
  profiles: {
    core: {
      description: 'services, workers, database, Redis, Redpanda',
      components: ['services', 'database', 'redis', 'redpanda'],
    },
    identity: { description: 'Keycloak and Nginx', components: ['keycloak', 'nginx'] },
    gateway: { description: 'WSO2 API Manager', components: ['wso2'] },
    observability: { description: 'OpenTelemetry Collector and Jaeger', components: ['otel-collector', 'jaeger'] },
    lite: {
      description: 'services, workers, Redis, Redpanda, Nginx and PostgreSQL: small laptops and CI',
      components: ['services', 'database', 'redis', 'redpanda', 'nginx'],
      database: 'postgres',
    },
    full: {
      description: 'everything',
      components: ['services', 'database', 'redis', 'redpanda', 'keycloak', 'nginx', 'wso2', 'otel-collector', 'jaeger'],
    },
  },
  defaultProfile: 'full',
  keycloak: {
    platformRoles: ['platform-admin', 'payments-operator', 'auditor', 'customer'],
    extraRoles: [],
    extraClients: [],
    users: [],
  },
} satisfies TopologyInput;
