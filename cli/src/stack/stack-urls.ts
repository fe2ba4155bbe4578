import { keycloakDirectUrl, keycloakManagementUrl, keycloakPublicUrl, nginxPublicUrl } from '../topology/plan-stack.js';
import type { Topology } from '../topology/schema.js';
import type { StackPlan } from '../topology/stack-plan.js';

/** One URL of the running stack. Never carries a secret. */
export interface StackUrl {
  /** Stable key, also the variable name of `--format env` (e.g. `KEYCLOAK_ADMIN_CONSOLE_URL`). */
  key: string;
  name: string;
  url: string;
}

/** The URLs of the parts of a profile (pure), in the order the table shows them. */
export function stackUrls(topology: Topology, plan: StackPlan): StackUrl[] {
  const has = (component: string): boolean => plan.components.some((name) => name === component);
  const infra = topology.infrastructure;
  const urls: StackUrl[] = [];
  const add = (key: string, name: string, url: string): void => void urls.push({ key, name, url });

  if (has('keycloak')) {
    const direct = keycloakDirectUrl(topology);
    add('KEYCLOAK_PUBLIC_URL', 'Keycloak (public, through Nginx)', keycloakPublicUrl(topology));
    add('KEYCLOAK_URL', 'Keycloak (direct)', direct);
    add('KEYCLOAK_ADMIN_CONSOLE_URL', 'Keycloak admin console', `${direct}/admin/`);
    add('KEYCLOAK_REALM_URL', `Keycloak realm ${infra.keycloak.realm} (the issuer)`, `${keycloakPublicUrl(topology)}/realms/${infra.keycloak.realm}`);
    add('KEYCLOAK_MANAGEMENT_URL', 'Keycloak management (health, metrics)', keycloakManagementUrl(topology));
  }
  if (has('wso2')) {
    const management = `https://localhost:${infra.wso2.managementHostPort}`;
    add('WSO2_PUBLISHER_URL', 'WSO2 publisher', `${management}/publisher`);
    add('WSO2_DEVPORTAL_URL', 'WSO2 developer portal', `${management}/devportal`);
    add('WSO2_ADMIN_URL', 'WSO2 admin portal', `${management}/admin`);
    add('WSO2_GATEWAY_HTTPS_URL', 'WSO2 gateway (HTTPS)', `https://localhost:${infra.wso2.gatewayHttpsHostPort}`);
    add('WSO2_GATEWAY_HTTP_URL', 'WSO2 gateway (HTTP)', `http://localhost:${infra.wso2.gatewayHttpHostPort}`);
    add('WSO2_GATEWAY_WS_URL', 'WSO2 gateway (WebSocket)', `ws://localhost:${infra.wso2.gatewayWsHostPort}`);
    add('WSO2_GATEWAY_WSS_URL', 'WSO2 gateway (WebSocket TLS)', `wss://localhost:${infra.wso2.gatewayWssHostPort}`);
  }
  if (has('jaeger')) {
    add('JAEGER_URL', 'Jaeger UI', `http://localhost:${infra.jaeger.uiHostPort}`);
    add('JAEGER_API_URL', 'Jaeger query API (GET /api/traces/<trace id>)', `http://localhost:${infra.jaeger.uiHostPort}/api/traces`);
  }
  if (has('otel-collector')) {
    add('OTEL_HTTP_URL', 'OpenTelemetry Collector (OTLP HTTP)', `http://localhost:${infra.otelCollector.httpHostPort}`);
    add('OTEL_GRPC_URL', 'OpenTelemetry Collector (OTLP gRPC)', `http://localhost:${infra.otelCollector.grpcHostPort}`);
  }
  if (has('database') && plan.database === 'cockroach') {
    const cockroach = topology.database.cockroach;
    add('COCKROACH_UI_URL', 'CockroachDB UI', `http://localhost:${cockroach.uiHostPort}`);
    add('COCKROACH_SQL_URL', 'CockroachDB SQL', `postgresql://root@localhost:${cockroach.sqlHostPort}/defaultdb?sslmode=disable`);
  }
  if (has('database') && plan.database === 'postgres') {
    add('POSTGRES_URL', 'PostgreSQL (password: POSTGRES_PASSWORD in .env)', `postgresql://postgres@localhost:${topology.database.postgres.hostPort}/postgres`);
  }
  if (has('redis')) add('REDIS_URL', 'Redis (password: REDIS_PASSWORD in .env)', `redis://localhost:${infra.redis.hostPort}`);
  if (has('redpanda')) add('REDPANDA_BROKERS', 'Redpanda (Kafka API)', `localhost:${infra.redpanda.hostPort}`);
  if (has('nginx')) add('NGINX_URL', 'Nginx', nginxPublicUrl(topology));
  if (has('services')) {
    for (const service of topology.services) {
      const key = service.name.toUpperCase().replace(/-/g, '_');
      const label = service.displayName ?? service.name;
      add(`${key}_URL`, `${label} API`, `http://localhost:${service.hostPort}`);
      if (has('nginx')) add(`${key}_NGINX_URL`, `${label} via Nginx`, `${nginxPublicUrl(topology)}/svc/${service.name}/`);
    }
  }
  return urls;
}

/** `KEY=url` lines for `innover urls --format env`. */
export function urlsAsEnv(urls: readonly StackUrl[]): string {
  return urls.map((entry) => `${entry.key}=${entry.url}`).join('\n');
}
