import { keycloakPublicUrl } from '../components/keycloak.js';
import { databaseName, serviceApiContext, serviceQueue, serviceTasks } from '../components/services-names.js';
import { flowServices } from '../payments/flow-client.js';
import type { FlowService } from '../payments/flow-client.js';
import type { ComponentName, Topology } from '../topology/schema.js';
import { publishedPort } from '../plan/published-port.js';
import type { StackPlan } from '../plan/types.js';

/**
 * What `innover smoke` checks for one profile: pure data derived from the topology, the stack plan
 * and the endpoints of `.env`. No secret is held here; the runner adds them when it connects.
 */

/** An HTTP endpoint a check calls, with a short label for the detail column. */
export interface HttpTarget {
  label: string;
  url: string;
}

/** An API published on the WSO2 gateway (from wso2/api-config.yaml, else the topology). */
export interface GatewayApi {
  name: string;
  context: string;
}

export type SmokeCheckSpec =
  | { kind: 'containers'; name: string }
  | { kind: 'http'; name: string; service: string; targets: readonly HttpTarget[] }
  | { kind: 'redis'; name: string; host: string; port: number }
  | { kind: 'kafka'; name: string; brokers: readonly string[]; topic: string }
  | { kind: 'sql'; name: string; service: string; host: string; port: number; user: string; database: string; engine: 'postgres' | 'cockroach' }
  | { kind: 'keycloak'; name: string; issuerUrl: string; clientId: string }
  | { kind: 'gateway'; name: string; api: string; url: string }
  | { kind: 'worker'; name: string; service: string; queue: string; redisHost: string; redisPort: number }
  | { kind: 'trace'; name: string; service: string; requestUrl: string; jaegerUrl: string }
  /** One payment through the six services' published ports (with the smoke token when Keycloak is in the profile). */
  | { kind: 'payment'; name: string; urls: Readonly<Record<FlowService, string>>; withToken: boolean }
  /** The trace of that same payment in Jaeger. */
  | { kind: 'payment-trace'; name: string; urls: Readonly<Record<FlowService, string>>; withToken: boolean; jaegerUrl: string }
  /**
   * A check whose components the profile lacks (or, for the payment rows, whose services the topology
   * lacks): reported as "not in profile", never a pass.
   */
  | { kind: 'not-in-profile'; name: string; missing: readonly ComponentName[]; missingServices?: readonly string[] };

/** The detail of a "not in profile" row: what the check needs. */
export function notInProfileDetail(spec: Extract<SmokeCheckSpec, { kind: 'not-in-profile' }>): string {
  const services = spec.missingServices?.length ? [`the services ${spec.missingServices.join(', ')}`] : [];
  return `needs ${[...spec.missing, ...services].join(', ')}`;
}

/** The `.env` endpoints smoke needs (never secrets). */
export interface SmokeEndpoints {
  WSO2_GATEWAY_URL: string;
}

/** The Keycloak client smoke gets tokens with (client credentials; secret SMOKE_CLIENT_SECRET). */
export const smokeClientId = 'innover-smoke';
/** The topic the Kafka check produces to and consumes from. */
export const smokeTopic = 'innover-smoke';
/** The gateway checks need WSO2, the Keycloak that issues their tokens, and the services behind it. */
export const gatewayComponents: readonly ComponentName[] = ['wso2', 'keycloak', 'services'];
/** A payment needs the services, their databases, Redis (the saga's jobs) and Redpanda (the ledger's events). */
export const paymentComponents: readonly ComponentName[] = ['services', 'database', 'redis', 'redpanda'];
/** Host address of every published port smoke talks to. */
const host = '127.0.0.1';

/** The checks in the order they are reported. Pure. */
export function planSmoke(input: {
  topology: Topology;
  plan: StackPlan;
  endpoints: SmokeEndpoints;
  /** Published gateway APIs; default: one per service at its topology context. */
  gatewayApis?: readonly GatewayApi[];
}): SmokeCheckSpec[] {
  const { topology, plan, endpoints } = input;
  const infra = topology.infrastructure;
  const components = new Set(plan.components);
  const services = topology.services;
  const checks: SmokeCheckSpec[] = [];
  /** Adds `make()` when every component is in the profile, else one "not in profile" row. */
  const when = (name: string, needs: readonly ComponentName[], make: () => SmokeCheckSpec[], needsServices: readonly string[] = []): void => {
    const missing = needs.filter((component) => !components.has(component));
    const missingServices = needsServices.filter((needed) => !services.some((service) => service.name === needed));
    if (missing.length > 0 || missingServices.length > 0) checks.push({ kind: 'not-in-profile', name, missing, ...(missingServices.length > 0 ? { missingServices } : {}) });
    else checks.push(...make());
  };
  // Every port below is the plan's, as the component modules publish it.
  const nginxBase = () => `http://${host}:${publishedPort(plan, 'nginx')}`;
  const jaegerUrl = () => `http://${host}:${publishedPort(plan, 'jaeger')}`;

  checks.push({ kind: 'containers', name: 'containers' });

  when('http', ['services'], () =>
    services.map((service) => {
      const direct = `http://${host}:${service.hostPort}`;
      const targets: HttpTarget[] = [
        { label: `:${service.hostPort}/health`, url: `${direct}/health` },
        { label: `:${service.hostPort}/readiness`, url: `${direct}/readiness` },
      ];
      if (components.has('nginx')) {
        targets.push(
          { label: `nginx /svc/${service.name}/health`, url: `${nginxBase()}/svc/${service.name}/health` },
          { label: `nginx /svc/${service.name}/readiness`, url: `${nginxBase()}/svc/${service.name}/readiness` },
        );
      }
      return { kind: 'http', name: `http ${service.name}`, service: service.name, targets };
    }),
  );

  when('redis', ['redis'], () => [{ kind: 'redis', name: 'redis', host, port: publishedPort(plan, 'redis') }]);

  when('kafka', ['redpanda'], () => [
    { kind: 'kafka', name: 'kafka', brokers: [`${host}:${publishedPort(plan, 'redpanda')}`], topic: smokeTopic },
  ]);

  when('sql', ['database'], () =>
    services.map((service) => {
      const engine = plan.database ?? topology.database.engine;
      const port = publishedPort(plan, 'database');
      const name = databaseName(service);
      return { kind: 'sql', name: `sql ${service.name}`, service: service.name, host, port, user: name, database: name, engine };
    }),
  );

  // The public issuer, through Nginx's /auth: discovery and the token request take the path a
  // browser's login takes, and the issuer must be the one every token names.
  const issuerUrl = `${keycloakPublicUrl(topology)}/realms/${infra.keycloak.realm}`;
  when('keycloak', ['keycloak'], () => [{ kind: 'keycloak', name: 'keycloak', issuerUrl, clientId: smokeClientId }]);

  when('gateway', gatewayComponents, () => {
    const apis = input.gatewayApis ?? services.map((service) => ({ name: service.name, context: serviceApiContext(service) }));
    const gateway = endpoints.WSO2_GATEWAY_URL.replace(/\/+$/, '');
    return apis.map((api) => ({ kind: 'gateway', name: `gateway ${api.name}`, api: api.name, url: `${gateway}${api.context}/health` }));
  });

  when('worker', ['services', 'redis'], () =>
    services.map((service) => ({
      kind: 'worker',
      name: `worker ${service.name}`,
      service: service.name,
      queue: serviceTasks(service)['add'] ?? serviceQueue(service),
      redisHost: host,
      redisPort: publishedPort(plan, 'redis'),
    })),
  );

  when('trace', ['services', 'otel-collector', 'jaeger'], () =>
    services.map((service) => ({
      kind: 'trace',
      name: `trace ${service.name}`,
      service: service.name,
      requestUrl: `http://${host}:${service.hostPort}/health`,
      jaegerUrl: jaegerUrl(),
    })),
  );

  // The payment flow: every service straight on its published port; the APIs check tokens when
  // Keycloak is in the profile, so the rows then use the smoke client's (it holds every service role).
  const flowUrls = (): Record<FlowService, string> =>
    Object.fromEntries(flowServices.map((name) => [name, `http://${host}:${services.find((service) => service.name === name)?.hostPort}`])) as Record<FlowService, string>;
  const withToken = components.has('keycloak');
  when('payment', paymentComponents, () => [{ kind: 'payment', name: 'payment', urls: flowUrls(), withToken }], flowServices);
  when(
    'payment trace',
    [...paymentComponents, 'otel-collector', 'jaeger'],
    () => [{ kind: 'payment-trace', name: 'payment trace', urls: flowUrls(), withToken, jaegerUrl: jaegerUrl() }],
    flowServices,
  );

  return checks;
}
