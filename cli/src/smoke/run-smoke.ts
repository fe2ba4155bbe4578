import { CheckFailure, checkGateway, checkHttpTargets, checkKafka, checkRedis, checkSql, checkTrace, checkWorker, fetchClientCredentialsToken } from './checks.js';
import { probeRedis } from '../clients/redis-probe.js';
import type { RunTask, TokenResult } from './checks.js';
import { checkPayment, checkPaymentTrace, sendSmokePayment } from './payment-check.js';
import type { SmokePayment } from './payment-check.js';
import { notInProfileDetail } from './smoke-plan.js';
import type { SmokeCheckSpec } from './smoke-plan.js';
import type { FlowTransport } from '../payments/flow-client.js';

export type SmokeStatus = 'pass' | 'fail' | 'not in profile';

/** One row of `innover smoke`, also its `--json` shape. */
export interface SmokeRow {
  name: string;
  status: SmokeStatus;
  /** Wall time of the check, 0 when it did not run. */
  ms: number;
  detail: string;
}

/** Secrets from `.env`; they reach the peers only, and are masked out of every detail. */
export interface SmokeSecrets {
  redisPassword: string;
  serviceDbPassword: string;
  smokeClientSecret: string;
}

/** What the runner needs beyond the plan: secrets and the two clients that live elsewhere. */
export interface SmokeDependencies {
  secrets: SmokeSecrets;
  /** The containers check: resolves with the detail or throws a CheckFailure (engine + plan). */
  containers(signal: AbortSignal): Promise<string>;
  /** `@innover/kit/queue` runTask. */
  runTask: RunTask;
  /** How long the worker round trip may take (default 30 s); keep it within the run's time. */
  workerTimeoutMs?: number;
  /**
   * When the whole run ends (epoch ms). A round trip starting late gets only the time left, less
   * a margin, so it reports its own clear reason before the run's signal cuts it off.
   */
  deadline?: number;
  /**
   * Checks Redis answers before any task is sent, so an unreachable Redis fails at once instead of
   * leaving BullMQ reconnecting (default: AUTH + PING over RESP).
   */
  probeRedis?: typeof probeRedis;
  /** How long a trace may take to reach Jaeger (default 30 s: batching in the service and the collector). */
  traceWaitMs?: number;
  /** How long the smoke payment may take to reach a terminal status (default 30 s). */
  paymentWaitMs?: number;
  /** How long the wallet projection may lag the ledger (default 10 s). */
  paymentSettleMs?: number;
  /** The payment rows' HTTP transport (default fetch); tests wrap it. */
  flowTransport?: FlowTransport;
}

/** Replaces every secret in `text` with `***`. */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let masked = text;
  for (const secret of secrets) if (secret) masked = masked.split(secret).join('***');
  return masked;
}

/** `configured`, or less when the run ends sooner: the wait then ends with its own reason first. */
function withinDeadline(configured: number, dependencies: SmokeDependencies): number {
  if (dependencies.deadline === undefined) return configured;
  return Math.max(500, Math.min(configured, dependencies.deadline - Date.now() - 750));
}

function workerTimeout(dependencies: SmokeDependencies): number {
  return withinDeadline(dependencies.workerTimeoutMs ?? 30_000, dependencies);
}

/** Host-side Redis URL for BullMQ. */
function redisUrlOf(host: string, port: number, password: string): string {
  return `redis://:${encodeURIComponent(password)}@${host}:${port}/0`;
}

/**
 * Runs the checks and returns one row each, in plan order. The containers check runs first; the
 * rest run concurrently. The gateway checks use the token the Keycloak check obtained.
 */
export async function runSmoke(specs: readonly SmokeCheckSpec[], dependencies: SmokeDependencies, signal: AbortSignal): Promise<SmokeRow[]> {
  const { secrets } = dependencies;
  const secretValues = [secrets.redisPassword, secrets.serviceDbPassword, secrets.smokeClientSecret, encodeURIComponent(secrets.redisPassword)];

  let token: Promise<TokenResult> | undefined;
  const keycloakToken = (): Promise<TokenResult> => {
    const spec = specs.find((candidate) => candidate.kind === 'keycloak');
    if (!spec) return Promise.reject(new CheckFailure('no Keycloak in the profile to get a token from'));
    token ??= fetchClientCredentialsToken({ issuerUrl: spec.issuerUrl, clientId: spec.clientId, clientSecret: secrets.smokeClientSecret }, signal);
    return token;
  };

  // The payment and payment trace rows judge the same one payment.
  let payment: Promise<SmokePayment> | undefined;
  const paymentWaitMs = dependencies.paymentWaitMs ?? 30_000;
  const smokePayment = (spec: Extract<SmokeCheckSpec, { kind: 'payment' | 'payment-trace' }>): Promise<SmokePayment> => {
    payment ??= (spec.withToken
      ? keycloakToken().catch((error: unknown) => {
          throw new CheckFailure(`no smoke token: ${error instanceof Error ? error.message : String(error)}`);
        })
      : Promise.resolve(undefined)
    ).then((token) =>
      sendSmokePayment(
        {
          baseUrl: (service) => spec.urls[service],
          ...(token ? { authorization: () => Promise.resolve(`Bearer ${token.accessToken}`) } : {}),
          ...(dependencies.flowTransport ? { transport: dependencies.flowTransport } : {}),
          waitMs: withinDeadline(paymentWaitMs, dependencies),
        },
        signal,
      ),
    );
    return payment;
  };

  const redisProbes = new Map<string, Promise<void>>();
  const redisAnswers = (host: string, port: number): Promise<void> => {
    const key = `${host}:${port}`;
    let probe = redisProbes.get(key);
    if (!probe) {
      probe = (dependencies.probeRedis ?? probeRedis)({ host, port, password: secrets.redisPassword }, signal).catch((error: unknown) => {
        throw new CheckFailure(`Redis ${key}: ${error instanceof Error ? error.message : String(error)}; no task sent`);
      });
      redisProbes.set(key, probe);
    }
    return probe;
  };

  const work = (spec: SmokeCheckSpec): Promise<string> => {
    switch (spec.kind) {
      case 'containers':
        return dependencies.containers(signal);
      case 'http':
        return checkHttpTargets(spec.targets, signal);
      case 'redis':
        return checkRedis({ host: spec.host, port: spec.port, password: secrets.redisPassword }, signal);
      case 'kafka':
        return checkKafka({ brokers: spec.brokers, topic: spec.topic }, signal);
      case 'sql':
        // Local insecure CockroachDB users have no password; PostgreSQL's service users do.
        return checkSql(
          { host: spec.host, port: spec.port, user: spec.user, database: spec.database, password: spec.engine === 'postgres' ? secrets.serviceDbPassword : undefined },
          signal,
        );
      case 'keycloak':
        return keycloakToken().then((result) => result.detail);
      case 'gateway':
        return keycloakToken()
          .catch((error: unknown) => {
            throw new CheckFailure(`no smoke token: ${error instanceof Error ? error.message : String(error)}`);
          })
          .then((result) => checkGateway({ url: spec.url, accessToken: result.accessToken }, signal));
      case 'worker':
        return redisAnswers(spec.redisHost, spec.redisPort).then(() =>
          checkWorker(
            { redisUrl: redisUrlOf(spec.redisHost, spec.redisPort, secrets.redisPassword), queue: spec.queue, timeoutMs: workerTimeout(dependencies), runTask: dependencies.runTask },
            signal,
          ),
        );
      case 'trace':
        return checkTrace({ service: spec.service, requestUrl: spec.requestUrl, jaegerUrl: spec.jaegerUrl, waitMs: dependencies.traceWaitMs ?? 30_000 }, signal);
      case 'payment':
        return smokePayment(spec).then((sent) => checkPayment(sent, { waitMs: paymentWaitMs, settleTimeoutMs: withinDeadline(dependencies.paymentSettleMs ?? 10_000, dependencies) }, signal));
      case 'payment-trace':
        return smokePayment(spec)
          .catch((error: unknown) => {
            throw new CheckFailure(`no payment to trace: ${error instanceof Error ? error.message : String(error)}`);
          })
          .then((sent) => checkPaymentTrace(sent, { jaegerUrl: spec.jaegerUrl, waitMs: withinDeadline(dependencies.traceWaitMs ?? 30_000, dependencies), paymentWaitMs }, signal));
      case 'not-in-profile':
        return Promise.resolve(notInProfileDetail(spec));
    }
  };

  const run = async (spec: SmokeCheckSpec): Promise<SmokeRow> => {
    if (spec.kind === 'not-in-profile') return { name: spec.name, status: 'not in profile', ms: 0, detail: notInProfileDetail(spec) };
    const started = performance.now();
    try {
      const detail = await work(spec);
      return { name: spec.name, status: 'pass', ms: elapsed(started), detail: maskSecrets(detail, secretValues) };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { name: spec.name, status: 'fail', ms: elapsed(started), detail: maskSecrets(message.split('\n')[0] ?? message, secretValues) };
    }
  };

  const [first, ...rest] = specs;
  const rows: SmokeRow[] = [];
  if (first?.kind === 'containers') rows.push(await run(first));
  else if (first) rest.unshift(first);
  rows.push(...(await Promise.all(rest.map(run))));
  return rows;
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}
