import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKafka, startPostgres, startRedis } from '../../../test/support/peers.js';
import type { KafkaPeer, PostgresPeer, RedisPeer } from '../../../test/support/peers.js';
import { brokerCheck, databaseCheck, redisCheck, waitFor } from '../src/wait-for-dependencies.js';

// The init containers' checks against real peers: each passes once its dependency is there and
// names what is missing until then. The entry point is the built one the image runs.
const entryPoint = fileURLToPath(new URL('../dist/bin/wait-for-dependencies.js', import.meta.url));
const run = promisify(execFile);

let postgres: PostgresPeer;
let redis: RedisPeer;
let kafka: KafkaPeer;

beforeAll(async () => {
  [postgres, redis, kafka] = await Promise.all([startPostgres(), startRedis({ password: 'wait-test-password' }), startKafka()]);
}, 180_000);

afterAll(async () => {
  await Promise.all([postgres?.stop(), redis?.stop(), kafka?.stop()]);
});

function serviceUrl(user: string, password: string, database: string): string {
  return `postgresql://${user}:${password}@127.0.0.1:${postgres.port}/${database}`;
}

describe('database check', () => {
  it('fails while the user or the database is missing, and passes once the bootstrap has created both', async () => {
    const url = serviceUrl('wallet_wait', 'service-password', 'wallet_wait');
    expect(await databaseCheck(url)()).toMatch(/wallet_wait/);

    const admin = new pg.Client({ connectionString: postgres.url });
    await admin.connect();
    try {
      await admin.query("CREATE ROLE wallet_wait LOGIN PASSWORD 'service-password'");
      // The user alone is not enough: its database is still missing.
      expect(await databaseCheck(url)()).toMatch(/wallet_wait/);
      await admin.query('CREATE DATABASE wallet_wait OWNER wallet_wait');
    } finally {
      await admin.end();
    }
    expect(await databaseCheck(url)()).toBeUndefined();
  });

  it('never prints the password it connects with', async () => {
    const problem = await databaseCheck(serviceUrl('nobody', 'secret-in-url', 'nowhere'))();
    expect(problem).toBeDefined();
    expect(problem).not.toContain('secret-in-url');
  });
});

describe('redis check', () => {
  it('passes with the password and names the failure without it', async () => {
    expect(await redisCheck(redis.url)()).toBeUndefined();
    const problem = await redisCheck(`redis://127.0.0.1:${redis.port}/0`)();
    expect(problem).toMatch(/^redis: /);
  });
});

describe('broker check', () => {
  it('passes against the broker and fails on a port nothing listens on', async () => {
    expect(await brokerCheck(kafka.brokers)()).toBeUndefined();
    expect(await brokerCheck(['127.0.0.1:1'])()).toMatch(/^broker 127\.0\.0\.1:1: /);
  });
});

describe('waitFor', () => {
  it('retries until the check passes', async () => {
    let tries = 0;
    const problems: string[] = [];
    const ready = await waitFor(async () => (++tries < 3 ? `try ${tries}` : undefined), { intervalMs: 10, onRetry: (problem) => problems.push(problem) });
    expect(ready).toBe(true);
    expect(problems).toEqual(['try 1', 'try 2']);
  });

  it('gives up when the time is up', async () => {
    expect(await waitFor(async () => 'never', { timeoutMs: 0, intervalMs: 10 })).toBe(false);
  });
});

describe('the entry point the init containers run', () => {
  it('exits 0 once every named dependency answers', async () => {
    const { stdout } = await run(process.execPath, [entryPoint, 'redis', 'broker'], {
      env: { ...process.env, REDIS_URL: redis.url, KAFKA_BROKERS: kafka.brokers.join(',') },
    });
    expect(stdout).toBe('redis is ready\nbroker is ready\n');
  });

  it('exits 1 after its timeout, naming the dependency', async () => {
    const failure = await run(process.execPath, [entryPoint, 'redis'], {
      env: { ...process.env, REDIS_URL: `redis://127.0.0.1:${redis.port}/0`, WAIT_TIMEOUT_SECONDS: '0' },
    }).catch((error: unknown) => error as { code: number; stderr: string });
    expect(failure).toMatchObject({ code: 1 });
    expect((failure as { stderr: string }).stderr).toMatch(/gave up waiting for redis/);
  });

  it('exits 2 on a missing variable or an unknown dependency', async () => {
    const { DATABASE_URL: _ignored, ...environment } = process.env;
    for (const args of [['database'], ['queue']]) {
      const failure = await run(process.execPath, [entryPoint, ...args], { env: environment }).catch((error: unknown) => error as { code: number });
      expect(failure).toMatchObject({ code: 2 });
    }
  });
});
