import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { pino } from 'pino';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineTask, requireDependency, startApi, startWorker } from '@innover/kit';
import type { ApiHandle, ServiceDefinition, WorkerHandle } from '@innover/kit';
import { createEventBus } from '@innover/kit/events';
import type { EventBus, ReceivedEvent } from '@innover/kit/events';
import { redisConnection } from '@innover/kit/queue';
import { startKafka, startPostgres, startRedis } from '../../../test/support/peers.js';
import type { KafkaPeer, PostgresPeer, RedisPeer } from '../../../test/support/peers.js';
import { createDatabase } from '../src/database.js';
import { enqueueEvent } from '../src/outbox.js';
import { runTransaction } from '../src/transactions.js';
import { until as pollUntil } from '../../../test/support/until.js';

// A service definition run in this process by the kit's own startApi/startWorker: periodic schedules on two
// worker replicas, and the outbox relay publishing what a route enqueued in its transaction to a real broker.
let redis: RedisPeer;
let postgres: PostgresPeer;
let kafka: KafkaPeer;
let databaseUrl: string;
const heartbeats = mkdtempSync(join(tmpdir(), 'kit-schedules-'));
let heartbeatCount = 0;
const ticks: Array<{ jobId: string }> = [];

const until = <T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> => pollUntil(what, probe, timeoutMs, 50);

function definition(schedules: ServiceDefinition['schedules']): ServiceDefinition {
  return {
    kitTables: ['outbox'],
    schedules,
    tasks: {
      tick: defineTask(z.object({}), async (_args, context) => {
        ticks.push({ jobId: context.job.id });
        return null;
      }),
    },
    routes: (router, dependencies) => {
      router.post('/orders', async (_request, response) => {
        const database = requireDependency(dependencies.database, 'DATABASE_URL');
        const id = crypto.randomUUID();
        await runTransaction(database, async (tx) => {
          await tx.query('INSERT INTO orders (id) VALUES ($1)', [id]);
          await enqueueEvent(tx, { topic: 'orders.created.v1', key: id, payload: new TextEncoder().encode(JSON.stringify({ id })), contentType: 'application/json' });
        });
        response.status(201).json({ id, hasEvents: 'events' in dependencies });
      });
    },
  };
}

function environment(queue: string, extra: Record<string, string> = {}): Record<string, string> {
  heartbeatCount += 1;
  return { SERVICE_NAME: 'orders', LOG_LEVEL: 'silent', REDIS_URL: redis.url, QUEUE_NAME: queue, WORKER_HEARTBEAT_FILE: join(heartbeats, `beat-${heartbeatCount}`), ...extra };
}

beforeAll(async () => {
  [redis, postgres, kafka] = await Promise.all([startRedis(), startPostgres(), startKafka()]);
  databaseUrl = await postgres.createDatabase('orders');
  const database = createDatabase(databaseUrl);
  await database.query('CREATE TABLE IF NOT EXISTS orders (id UUID PRIMARY KEY)');
  await database.close();
});

afterAll(async () => {
  await Promise.allSettled([redis?.stop(), postgres?.stop(), kafka?.stop()]);
  rmSync(heartbeats, { recursive: true, force: true });
});

describe('worker schedules', () => {
  it('keeps one job scheduler per task, however many workers upsert it, and runs one job per interval', async () => {
    const everyMs = 400;
    const queue = new Queue('scheduled', { connection: redisConnection(redis.url) });
    const workers: WorkerHandle[] = [];
    try {
      workers.push(await startWorker(definition([{ task: 'tick', everyMs }]), environment('scheduled')));
      workers.push(await startWorker(definition([{ task: 'tick', everyMs }]), environment('scheduled')));
      const schedulers = await queue.getJobSchedulers();
      expect(schedulers.map((scheduler) => [scheduler.key, scheduler.name, scheduler.every])).toEqual([['schedule:tick', 'tick', everyMs]]);
      ticks.length = 0;
      await until('six scheduled runs', () => (ticks.length >= 6 ? true : undefined));
      // Each run is its own interval's job: `repeat:<scheduler>:<interval start>`, never two for one interval.
      const slots = ticks.map((tick) => Number(/^repeat:schedule:tick:(\d+)$/.exec(tick.jobId)?.[1]));
      expect(slots.every(Number.isFinite)).toBe(true);
      const sorted = [...slots].sort((left, right) => left - right);
      expect(new Set(sorted).size).toBe(sorted.length);
      for (let index = 1; index < sorted.length; index += 1) expect((sorted[index] ?? 0) - (sorted[index - 1] ?? 0)).toBeGreaterThanOrEqual(everyMs);
    } finally {
      for (const worker of workers) await worker.shutdown();
    }
    // A release without the schedule removes its scheduler at start.
    const later = await startWorker(definition([]), environment('scheduled'));
    await later.shutdown();
    expect(await queue.getJobSchedulers()).toEqual([]);
    await queue.close();
  });
});

describe('outbox relay in the worker', () => {
  it('publishes what a route enqueued in its transaction, with its traceparent, marks it sent, and releases its leases on shutdown', async () => {
    const received: Array<ReceivedEvent<{ id: string }>> = [];
    const consumer: EventBus = createEventBus({ brokers: kafka.brokers, serviceName: 'relay-test', logger: pino({ level: 'silent' }) });
    let api: ApiHandle | undefined;
    let worker: WorkerHandle | undefined;
    try {
      // KAFKA_BROKERS is set for both: only the worker holds a Kafka client.
      const shared = { DATABASE_URL: databaseUrl, KAFKA_BROKERS: kafka.brokers.join(',') };
      api = await startApi(definition(undefined), { ...environment('relay', shared), PORT: '0' });
      expect(api.runtime.dependencies.events).toBeUndefined();
      expect(api.runtime.readinessChecks.map((check) => check.name)).toEqual(['sql', 'redis']);
      const traceId = 'a'.repeat(32);
      const created = await fetch(`http://127.0.0.1:${api.port}/orders`, { method: 'POST', headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
      expect(created.status).toBe(201);
      const { id, hasEvents } = (await created.json()) as { id: string; hasEvents: boolean };
      expect(hasEvents).toBe(false);

      await consumer.subscribe<{ id: string }>({ groupId: 'relay-test', topic: 'orders.created.v1', fromBeginning: true, handler: async (event) => void received.push(event) });
      worker = await startWorker(definition(undefined), environment('relay', shared));
      expect(worker.relay).toBeDefined();
      const event = await until('the relayed event', () => received.find((entry) => entry.value.id === id));
      expect(event.key).toBe(id);
      expect(event.headers['traceparent']).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
      expect(event.headers['event-id']).toMatch(/^[0-9a-f-]{36}$/);
      const database = createDatabase(databaseUrl);
      try {
        await until('the row marked sent', async () => ((await database.query<{ sent: boolean }>('SELECT sent_at IS NOT NULL AS sent FROM outbox WHERE event_key = $1', [id]))[0]?.sent ? true : undefined));
        const owner = worker.relay?.owner;
        expect((await database.query('SELECT shard FROM outbox_leases WHERE owner = $1', [owner])).length).toBeGreaterThan(0);
        await worker.shutdown();
        worker = undefined;
        expect(await database.query('SELECT shard FROM outbox_leases WHERE owner = $1', [owner])).toEqual([]);
      } finally {
        await database.close();
      }
    } finally {
      await worker?.shutdown();
      await api?.shutdown();
      await consumer.close();
    }
  });
});
