import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Checks that a service's dependencies are there before it starts: what a Kubernetes init
 * container runs, from the service's own image (so no extra image is pushed) and with no
 * Kubernetes API access. Each check answers from the dependency itself:
 *   database  the service's database and user exist: it connects as the user to the database
 *             and asks both back by SQL (the bootstrap Job creates them)
 *   redis     Redis answers PING (with the password in the URL)
 *   broker    the Kafka broker answers a metadata request
 */
export type Dependency = 'database' | 'redis' | 'broker';
export const dependencies: readonly Dependency[] = ['database', 'redis', 'broker'];

/** One try: undefined when the dependency is there, else why not (one line, no secrets). */
export type DependencyCheck = () => Promise<string | undefined>;

function reason(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'unknown error';
}

/** The database check: connects as the URL's user to its database and reads both back. */
export function databaseCheck(url: string): DependencyCheck {
  const expected = new URL(url);
  const user = decodeURIComponent(expected.username);
  const database = decodeURIComponent(expected.pathname.replace(/^\//, ''));
  return async () => {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      const result = await client.query<{ current_user: string; current_database: string }>(
        'SELECT current_user, current_database()',
      );
      const row = result.rows[0];
      if (row?.current_user !== user || row.current_database !== database) {
        return `connected as ${row?.current_user ?? '?'} to ${row?.current_database ?? '?'}, expected ${user} to ${database}`;
      }
      return undefined;
    } catch (error) {
      return `database ${database} as ${user}: ${reason(error)}`;
    } finally {
      await client.end().catch(() => undefined);
    }
  };
}

/** The Redis check: PING answers PONG. */
export function redisCheck(url: string): DependencyCheck {
  return async () => {
    const { Redis } = await import('ioredis');
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, connectTimeout: 5_000, retryStrategy: () => null });
    redis.on('error', () => undefined);
    try {
      await redis.connect();
      const answer = await redis.ping();
      return answer === 'PONG' ? undefined : `redis answered ${String(answer)} to PING`;
    } catch (error) {
      return `redis: ${reason(error)}`;
    } finally {
      redis.disconnect();
    }
  };
}

/** The broker check: a metadata request (describeCluster) answers with at least one broker. */
export function brokerCheck(brokers: readonly string[]): DependencyCheck {
  return async () => {
    const { Kafka, logLevel } = await import('kafkajs');
    const admin = new Kafka({ clientId: 'wait-for-dependencies', brokers: [...brokers], logLevel: logLevel.NOTHING, connectionTimeout: 5_000, retry: { retries: 0 } }).admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      return cluster.brokers.length > 0 ? undefined : 'the broker reports no brokers';
    } catch (error) {
      return `broker ${brokers.join(',')}: ${reason(error)}`;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  };
}

/**
 * The check for one dependency from the service's environment (DATABASE_URL, REDIS_URL,
 * KAFKA_BROKERS), or a usage problem when the variable is missing.
 */
export function checkFor(dependency: Dependency, environment: NodeJS.ProcessEnv): DependencyCheck | string {
  const variable = { database: 'DATABASE_URL', redis: 'REDIS_URL', broker: 'KAFKA_BROKERS' }[dependency];
  const value = environment[variable];
  if (!value) return `${variable} is not set: the ${dependency} check needs it`;
  if (dependency === 'database') return databaseCheck(value);
  if (dependency === 'redis') return redisCheck(value);
  return brokerCheck(value.split(',').map((broker) => broker.trim()).filter(Boolean));
}

export interface WaitOptions {
  /** Give up after this long (default 10 minutes). */
  timeoutMs?: number;
  /** Pause between tries (default 2 s). */
  intervalMs?: number;
  /** Called after each failed try with its reason. */
  onRetry?: (problem: string) => void;
}

/** Tries `check` until it passes (true) or the time is up (false). */
export async function waitFor(check: DependencyCheck, options: WaitOptions = {}): Promise<boolean> {
  const deadline = Date.now() + (options.timeoutMs ?? 600_000);
  for (;;) {
    const problem = await check();
    if (problem === undefined) return true;
    options.onRetry?.(problem);
    if (Date.now() >= deadline) return false;
    await sleep(options.intervalMs ?? 2_000);
  }
}
