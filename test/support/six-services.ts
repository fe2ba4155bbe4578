/**
 * All six services as processes, wired to each other as innover.yaml's `calls` say (SERVICE_CALLS +
 * <NAME>_URL), against real PostgreSQL, Redis and the Kafka-protocol broker, and, with `oidc: true`, the
 * OIDC issuer: every API checks tokens and every calling service gets its own client-credentials client
 * holding exactly the roles of its `calls`, as the generated Keycloak realm gives it.
 *
 * Workers can be stopped, killed and started again (with extra env, e.g. PAYMENT_CRASH_AFTER) so tests
 * can crash them mid-flow.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startKafka, startOidcIssuer, startPostgres, startRedis } from './peers.js';
import type { KafkaPeer, OidcClient, OidcPeer, PostgresPeer, RedisPeer } from './peers.js';
import { apiBaseUrl, buildService, repositoryRoot, spawnService } from './service-process.js';
import type { ServiceProcess } from './service-process.js';

export const sixServices = ['profile', 'payment', 'ledger', 'wallet', 'rule-engine', 'forex'] as const;
export type SixService = (typeof sixServices)[number];

/**
 * Who calls whom, and each caller's Keycloak client with its roles, as the generated stack has them: read from
 * innover.yaml (`services[].calls`) through the same model that writes the realm, so the harness never drifts.
 */
export async function wiringFromTopology(): Promise<{ calls: Map<string, string[]>; clients: OidcClient[] }> {
  const [{ loadTopology }, { realmClients }] = await Promise.all([import('../../cli/src/topology/load.js'), import('../../cli/src/identity/realm-model.js')]);
  const topology = await loadTopology(repositoryRoot, { checkEvents: false });
  const calls = new Map(topology.services.map((service) => [service.name, service.calls.map((call) => call.service)]));
  const secret = (caller: string) => `${caller}-secret`;
  const clients = realmClients(topology, { wso2: 'unused', smoke: 'unused', service: secret })
    .filter((plan) => topology.services.some((service) => plan.client.clientId === clientIdOf(service.name) && service.calls.length > 0))
    .map((plan) => ({ id: String(plan.client.clientId), secret: String(plan.client.secret), roles: plan.serviceAccountRealmRoles ?? [] }));
  return { calls, clients };
}
/** The services with a worker: the three with an outbox (relay, saga, projection, expiry). */
export const servicesWithWorkers: SixService[] = ['ledger', 'wallet', 'payment'];

export interface SixServicesOptions {
  /** Tokens on: the APIs check JWTs of the OIDC issuer; callers use client credentials. */
  oidc?: boolean;
  /** Extra env per service and role (e.g. lower PAYMENT_RECONCILE_INTERVAL_MS). */
  environment?: Partial<Record<SixService, Record<string, string>>>;
  /** OTLP/HTTP endpoint every process exports its spans to. */
  otlpEndpoint?: string;
  /** Start each API twice on its database first, to show its migrations idempotent. */
  migrateTwice?: boolean;
}

export interface CallResult {
  status: number;
  json: Record<string, unknown>;
  headers: Headers;
}

export interface SixServices {
  urls: ReadonlyMap<SixService, string>;
  postgres: PostgresPeer;
  redis: RedisPeer;
  kafka: KafkaPeer;
  oidc: OidcPeer | undefined;
  /** DATABASE_URL of each service. */
  databaseUrls: ReadonlyMap<SixService, string>;
  /** The full environment a service's processes get. */
  environmentOf(service: SixService): Record<string, string>;
  /** Calls a service's API as a client holding every role (a token when OIDC is on). */
  call(service: SixService, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<CallResult>;
  /** Headers a client holding every role sends (Authorization when OIDC is on). */
  authHeaders(): Promise<Record<string, string>>;
  /** The API process of a service (its logs, e.g. to show why it answered 500). */
  api(service: SixService): ServiceProcess;
  /** The running workers of a service (replicas). */
  workers(service: SixService): ServiceProcess[];
  /** Starts one more worker of a service with extra env; resolves when it is ready. */
  startWorker(service: SixService, extra?: Record<string, string>): Promise<ServiceProcess>;
  /** Stops every worker of a service: SIGTERM (graceful) or SIGKILL (a crash). */
  stopWorkers(service: SixService, signal?: NodeJS.Signals): Promise<void>;
  stop(): Promise<void>;
}

const urlVariable = (service: string) => `${service.toUpperCase().replace(/-/g, '_')}_URL`;
const clientIdOf = (service: string) => `${service}-service`;

/** Every role of the six services: what the test client holds. */
const allRoles = sixServices.flatMap((service) => [`${service}-read`, `${service}-write`]);

export async function startSixServices(options: SixServicesOptions = {}): Promise<SixServices> {
  for (const service of sixServices) buildService(service);
  const { calls, clients } = await wiringFromTopology();
  const [postgres, redis, kafka, oidc] = await Promise.all([
    startPostgres(),
    startRedis({ password: 'services-secret' }),
    startKafka(),
    options.oidc ? startOidcIssuer({ audience: 'innover-api', roles: allRoles, clients }) : Promise.resolve(undefined),
  ]);
  const urls = new Map<SixService, string>();
  const databaseUrls = new Map<SixService, string>();
  // Ports chosen up front, so each caller gets its callees' URLs in its environment.
  for (const service of sixServices) urls.set(service, `http://127.0.0.1:${String(await freePort())}`);
  for (const service of sixServices) databaseUrls.set(service, await postgres.createDatabase(service.replace('-', '_')));
  // The workers' heartbeat files, removed with the stack.
  const heartbeats = mkdtempSync(join(tmpdir(), 'innover-six-services-'));
  const removeHeartbeats = (): void => rmSync(heartbeats, { recursive: true, force: true });

  const environmentOf = (service: SixService): Record<string, string> => {
    const called = calls.get(service) ?? [];
    const client = clients.find((candidate) => candidate.id === clientIdOf(service));
    return {
      DATABASE_URL: String(databaseUrls.get(service)),
      REDIS_URL: redis.url,
      KAFKA_BROKERS: kafka.brokers.join(','),
      LOG_LEVEL: 'info',
      WORKER_HEARTBEAT_FILE: join(heartbeats, service),
      ...(called.length > 0 ? { SERVICE_CALLS: called.join(','), ...Object.fromEntries(called.map((callee) => [urlVariable(callee), String(urls.get(callee as SixService))])) } : {}),
      ...(oidc ? { OIDC_ISSUER_URL: oidc.issuer, OIDC_JWKS_URL: oidc.jwksUrl, OIDC_AUDIENCE: 'innover-api' } : {}),
      ...(oidc && client ? { OIDC_TOKEN_URL: oidc.tokenUrl, OIDC_CLIENT_ID: client.id, OIDC_CLIENT_SECRET: client.secret } : {}),
      ...(options.otlpEndpoint ? { OTEL_EXPORTER_OTLP_ENDPOINT: options.otlpEndpoint } : {}),
      ...options.environment?.[service],
    };
  };

  const apis: ServiceProcess[] = [];
  const apiOf = new Map<SixService, ServiceProcess>();
  const workers = new Map<SixService, ServiceProcess[]>();
  try {
    await Promise.all(
      sixServices.map(async (service) => {
        const environment = environmentOf(service);
        if (options.migrateTwice) {
          const first = spawnService(service, 'api', { ...environment, PORT: '0' });
          await apiBaseUrl(first);
          first.kill('SIGTERM');
          const code = await first.exited;
          if (code !== 0) throw new Error(`${service} api: the first start exited ${String(code)}`);
        }
        const api = spawnService(service, 'api', { ...environment, PORT: new URL(String(urls.get(service))).port });
        apis.push(api);
        apiOf.set(service, api);
        await apiBaseUrl(api);
      }),
    );
  } catch (error) {
    for (const api of apis) api.kill('SIGKILL');
    await Promise.allSettled([postgres.stop(), redis.stop(), kafka.stop(), oidc?.stop()]);
    removeHeartbeats();
    throw error;
  }

  const startWorker = async (service: SixService, extra: Record<string, string> = {}): Promise<ServiceProcess> => {
    const worker = spawnService(service, 'worker', { ...environmentOf(service), ...extra });
    workers.set(service, [...(workers.get(service) ?? []), worker]);
    await worker.waitForLog((line) => line.msg === 'worker ready', 30_000);
    return worker;
  };
  // Workers after the APIs: the APIs own the migrations.
  await Promise.all(servicesWithWorkers.map((service) => startWorker(service)));

  let token: { value: string; until: number } | undefined;
  const authHeaders = async (): Promise<Record<string, string>> => {
    if (!oidc) return {};
    if (!token || token.until < Date.now()) token = { value: await oidc.token({ roles: allRoles }), until: Date.now() + 300_000 };
    return { authorization: `Bearer ${token.value}` };
  };

  const stopProcess = async (child: ServiceProcess, signal: NodeJS.Signals): Promise<void> => {
    if (child.child.exitCode !== null || child.child.signalCode !== null) return;
    child.kill(signal);
    await child.exited;
  };

  return {
    urls,
    postgres,
    redis,
    kafka,
    oidc,
    databaseUrls,
    environmentOf,
    authHeaders,
    async call(service, method, path, body, headers = {}) {
      const response = await fetch(`${String(urls.get(service))}${path}`, {
        method,
        headers: { 'content-type': 'application/json', ...(await authHeaders()), ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, json: (text ? JSON.parse(text) : {}) as Record<string, unknown>, headers: response.headers };
    },
    api(service) {
      const api = apiOf.get(service);
      if (!api) throw new Error(`no ${service} api`);
      return api;
    },
    workers: (service) => (workers.get(service) ?? []).filter((child) => child.child.exitCode === null && child.child.signalCode === null),
    startWorker,
    async stopWorkers(service, signal = 'SIGTERM') {
      await Promise.all((workers.get(service) ?? []).map((child) => stopProcess(child, signal)));
      workers.set(service, []);
    },
    async stop() {
      await Promise.all([...apis, ...[...workers.values()].flat()].map((child) => stopProcess(child, 'SIGTERM')));
      await Promise.allSettled([postgres.stop(), redis.stop(), kafka.stop(), oidc?.stop()]);
      removeHeartbeats();
    },
  };
}

export { until } from './until.js';
