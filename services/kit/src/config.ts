import { z } from 'zod';

/** Which process reads the environment: the worker needs Redis, the API does not. */
export type ProcessRole = 'api' | 'worker';

/** Settings of the JWT check; present only when `OIDC_ISSUER_URL` is set. */
export interface AuthSettings {
  /** The expected `iss` claim, one for every token. */
  issuer: string;
  /** Where keys are fetched; inside compose this is the internal Keycloak address, not the issuer. */
  jwksUrl: string;
  audience: string;
}

/** Worker tuning read from `WORKER_*`. */
export interface WorkerSettings {
  concurrency: number;
  lockDurationMs: number;
  stalledIntervalMs: number;
  heartbeatFile: string;
}

/** Client-credentials settings for calling other services; present only when `OIDC_TOKEN_URL` is set. */
export interface ServiceCallAuth {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
}

/** Whom this process calls: `SERVICE_CALLS=ledger,rule-engine` with `LEDGER_URL`, `RULE_ENGINE_URL`. */
export interface ServiceCallSettings {
  /** service name -> base URL (no trailing slash). */
  urls: Record<string, string>;
  auth: ServiceCallAuth | undefined;
  timeoutMs: number;
}

/** The validated environment of one service container. Absent dependencies are `undefined`. */
export interface ServiceConfig {
  serviceName: string;
  serviceVersion: string;
  port: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  kafkaBrokers: string[] | undefined;
  otlpEndpoint: string | undefined;
  auth: AuthSettings | undefined;
  /** Outgoing service-to-service calls (service-client.ts). */
  calls: ServiceCallSettings;
  queueName: string;
  /** task name -> queue name; tasks not listed go to `queueName`. */
  taskRoutes: Record<string, string>;
  worker: WorkerSettings;
  shutdownTimeoutMs: number;
  /** How long the API keeps retrying an unreachable database at start before it gives up. */
  databaseStartTimeoutMs: number;
}

function urlWithProtocols(protocols: string[]) {
  const expected = `must be a URL starting with ${protocols.map((protocol) => `${protocol}//`).join(' or ')}`;
  return z.string().superRefine((value, check) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      // The usual cause with the right scheme: a password holding "/", "@", "#" or "?" that was not percent-encoded.
      const hasScheme = protocols.some((protocol) => value.startsWith(`${protocol}//`));
      check.addIssue({ code: 'custom', message: hasScheme ? 'is not a valid URL; percent-encode special characters of the user name and password (e.g. "/" as %2F, "@" as %40)' : expected });
      return;
    }
    if (!protocols.includes(url.protocol)) check.addIssue({ code: 'custom', message: expected });
  });
}

const positiveInteger = (fallback: number) => z.coerce.number({ message: 'must be a whole number' }).int('must be a whole number').positive('must be greater than 0').default(fallback);

const hostPort = /^[A-Za-z0-9.-]+:\d{1,5}$/;
const serviceName = /^[a-z][a-z0-9-]*$/;
const taskRoute = /^[A-Za-z0-9_.:-]+=[A-Za-z0-9_.:-]+$/;

const environmentSchema = z.object({
  SERVICE_NAME: z.string({ message: 'is required, e.g. SERVICE_NAME=payment' }).regex(/^[a-z][a-z0-9-]*$/, 'must be lower-case kebab-case, e.g. payment'),
  SERVICE_VERSION: z.string().optional(),
  PORT: z.coerce.number({ message: 'must be a port number' }).int('must be a port number').min(0, 'must be 0-65535').max(65535, 'must be 0-65535').default(8000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { message: 'must be one of fatal, error, warn, info, debug, trace, silent' }).default('info'),
  DATABASE_URL: urlWithProtocols(['postgresql:', 'postgres:']).optional(),
  REDIS_URL: urlWithProtocols(['redis:', 'rediss:']).optional(),
  KAFKA_BROKERS: z
    .string()
    .refine((value) => value.split(',').every((broker) => hostPort.test(broker.trim())), 'must be comma-separated host:port pairs, e.g. redpanda:29092')
    .optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: urlWithProtocols(['http:', 'https:']).optional(),
  OIDC_ISSUER_URL: urlWithProtocols(['http:', 'https:']).optional(),
  OIDC_JWKS_URL: urlWithProtocols(['http:', 'https:']).optional(),
  OIDC_AUDIENCE: z.string().default('innover-api'),
  SERVICE_CALLS: z
    .string()
    .refine((value) => value.split(',').every((name) => serviceName.test(name.trim())), 'must be comma-separated service names, e.g. ledger,rule-engine')
    .optional(),
  SERVICE_CALL_TIMEOUT_MS: positiveInteger(5_000),
  OIDC_TOKEN_URL: urlWithProtocols(['http:', 'https:']).optional(),
  OIDC_CLIENT_ID: z.string().optional(),
  // Never echoed: a string schema cannot fail, and the checks below name the variable only.
  OIDC_CLIENT_SECRET: z.string().optional(),
  QUEUE_NAME: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'must contain only letters, digits, "-", "_" and "."').optional(),
  TASK_ROUTES: z
    .string()
    .refine((value) => value.split(',').every((entry) => taskRoute.test(entry.trim())), 'must be task=queue pairs separated by commas, e.g. add=payment,slow=payment')
    .optional(),
  WORKER_CONCURRENCY: positiveInteger(1),
  WORKER_LOCK_DURATION_MS: positiveInteger(10_000),
  WORKER_STALLED_INTERVAL_MS: positiveInteger(10_000),
  WORKER_HEARTBEAT_FILE: z.string().default('/tmp/innover-worker-heartbeat'),
  SHUTDOWN_TIMEOUT_MS: positiveInteger(10_000),
  DATABASE_START_TIMEOUT_MS: positiveInteger(60_000),
});

/** `task=queue,task=queue` → record. Assumes the syntax was already validated. */
export function parseTaskRoutes(value: string | undefined): Record<string, string> {
  const routes: Record<string, string> = {};
  for (const entry of (value ?? '').split(',')) {
    const [task, queue] = entry.trim().split('=');
    if (task && queue) routes[task] = queue;
  }
  return routes;
}

/** `rule-engine` → `RULE_ENGINE_URL`: the variable holding a called service's base URL. */
export function serviceUrlVariable(service: string): string {
  return `${service.toUpperCase().replace(/-/g, '_')}_URL`;
}

/** The services named in SERVICE_CALLS (validated syntax assumed), each once, in order. */
function calledServices(value: string | undefined): string[] {
  return [...new Set((value ?? '').split(',').map((name) => name.trim()).filter(Boolean))];
}

/** One line per problem of the service-call variables; never a secret's value. */
function serviceCallProblems(present: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  const names = present['SERVICE_CALLS'] && present['SERVICE_CALLS'].split(',').every((name) => serviceName.test(name.trim())) ? calledServices(present['SERVICE_CALLS']) : [];
  const httpUrl = urlWithProtocols(['http:', 'https:']);
  for (const name of names) {
    const variable = serviceUrlVariable(name);
    const value = present[variable];
    if (value === undefined) {
      problems.push(`${variable}: is required because SERVICE_CALLS names ${name}, e.g. ${variable}=http://${name}:8000`);
      continue;
    }
    const checked = httpUrl.safeParse(value);
    if (!checked.success) problems.push(`${variable}: ${checked.error.issues[0]?.message ?? 'is invalid'} (got "${redact(variable, value)}")`);
  }
  const oidc = ['OIDC_TOKEN_URL', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'] as const;
  const set = oidc.filter((key) => present[key] !== undefined);
  if (set.length > 0 && set.length < oidc.length) {
    for (const key of oidc.filter((missing) => present[missing] === undefined)) problems.push(`${key}: is required when ${set.join(' and ')} ${set.length === 1 ? 'is' : 'are'} set; service calls with tokens need OIDC_TOKEN_URL, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET`);
  }
  return problems;
}

/** Result of reading the environment: a config, or one line per problem naming the variable and the fix. */
export type ConfigResult = { ok: true; config: ServiceConfig } | { ok: false; problems: string[] };

/**
 * Validates the environment. Empty values count as unset, since compose renders `VAR=` for absent settings.
 * Pure: no process access, so tests pass plain objects.
 */
export function parseConfig(environment: Record<string, string | undefined>, role: ProcessRole, defaults: { version?: string } = {}): ConfigResult {
  const present = Object.fromEntries(Object.entries(environment).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = environmentSchema.safeParse(present);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = issue.path.join('.') || 'environment';
      problems.push(`${key}: ${issue.message}${issue.code === 'invalid_type' && present[key] === undefined ? '' : ` (got "${redact(key, present[key])}")`}`);
    }
  }
  if (role === 'worker' && !present['REDIS_URL']) problems.push('REDIS_URL: is required by the worker, e.g. REDIS_URL=redis://:password@redis:6379/0');
  if (present['OIDC_JWKS_URL'] && !present['OIDC_ISSUER_URL']) problems.push('OIDC_JWKS_URL: is set but OIDC_ISSUER_URL is not; set OIDC_ISSUER_URL to the expected token issuer');
  problems.push(...serviceCallProblems(present));
  if (!parsed.success || problems.length > 0) return { ok: false, problems };
  const env = parsed.data;
  return {
    ok: true,
    config: {
      serviceName: env.SERVICE_NAME,
      serviceVersion: env.SERVICE_VERSION ?? defaults.version ?? '0.0.0',
      port: env.PORT,
      logLevel: env.LOG_LEVEL,
      databaseUrl: env.DATABASE_URL,
      redisUrl: env.REDIS_URL,
      kafkaBrokers: env.KAFKA_BROKERS?.split(',').map((broker) => broker.trim()),
      otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT?.replace(/\/+$/, ''),
      auth: env.OIDC_ISSUER_URL
        ? {
            issuer: env.OIDC_ISSUER_URL,
            jwksUrl: env.OIDC_JWKS_URL ?? `${env.OIDC_ISSUER_URL.replace(/\/+$/, '')}/protocol/openid-connect/certs`,
            audience: env.OIDC_AUDIENCE,
          }
        : undefined,
      calls: {
        urls: Object.fromEntries(calledServices(env.SERVICE_CALLS).map((name) => [name, String(present[serviceUrlVariable(name)]).replace(/\/+$/, '')])),
        auth: env.OIDC_TOKEN_URL && env.OIDC_CLIENT_ID && env.OIDC_CLIENT_SECRET ? { tokenUrl: env.OIDC_TOKEN_URL, clientId: env.OIDC_CLIENT_ID, clientSecret: env.OIDC_CLIENT_SECRET } : undefined,
        timeoutMs: env.SERVICE_CALL_TIMEOUT_MS,
      },
      queueName: env.QUEUE_NAME ?? env.SERVICE_NAME,
      taskRoutes: parseTaskRoutes(env.TASK_ROUTES),
      worker: {
        concurrency: env.WORKER_CONCURRENCY,
        lockDurationMs: env.WORKER_LOCK_DURATION_MS,
        stalledIntervalMs: env.WORKER_STALLED_INTERVAL_MS,
        heartbeatFile: env.WORKER_HEARTBEAT_FILE,
      },
      shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
      databaseStartTimeoutMs: env.DATABASE_START_TIMEOUT_MS,
    },
  };
}

/**
 * Values echoed in error lines must not leak credentials embedded in URLs. Everything up to the last "@" goes,
 * since a URL that failed to parse may hold an unencoded password with "/" or "@" in it.
 */
function redact(key: string, value: string | undefined): string {
  if (value === undefined) return '';
  if (!key.endsWith('_URL') || !value.includes('@')) return value;
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(value)?.[0] ?? '';
  return `${scheme}***${value.slice(value.lastIndexOf('@'))}`;
}
