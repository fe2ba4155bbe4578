import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTask, TaskRunError } from '@innover/kit/queue';
import { freePort, startRedis } from '../../../test/support/peers.js';
import type { RedisPeer } from '../../../test/support/peers.js';

// runTask's timeoutMs bounds the whole call, the wait for Redis included: BullMQ alone reconnects forever.
const password = 's3cret-redis-password';
const wrongPassword = 'not-the-password-42';
let redis: RedisPeer;

beforeAll(async () => {
  redis = await startRedis({ password });
});
afterAll(async () => {
  await redis?.stop();
});

async function failure(promise: Promise<unknown>): Promise<{ error: TaskRunError; elapsedMs: number }> {
  const started = Date.now();
  const error: unknown = await promise.then(
    () => new Error('runTask resolved, expected a rejection'),
    (rejection: unknown) => rejection,
  );
  if (!(error instanceof TaskRunError)) throw error;
  return { error, elapsedMs: Date.now() - started };
}

/** Connections Redis holds apart from the one asking. */
async function otherClients(): Promise<number> {
  const admin = new Redis({ host: redis.host, port: redis.port, password, lazyConnect: true });
  await admin.connect();
  try {
    const list = (await admin.client('LIST')) as string;
    return list.trim().split('\n').length - 1;
  } finally {
    admin.disconnect();
  }
}

describe('runTask against a Redis it cannot use', () => {
  it('fails at once, in one line without the password, when Redis refuses the password', async () => {
    const url = `redis://:${wrongPassword}@127.0.0.1:${redis.port}/0`;
    const { error, elapsedMs } = await failure(runTask({ redisUrl: url, queue: 'connection-check', task: 'add', args: { a: 1, b: 2 }, timeoutMs: 10_000 }));
    expect(error.reason).toBe('connection');
    expect(error.message).toMatch(new RegExp(`^Redis refused the password at 127\\.0\\.0\\.1:${redis.port} \\(WRONGPASS\\): `));
    expect(error.message).not.toContain('\n');
    expect(error.message).not.toContain(wrongPassword);
    expect(error.message).not.toContain(password);
    expect(elapsedMs).toBeLessThan(5_000);
  });

  it('says the same when no password is given to a Redis that requires one', async () => {
    const { error } = await failure(runTask({ redisUrl: `redis://127.0.0.1:${redis.port}/0`, queue: 'connection-check', task: 'add', args: {}, timeoutMs: 10_000 }));
    expect(error.message).toMatch(/^Redis refused the password at .* \(NOAUTH\): /);
  });

  it('gives up within timeoutMs, naming the address, when nothing listens on the port', async () => {
    const closedPort = await freePort();
    const { error, elapsedMs } = await failure(runTask({ redisUrl: `redis://:${password}@127.0.0.1:${closedPort}/0`, queue: 'connection-check', task: 'add', args: {}, timeoutMs: 1_500 }));
    expect(error.reason).toBe('connection');
    expect(error.message).toMatch(new RegExp(`^Redis unreachable at 127\\.0\\.0\\.1:${closedPort} \\(ECONNREFUSED\\) within \\d+ ms: `));
    expect(error.message).not.toContain(password);
    expect(elapsedMs).toBeGreaterThanOrEqual(1_400);
    expect(elapsedMs).toBeLessThan(3_000);
  });

  it('still times out as a task (not a connection problem) with the right password and no worker, and leaves no connection open', async () => {
    const { error, elapsedMs } = await failure(runTask({ redisUrl: redis.url, queue: 'no-worker-here', task: 'add', args: {}, timeoutMs: 1_000 }));
    expect(error.reason).toBe('timeout');
    expect(error.message).toMatch(/^task add \(job \d+\) on queue no-worker-here gave no result within 1000 ms/);
    expect(elapsedMs).toBeLessThan(2_500);
    expect(await otherClients()).toBe(0);
  });
});
