import type { TopologyInput } from './schema.js';

/**
 * The stack innover ships. innover.yaml is merged over this (objects deeply, lists replaced),
 * so a project states only what it changes. Image tags live here and nowhere else.
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
    cockroach: { image: 'cockroachdb/cockroach:v24.3.6', nodes: 3 },
    postgres: { image: 'postgres:16-bookworm' },
  },
  infrastructure: {
    redis: { image: 'redis:7.4-bookworm' },
    redpanda: { image: 'docker.redpanda.com/redpandadata/redpanda:v24.3.6', resources: { cpus: 1, memory: '1g' } },
    keycloak: { image: 'quay.io/keycloak/keycloak:26.6.0', resources: { cpus: 1, memory: '1g' } },
    nginx: { image: 'nginx:1.27-bookworm', resources: { cpus: 0.25, memory: '64m' } },
    wso2: { image: 'wso2/wso2am:4.5.0', resources: { cpus: 2, memory: '3g' } },
    otelCollector: { image: 'otel/opentelemetry-collector-contrib:0.115.1' },
    jaeger: { image: 'jaegertracing/jaeger:2.20.0' },
    node: { image: 'node:24-bookworm-slim' },
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
