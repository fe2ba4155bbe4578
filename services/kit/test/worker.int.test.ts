import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTaskClient, inspectQueues, redisConnection, runTask, TaskRunError } from '@innover/kit/queue';
import type { TaskClient } from '@innover/kit/queue';
import { startRedis } from '../../../test/support/peers.js';
import type { RedisPeer } from '../../../test/support/peers.js';
import { buildService, repositoryRoot, spawnService } from '../../../test/support/service-process.js';
import type { ServiceProcess } from '../../../test/support/service-process.js';

/** The images' healthcheck script (services/kit/bin), run as Docker runs it. */
const healthcheckScript = join(repositoryRoot, 'services', 'kit', 'bin', 'healthcheck.sh');

// Real kit workers: profile's (no tasks and no schedules of its own, so a queue's counts are the test's jobs
// alone) and, for a domain task that fails while its dependency is missing, payment's. With only REDIS_URL set
// they run just the sample tasks' dependencies.
let redis: RedisPeer;
let client: TaskClient;
const heartbeatDirectory = mkdtempSync(join(tmpdir(), 'innover-heartbeat-'));
let workerCount = 0;

function startWorker(queue: string, extra: Record<string, string> = {}, service: 'profile' | 'payment' = 'profile'): ServiceProcess {
  workerCount += 1;
  return spawnService(service, 'worker', {
    REDIS_URL: redis.url,
    QUEUE_NAME: queue,
    // Short locks so a killed worker's job is recovered within seconds in the test.
    WORKER_LOCK_DURATION_MS: '2000',
    WORKER_STALLED_INTERVAL_MS: '1000',
    WORKER_HEARTBEAT_FILE: join(heartbeatDirectory, `worker-${workerCount}`),
    ...extra,
  });
}

async function ready(worker: ServiceProcess): Promise<ServiceProcess> {
  await worker.waitForLog((line) => line.msg === 'worker ready');
  return worker;
}

async function stop(worker: ServiceProcess): Promise<void> {
  worker.kill('SIGTERM');
  await worker.exited;
}

async function waitUntilActive(queue: string, jobId: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const [state] = await inspectQueues({ redisUrl: redis.url, queues: [queue] });
    if (state?.active.some((job) => job.id === jobId)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`job ${jobId} never became active on ${queue}`);
}

beforeAll(async () => {
  buildService('profile');
  buildService('payment');
  redis = await startRedis({ password: 'worker-test-secret' });
  client = createTaskClient(redis.url);
});

afterAll(async () => {
  await client?.close();
  await redis?.stop();
  rmSync(heartbeatDirectory, { recursive: true, force: true });
});

describe('worker', () => {
  it('runs add and slow round trips, and inspectQueues sees the worker', async () => {
    const worker = await ready(startWorker('round-trip'));
    try {
      await expect(runTask({ redisUrl: redis.url, queue: 'round-trip', task: 'add', args: { a: 1, b: 2 }, timeoutMs: 10_000 })).resolves.toBe(3);
      await expect(client.run({ queue: 'round-trip', task: 'slow', args: { seconds: 1 }, timeoutMs: 10_000 })).resolves.toBe(1);
      const [state] = await inspectQueues({ redisUrl: redis.url, queues: ['round-trip'] });
      expect(state).toMatchObject({ queue: 'round-trip', workers: 1, active: [], waiting: 0, failed: 0, completed: 2 });
    } finally {
      await stop(worker);
    }
  });

  it('fails a bad payload with a clear reason, keeps it for inspection, and keeps running', async () => {
    const worker = await ready(startWorker('bad-payload'));
    try {
      const failure = await client.run({ queue: 'bad-payload', task: 'add', args: { a: 'one', b: 2 }, timeoutMs: 10_000 }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(TaskRunError);
      expect((failure as TaskRunError).reason).toBe('failed');
      expect((failure as TaskRunError).message).toMatch(/invalid payload for task add: args\.a: must be a number/);
      const unknown = await client.run({ queue: 'bad-payload', task: 'no-such-task', args: {}, timeoutMs: 10_000 }).catch((error: unknown) => error);
      expect((unknown as Error).message).toMatch(/unknown task "no-such-task"/);
      await expect(client.run({ queue: 'bad-payload', task: 'add', args: { a: 2, b: 2 }, timeoutMs: 10_000 })).resolves.toBe(4);
      const [state] = await inspectQueues({ redisUrl: redis.url, queues: ['bad-payload'] });
      expect(state?.failed).toBe(2);
      expect(worker.child.exitCode).toBeNull();
    } finally {
      await stop(worker);
    }
  });

  it('retries a failing job with exponential backoff (1 s, 2 s, 4 s, 8 s), then keeps it as failed', async () => {
    // run-payment (the saga) throws while the worker has no DATABASE_URL: an ordinary, retryable failure.
    const worker = await ready(startWorker('retries', {}, 'payment'));
    try {
      const { id } = await client.enqueue({ queue: 'retries', task: 'run-payment', args: { paymentId: '6f1c1f4e-2b1a-4c3d-9e8f-0a1b2c3d4e5f' } });
      const failures = () => worker.logs.filter((line) => line.msg === 'job failed' && line['jobId'] === id);
      await worker.waitForLog(() => failures().length === 5, 30_000);
      const times = failures().map((line) => Date.parse(String(line['time'])));
      const gaps = times.slice(1).map((time, index) => time - (times[index] ?? time));
      expect(failures().map((line) => line['attemptsMade'])).toEqual([1, 2, 3, 4, 5]);
      for (const [index, expected] of [1_000, 2_000, 4_000, 8_000].entries()) {
        expect(gaps[index]).toBeGreaterThanOrEqual(expected - 100);
        expect(gaps[index]).toBeLessThan(expected + 1_500);
      }
      const queue = new Queue('retries', { connection: redisConnection(redis.url) });
      const job = await queue.getJob(id);
      expect(await job?.getState()).toBe('failed');
      expect(job?.failedReason).toMatch(/needs DATABASE_URL/);
      await queue.close();
    } finally {
      await stop(worker);
    }
  });

  it('runs a job enqueued twice with the same id once', async () => {
    const worker = await ready(startWorker('idempotent'));
    try {
      const first = await client.enqueue({ queue: 'idempotent', task: 'add', args: { a: 20, b: 22 }, jobId: 'same-id' });
      const second = await client.enqueue({ queue: 'idempotent', task: 'add', args: { a: 20, b: 22 }, jobId: 'same-id' });
      expect(second.id).toBe(first.id);
      await worker.waitForLog((line) => line.msg === 'job completed' && line['jobId'] === 'same-id');
      // A third enqueue after completion is still deduplicated while the completed job is kept.
      await client.enqueue({ queue: 'idempotent', task: 'add', args: { a: 20, b: 22 }, jobId: 'same-id' });
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(worker.logs.filter((line) => line.msg === 'job started' && line['jobId'] === 'same-id')).toHaveLength(1);
      const [state] = await inspectQueues({ redisUrl: redis.url, queues: ['idempotent'] });
      expect(state).toMatchObject({ completed: 1, waiting: 0 });
    } finally {
      await stop(worker);
    }
  });

  it('recovers a job whose worker was killed with SIGKILL during slow(3): it completes after the restart', async () => {
    const first = await ready(startWorker('late-ack'));
    const { id } = await client.enqueue({ queue: 'late-ack', task: 'slow', args: { seconds: 3 }, jobId: 'slow-killed' });
    await waitUntilActive('late-ack', id);
    first.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    const second = await ready(startWorker('late-ack'));
    try {
      await second.waitForLog((line) => line.msg === 'job completed' && line['jobId'] === id, 30_000);
      const queue = new Queue('late-ack', { connection: redisConnection(redis.url) });
      const job = await queue.getJob(id);
      await queue.close();
      expect(job?.returnvalue).toBe(3);
      expect(job?.finishedOn).toBeGreaterThan(0);
      expect(second.logs.filter((line) => line.msg === 'job started' && line['jobId'] === id)).toHaveLength(1);
    } finally {
      await stop(second);
    }
  });

  it('on SIGTERM finishes the job in hand, then exits 0', async () => {
    const worker = await ready(startWorker('sigterm'));
    const { id } = await client.enqueue({ queue: 'sigterm', task: 'slow', args: { seconds: 2 }, jobId: 'slow-sigterm' });
    await waitUntilActive('sigterm', id);
    worker.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    const completed = worker.logs.findIndex((line) => line.msg === 'job completed' && line['jobId'] === id);
    const stopped = worker.logs.findIndex((line) => line.msg === 'stopped');
    expect(completed).toBeGreaterThanOrEqual(0);
    expect(stopped).toBeGreaterThan(completed);
    const queue = new Queue('sigterm', { connection: redisConnection(redis.url) });
    expect(await (await queue.getJob(id))?.getState()).toBe('completed');
    await queue.close();
  });

  it('refreshes a heartbeat file that the worker healthcheck accepts; a missing or stale one fails it', async () => {
    const worker = await ready(startWorker('heartbeat'));
    const file = join(heartbeatDirectory, `worker-${workerCount}`);
    const check = (heartbeat: string) => spawnSync('bash', [healthcheckScript, 'worker'], { env: { WORKER_HEARTBEAT_FILE: heartbeat, PATH: process.env['PATH'] ?? '' }, encoding: 'utf8' });
    try {
      expect(check(file).status).toBe(0);
    } finally {
      await stop(worker);
    }
    const missing = check(join(heartbeatDirectory, 'absent'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/heartbeat .* does not exist/);
    const old = new Date(Date.now() - 60_000);
    utimesSync(file, old, old);
    const stale = check(file);
    expect(stale.status).toBe(1);
    expect(stale.stderr).toMatch(/^unhealthy: heartbeat .* is (59|60|61) s old\n$/);
  });

  it('refuses to start without REDIS_URL, one line per problem, exit 1', async () => {
    const worker = spawnService('payment', 'worker', { WORKER_CONCURRENCY: 'many' });
    expect(await worker.exited).toBe(1);
    const lines = worker.stderr().trim().split('\n');
    expect(lines).toEqual(['payment worker: invalid configuration: WORKER_CONCURRENCY: must be a whole number (got "many")', 'payment worker: invalid configuration: REDIS_URL: is required by the worker, e.g. REDIS_URL=redis://:password@redis:6379/0']);
  });
});
