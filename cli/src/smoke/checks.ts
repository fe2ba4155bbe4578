import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { HttpTarget } from './smoke-plan.js';
import { httpsGet } from './gateway-request.js';
import { probeRedis, redisExchange } from '../clients/redis-probe.js';

/**
 * The smoke checks, each a small function over the endpoints and clients it is given, so tests can
 * point it at real peers. A check resolves with the detail of a pass and throws when it fails; the
 * error's message is the detail shown. Heavy clients (kafkajs, pg) are imported on use.
 */

/** Thrown for a failed expectation; the message is the row's detail. */
export class CheckFailure extends Error {
  override name = 'CheckFailure';
}

/** Fails with a short reason when `signal` aborts first (the run's `--timeout`). */
async function bounded<T>(work: Promise<T>, signal: AbortSignal, what: string): Promise<T> {
  // The loser of the race may still reject later (e.g. a connection closed on abort): observe it.
  work.catch(() => undefined);
  if (signal.aborted) throw new CheckFailure(`${what}: out of time`);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new CheckFailure(`${what}: out of time`));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}

function reason(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    const detail = cause instanceof Error && cause.message ? `${error.message} (${cause.message})` : error.message;
    return detail.split('\n')[0] ?? detail;
  }
  return String(error);
}

/**
 * 2. Each endpoint answers 200 (health, readiness; published port and Nginx). One request at a
 * time, as a person would check them: smoke proves the stack works, it is not a load test.
 */
export async function checkHttpTargets(targets: readonly HttpTarget[], signal: AbortSignal): Promise<string> {
  const failures: string[] = [];
  for (const target of targets) {
    try {
      const response = await fetch(target.url, { signal: AbortSignal.any([signal, AbortSignal.timeout(5_000)]) });
      const body = await response.text();
      if (response.status !== 200) failures.push(`${target.label} answered ${response.status} ${body.slice(0, 160)}`.trim());
    } catch (error) {
      failures.push(`${target.label}: ${reason(error)}`);
    }
  }
  if (failures.length > 0) throw new CheckFailure(failures.join('; '));
  return `${targets.map((target) => target.label).join(', ')}: 200`;
}

/** 3. AUTH with the password then PING answers PONG; the same PING without AUTH is refused (NOAUTH). */
export async function checkRedis(options: { host: string; port: number; password: string }, signal: AbortSignal): Promise<string> {
  try {
    await probeRedis(options, signal);
  } catch (error) {
    const message = (error as Error).message;
    throw new CheckFailure(message.startsWith('AUTH answered') || message.startsWith('PING after') ? message : `AUTH + PING: ${message}`);
  }

  let anonymous: string[];
  try {
    anonymous = await redisExchange(options.host, options.port, [['PING']], signal);
  } catch (error) {
    throw new CheckFailure(`PING without AUTH: ${reason(error)}`);
  }
  const [refused] = anonymous;
  if (refused?.startsWith('-NOAUTH')) return 'AUTH + PING: PONG; without AUTH: NOAUTH';
  throw new CheckFailure(`PING without AUTH answered ${refused?.replace(/^[+-]/, '')}: Redis accepts unauthenticated clients (set requirepass)`);
}

/**
 * 4. Produces a unique message to the smoke topic and consumes it back with a fresh consumer group.
 * No CreateTopics call: the first produce creates the topic (Redpanda dev mode and the mock broker).
 */
export async function checkKafka(options: { brokers: readonly string[]; topic: string }, signal: AbortSignal): Promise<string> {
  const { Kafka, logLevel, Partitioners } = await import('kafkajs');
  const kafka = new Kafka({
    clientId: 'innover-smoke',
    brokers: [...options.brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 5_000,
    retry: { retries: 5, initialRetryTime: 300 },
  });
  const value = `innover smoke ${randomUUID()}`;
  const producer = kafka.producer({ allowAutoTopicCreation: true, createPartitioner: Partitioners.DefaultPartitioner });
  const consumer = kafka.consumer({ groupId: `innover-smoke-${randomUUID()}`, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  const started = performance.now();
  try {
    await bounded(producer.connect(), signal, 'producer connect');
    const [sent] = await bounded(producer.send({ topic: options.topic, messages: [{ key: 'smoke', value }] }), signal, 'produce');
    await bounded(consumer.connect(), signal, 'consumer connect');
    await bounded(consumer.subscribe({ topics: [options.topic], fromBeginning: true }), signal, 'subscribe');
    const received = new Promise<{ partition: number; offset: string }>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message, partition }) => {
          if (message.value?.toString() === value) resolve({ partition, offset: message.offset });
        },
      });
    });
    const got = await bounded(received, signal, `consume from ${options.topic}`);
    const took = Math.round(performance.now() - started);
    return `produced to ${options.topic}[${sent?.partition ?? got.partition}] and consumed it back at offset ${got.offset} in ${took} ms`;
  } catch (error) {
    throw error instanceof CheckFailure ? error : new CheckFailure(reason(error));
  } finally {
    await Promise.allSettled([consumer.disconnect(), producer.disconnect()]);
  }
}

/** 5. The service's user connects to its own database and runs `SELECT 1`. */
export async function checkSql(
  options: { host: string; port: number; user: string; database: string; password: string | undefined },
  signal: AbortSignal,
): Promise<string> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({
    host: options.host,
    port: options.port,
    user: options.user,
    database: options.database,
    ...(options.password !== undefined ? { password: options.password } : {}),
    connectionTimeoutMillis: 5_000,
    ssl: false,
  });
  client.on('error', () => undefined);
  try {
    await bounded(client.connect(), signal, 'connect');
    const result = await bounded(
      client.query<{ one: number; user: string; database: string }>('SELECT 1 AS one, current_user AS "user", current_database() AS database'),
      signal,
      'SELECT 1',
    );
    const row = result.rows[0];
    if (Number(row?.one) !== 1) throw new CheckFailure(`SELECT 1 returned ${JSON.stringify(row)}`);
    if (row?.user !== options.user || row.database !== options.database) {
      throw new CheckFailure(`connected as ${row?.user} to ${row?.database}, expected ${options.user} to ${options.database}`);
    }
    return `${options.user}@${options.database}: SELECT 1 = 1`;
  } catch (error) {
    throw error instanceof CheckFailure ? error : new CheckFailure(`${options.user}@${options.database}: ${reason(error)}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** What the Keycloak check hands the gateway checks. */
export interface TokenResult {
  detail: string;
  accessToken: string;
}

/** 6. OIDC discovery for the realm (its issuer must match), then a client-credentials token. */
export async function fetchClientCredentialsToken(
  options: { issuerUrl: string; clientId: string; clientSecret: string },
  signal: AbortSignal,
): Promise<TokenResult> {
  const timed = () => AbortSignal.any([signal, AbortSignal.timeout(10_000)]);
  const discoveryUrl = `${options.issuerUrl}/.well-known/openid-configuration`;
  let discovery: { issuer?: string; token_endpoint?: string };
  try {
    const response = await fetch(discoveryUrl, { signal: timed() });
    if (response.status !== 200) throw new CheckFailure(`discovery ${discoveryUrl} answered ${response.status}`);
    discovery = (await response.json()) as typeof discovery;
  } catch (error) {
    throw error instanceof CheckFailure ? error : new CheckFailure(`discovery ${discoveryUrl}: ${reason(error)}`);
  }
  if (discovery.issuer !== options.issuerUrl) {
    throw new CheckFailure(`discovery names issuer ${discovery.issuer}, expected ${options.issuerUrl} (check KC_HOSTNAME: infrastructure.keycloak.hostname, or Nginx's /auth route)`);
  }
  if (!discovery.token_endpoint) throw new CheckFailure('discovery has no token_endpoint');

  let body: { access_token?: string; token_type?: string; expires_in?: number; error?: string; error_description?: string };
  try {
    const response = await fetch(discovery.token_endpoint, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
      signal: timed(),
    });
    body = (await response.json()) as typeof body;
  } catch (error) {
    throw new CheckFailure(`token request: ${reason(error)}`);
  }
  if (!body.access_token) {
    const why = [body.error, body.error_description].filter(Boolean).join(': ') || 'no access_token';
    throw new CheckFailure(`client ${options.clientId} got no token: ${why} (is SMOKE_CLIENT_SECRET the realm's?)`);
  }
  if (body.token_type && body.token_type.toLowerCase() !== 'bearer') throw new CheckFailure(`token_type ${body.token_type}, expected Bearer`);
  const jwt = body.access_token.split('.').length === 3 ? 'JWT' : 'opaque';
  return {
    accessToken: body.access_token,
    detail: `discovery of ${options.issuerUrl}, client-credentials token for ${options.clientId} (${jwt}, expires in ${body.expires_in ?? '?'} s)`,
  };
}

/** 7. The gateway answers 200 with the smoke token and 401 without it. */
export async function checkGateway(options: { url: string; accessToken: string }, signal: AbortSignal): Promise<string> {
  const call = async (token: string | undefined) => {
    try {
      return await httpsGet(options.url, token ? { authorization: `Bearer ${token}` } : {}, AbortSignal.any([signal, AbortSignal.timeout(15_000)]));
    } catch (error) {
      throw new CheckFailure(`${options.url}: ${reason(error)}`);
    }
  };
  const withToken = await call(options.accessToken);
  if (withToken.status !== 200) {
    // The gateway knows no API until `publish-apis` ran (up runs it; a failed or skipped run leaves 404s).
    const hint = withToken.status === 404 ? ' (is the API published? run innover publish-apis)' : '';
    throw new CheckFailure(`${`${options.url} with the smoke token answered ${withToken.status} ${withToken.body.slice(0, 160)}`.trim()}${hint}`);
  }
  const without = await call(undefined);
  if (without.status !== 401) throw new CheckFailure(`${options.url} without a token answered ${without.status}, expected 401`);
  return `${new URL(options.url).pathname}: 200 with token, 401 without`;
}

/** How the worker check dispatches a task: `@innover/kit/queue` `runTask` in production. */
export type RunTask = (options: { redisUrl: string; queue: string; task: string; args: unknown; timeoutMs: number }) => Promise<unknown>;

/** 8. An `add` task round trip through the service's queue and worker. */
export async function checkWorker(
  options: { redisUrl: string; queue: string; timeoutMs: number; runTask: RunTask },
  signal: AbortSignal,
): Promise<string> {
  const a = 1 + Math.floor(Math.random() * 1000);
  const b = 1 + Math.floor(Math.random() * 1000);
  let result: unknown;
  try {
    result = await bounded(options.runTask({ redisUrl: options.redisUrl, queue: options.queue, task: 'add', args: { a, b }, timeoutMs: options.timeoutMs }), signal, `add on ${options.queue}`);
  } catch (error) {
    throw error instanceof CheckFailure ? error : new CheckFailure(reason(error));
  }
  if (result !== a + b) throw new CheckFailure(`add ${a} ${b} on queue ${options.queue} returned ${JSON.stringify(result)}, expected ${a + b}`);
  return `add ${a} ${b} = ${a + b} on queue ${options.queue}`;
}

/** A new W3C trace context: the trace id smoke looks for afterwards. */
export function newTraceparent(): { traceId: string; traceparent: string } {
  const traceId = randomBytes(16).toString('hex');
  return { traceId, traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` };
}

interface JaegerTrace {
  traceID?: string;
  spans?: { spanID?: string; operationName?: string; processID?: string }[];
  processes?: Record<string, { serviceName?: string }>;
}

/**
 * 9. Sends a request carrying a fresh `traceparent` to the service, then polls Jaeger's query API
 * (`GET /api/traces/<id>`) until the trace holds a span of that service.
 */
export async function checkTrace(
  options: { service: string; requestUrl: string; jaegerUrl: string; waitMs: number; pollMs?: number },
  signal: AbortSignal,
): Promise<string> {
  const { traceId, traceparent } = newTraceparent();
  try {
    const response = await fetch(options.requestUrl, { headers: { traceparent }, signal: AbortSignal.any([signal, AbortSignal.timeout(5_000)]) });
    await response.body?.cancel();
    if (!response.ok) throw new CheckFailure(`traced request ${options.requestUrl} answered ${response.status}`);
  } catch (error) {
    throw error instanceof CheckFailure ? error : new CheckFailure(`traced request ${options.requestUrl}: ${reason(error)}`);
  }
  const deadline = Date.now() + options.waitMs;
  let last = 'not found yet';
  while (Date.now() < deadline && !signal.aborted) {
    try {
      const response = await fetch(`${options.jaegerUrl}/api/traces/${traceId}`, { signal: AbortSignal.any([signal, AbortSignal.timeout(5_000)]) });
      if (response.status === 200) {
        const body = (await response.json()) as { data?: JaegerTrace[] | null };
        const found = (body.data ?? []).flatMap((trace) =>
          (trace.spans ?? []).filter((span) => trace.processes?.[span.processID ?? '']?.serviceName === options.service),
        );
        if (found.length > 0) {
          return `trace ${traceId} in Jaeger: ${found.length} span(s) of ${options.service} (${found[0]?.operationName ?? '?'})`;
        }
        last = 'trace found without a span of the service';
      } else {
        await response.body?.cancel();
        last = response.status === 404 ? 'not found yet' : `Jaeger answered ${response.status}`;
      }
    } catch (error) {
      last = `Jaeger: ${reason(error)}`;
    }
    await sleep(options.pollMs ?? 1_000, undefined, { signal }).catch(() => undefined);
  }
  throw new CheckFailure(`trace ${traceId} of ${options.service}: ${last} after ${Math.round(options.waitMs / 1000)} s (is the collector exporting to Jaeger?)`);
}

/** The fields of a `ps` row the containers check judges. */
export interface ContainerVerdictRow {
  name: string;
  role: string;
  ready: boolean;
  problem?: string;
}

/** 1. Every planned container running and healthy, every job exited 0. Pure: judges `ps` rows. */
export function judgeContainers(rows: readonly ContainerVerdictRow[]): string {
  const planned = rows.filter((row) => row.role !== 'not in profile');
  if (planned.length === 0) throw new CheckFailure('no containers planned for this profile');
  // Containers failing the same way share one phrase, so a stack that is not up reads as one line.
  const byProblem = new Map<string, string[]>();
  for (const row of planned.filter((candidate) => !candidate.ready)) {
    const problem = row.problem ?? 'is not ready';
    byProblem.set(problem, [...(byProblem.get(problem) ?? []), row.name]);
  }
  if (byProblem.size > 0) {
    throw new CheckFailure([...byProblem].map(([problem, names]) => `${names.join(', ')} ${problem}`).join('; '));
  }
  const jobs = planned.filter((row) => row.role === 'job').length;
  return `${planned.length - jobs} running and healthy${jobs ? `, ${jobs} job(s) exited 0` : ''}`;
}
