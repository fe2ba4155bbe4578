import { context, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { propagation } from '@opentelemetry/api';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startPostgres } from '../../../test/support/peers.js';
import type { PostgresPeer } from '../../../test/support/peers.js';
import { createDatabase, runKitMigrations } from '../src/database.js';
import type { Database } from '../src/database.js';
import { consumeOnce, eventIdOf, handleOnce } from '../src/inbox.js';
import { OUTBOX_SHARDS, createOutboxRelay, enqueueEvent, outboxStatementParts, purgeSentOutbox, shardOf } from '../src/outbox.js';
import type { OutboxMessage, OutboxRelay } from '../src/outbox.js';
import { runStatement, runTransaction } from '../src/transactions.js';
import { buildService, repositoryRoot } from '../../../test/support/service-process.js';
import { until } from '../../../test/support/until.js';

let postgres: PostgresPeer;
let database: Database;
let databaseUrl: string;
const logger = pino({ level: 'silent' });
const topic = 'payment.status-changed.v1';

beforeAll(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  postgres = await startPostgres();
  databaseUrl = await postgres.createDatabase('kit_outbox');
  database = createDatabase(databaseUrl, { max: 20 });
  expect(await runKitMigrations(database, ['outbox', 'inbox'], logger)).toEqual(['kit_inbox_001.sql', 'kit_outbox_001.sql']);
  // Idempotent: a second run applies nothing.
  expect(await runKitMigrations(database, ['outbox', 'inbox'], logger)).toEqual([]);
});

afterAll(async () => {
  await database?.close();
  await postgres?.stop();
  context.disable();
  propagation.disable();
});

beforeEach(async () => {
  await database.query('DELETE FROM outbox');
  await database.query('DELETE FROM outbox_sequences');
  await database.query("UPDATE outbox_leases SET owner = NULL, lease_until = '1970-01-01 00:00:00+00'");
  await database.query('DELETE FROM inbox');
});

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const decode = (message: OutboxMessage) => JSON.parse(message.payload.toString()) as { index: number };

/** Drains with the given relays, round by round, until nothing is unsent (bounded: no timers). */
async function drain(relays: OutboxRelay[], rounds = 200): Promise<void> {
  for (let round = 0; round < rounds; round += 1) {
    await Promise.all(relays.map((relay) => relay.runOnce()));
    const [row] = await database.query<{ count: string }>('SELECT count(*) AS count FROM outbox WHERE sent_at IS NULL');
    if (Number(row?.count) === 0) return;
  }
  throw new Error('outbox did not drain');
}

/** Expires a relay's leases as if its lease time had passed (the relay crashed or stalled). */
async function expireLeases(owner: string): Promise<void> {
  await database.query("UPDATE outbox_leases SET lease_until = now() - INTERVAL '1 second' WHERE owner = $1", [owner]);
}

describe('enqueueEvent', () => {
  it('writes the row only if the transaction commits, with the traceparent of the active context', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parent = trace.setSpanContext(context.active(), { traceId, spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED, isRemote: true });
    await context.with(parent, () => runTransaction(database, async (tx) => void (await enqueueEvent(tx, { topic, key: 'p-1', payload: encode({ index: 1 }) }))));
    await expect(
      runTransaction(database, async (tx) => {
        await enqueueEvent(tx, { topic, key: 'p-1', payload: encode({ index: 2 }) });
        throw new Error('state change failed');
      }),
    ).rejects.toThrow('state change failed');
    const rows = await database.query<{ event_key: string; seq: string; headers: Record<string, string>; id: string }>('SELECT id, event_key, seq, headers FROM outbox');
    expect(rows).toHaveLength(1);
    expect(rows[0]?.seq).toBe('1');
    expect(rows[0]?.headers['traceparent']).toBe(`00-${traceId}-00f067aa0ba902b7-01`);
    expect(rows[0]?.headers['event-id']).toBe(rows[0]?.id);
    expect(rows[0]?.headers['content-type']).toBe('application/x-protobuf');
  });

  it('numbers a key in commit order when two transactions enqueue for it concurrently (one waits or retries)', async () => {
    const writes = await Promise.all(
      [1, 2, 3, 4].map((index) => runTransaction(database, async (tx) => await enqueueEvent(tx, { topic, key: 'hot', payload: encode({ index }) }))),
    );
    expect(writes.map((write) => write.seq).sort()).toEqual([1, 2, 3, 4]);
  });

  it('with an explicit id, a re-run enqueues nothing new', async () => {
    const id = '00000000-0000-4000-8000-00000000000a';
    const first = await runTransaction(database, async (tx) => await enqueueEvent(tx, { id, topic, key: 'p-2', payload: encode({ index: 1 }) }));
    const again = await runTransaction(database, async (tx) => await enqueueEvent(tx, { id, topic, key: 'p-2', payload: encode({ index: 1 }) }));
    expect(first).toEqual({ id, seq: 1, inserted: true });
    expect(again).toEqual({ id, seq: 1, inserted: false });
  });

  it('two serializable transactions enqueueing events with explicit ids for different keys both commit (no read of the whole outbox)', async () => {
    // A small outbox is scanned sequentially: an existence check by id would take a relation-wide SIREAD lock, so
    // every pair of concurrent enqueues formed a read/write cycle and one failed with 40001 (found by the six-service
    // concurrency scenario, test/payments/concurrency.int.test.ts).
    for (let index = 0; index < 20; index += 1) await runTransaction(database, async (tx) => await enqueueEvent(tx, { topic, key: `filler-${index}`, payload: encode({ index }) }));
    await database.query('ANALYZE outbox');
    const [left, right] = [await database.connect(), await database.connect()];
    try {
      for (const session of [left, right]) await session.run('BEGIN TRANSACTION ISOLATION LEVEL SERIALIZABLE');
      await enqueueEvent(left, { id: '00000000-0000-4000-8000-0000000000b1', topic, key: 'p-left', payload: encode({ index: 1 }) });
      await enqueueEvent(right, { id: '00000000-0000-4000-8000-0000000000b2', topic, key: 'p-right', payload: encode({ index: 1 }) });
      expect((await left.run('COMMIT')).command).toBe('COMMIT');
      expect((await right.run('COMMIT')).command).toBe('COMMIT');
    } finally {
      left.release(true);
      right.release(true);
    }
    expect((await database.query<{ count: string }>("SELECT count(*) AS count FROM outbox WHERE event_key IN ('p-left', 'p-right')"))[0]?.count).toBe('2');
  });
});

describe('outboxStatementParts: a state change and its event in one statement', () => {
  it('gated on a compare-and-set: the statement that wins writes the event; the ones that lose write none; order per key holds', async () => {
    await database.query('CREATE TABLE IF NOT EXISTS orders (id TEXT PRIMARY KEY, status TEXT NOT NULL)');
    await database.query("INSERT INTO orders (id, status) VALUES ('o-1', 'new') ON CONFLICT (id) DO UPDATE SET status = 'new'");
    const move = async (from: string, to: string) => {
      const event = outboxStatementParts({ id: randomUUID(), topic, key: 'o-1', payload: encode({ to }) }, { firstParameter: 3, gate: 'moved' });
      const rows = await runStatement(
        database,
        `WITH moved AS (UPDATE orders SET status = $2 WHERE id = 'o-1' AND status = $1 RETURNING id), ${event.ctes} SELECT id FROM moved`,
        [from, to, ...event.values],
      );
      return rows.length === 1;
    };
    // Three movers race from the same status: exactly one wins.
    const raced = await Promise.all([move('new', 'paid'), move('new', 'paid'), move('new', 'paid')]);
    expect(raced.filter(Boolean)).toHaveLength(1);
    expect(await move('paid', 'shipped')).toBe(true);
    expect(await move('new', 'paid')).toBe(false);
    const rows = await database.query<{ seq: string; payload: Buffer }>("SELECT seq, payload FROM outbox WHERE event_key = 'o-1' ORDER BY seq");
    expect(rows.map((row) => JSON.parse(row.payload.toString()) as { to: string }).map((payload) => payload.to)).toEqual(['paid', 'shipped']);
  });

  it('enqueueEvent is the same write on its own', async () => {
    const written = await enqueueEvent(database, { topic, key: 'p-9', payload: encode({ index: 1 }) });
    expect(written).toMatchObject({ seq: 1, inserted: true });
  });
});

describe('outbox relay', () => {
  it('two relays, many keys, producers still writing: every row published, first deliveries in order per key, none marked sent before its publish', async () => {
    const keys = Array.from({ length: 40 }, (_, index) => `payment-${index}`);
    const perKey = 8;
    const deliveries: Array<{ relay: string; key: string; seq: number; index: number; id: string }> = [];
    const acknowledged = new Set<string>();
    let violations = 0;
    const publisher = (name: string) => async (messages: OutboxMessage[]) => {
      // Invariant, checked at every publish: every row marked sent has been acknowledged already.
      const sent = await database.query<{ id: string }>('SELECT id FROM outbox WHERE sent_at IS NOT NULL');
      violations += sent.filter((row) => !acknowledged.has(row.id)).length;
      await new Promise((resolve) => setImmediate(resolve));
      for (const message of messages) deliveries.push({ relay: name, key: message.key, seq: message.seq, index: decode(message).index, id: message.id });
      for (const message of messages) acknowledged.add(message.id);
    };
    const relayA = createOutboxRelay({ database, publish: publisher('a'), batchSize: 7, owner: 'relay-a', logger });
    const relayB = createOutboxRelay({ database, publish: publisher('b'), batchSize: 7, owner: 'relay-b', logger });

    // One producer per key writes its events in order; all keys at once, while both relays run rounds.
    let producing = true;
    const producers = Promise.all(
      keys.map(async (key) => {
        for (let index = 1; index <= perKey; index += 1) await runTransaction(database, async (tx) => void (await enqueueEvent(tx, { topic, key, payload: encode({ index }), contentType: 'application/json' })));
      }),
    ).finally(() => (producing = false));
    const relaying = (async () => {
      while (producing) await Promise.all([relayA.runOnce(), relayB.runOnce()]);
    })();
    await Promise.all([producers, relaying]);
    await drain([relayA, relayB]);

    expect(violations).toBe(0);
    const rows = await database.query<{ id: string }>('SELECT id FROM outbox');
    expect(rows).toHaveLength(keys.length * perKey);
    expect(new Set(deliveries.map((delivery) => delivery.id))).toEqual(new Set(rows.map((row) => row.id)));
    // The shards are split between the two relays, and both published.
    expect([...relayA.heldShards(), ...relayB.heldShards()].sort((left, right) => left - right)).toEqual(Array.from({ length: OUTBOX_SHARDS }, (_, index) => index));
    expect(new Set(deliveries.map((delivery) => delivery.relay))).toEqual(new Set(['a', 'b']));
    for (const key of keys) {
      const seen = new Set<string>();
      const first = deliveries.filter((delivery) => delivery.key === key && !seen.has(delivery.id) && seen.add(delivery.id));
      expect(first.map((delivery) => delivery.index), key).toEqual(Array.from({ length: perKey }, (_, index) => index + 1));
      expect(first.map((delivery) => delivery.seq), key).toEqual(Array.from({ length: perKey }, (_, index) => index + 1));
      // One key, one publisher: all of a key's rows came from the relay holding its shard.
      expect(new Set(first.map((delivery) => delivery.relay)).size, key).toBe(1);
    }
  });

  it('a publish that fails leaves the batch unsent; the next round publishes it again (at least once)', async () => {
    for (let index = 1; index <= 5; index += 1) await runTransaction(database, async (tx) => void (await enqueueEvent(tx, { topic, key: 'k', payload: encode({ index }) })));
    let failNext = true;
    const published: number[] = [];
    const relay = createOutboxRelay({
      database,
      owner: 'flaky',
      logger,
      claimLimit: OUTBOX_SHARDS,
      publish: async (messages) => {
        if (failNext) {
          failNext = false;
          throw new Error('broker unavailable');
        }
        published.push(...messages.map((message) => decode(message).index));
      },
    });
    await expect(relay.runOnce()).rejects.toThrow('broker unavailable');
    expect(await database.query('SELECT id FROM outbox WHERE sent_at IS NOT NULL')).toEqual([]);
    expect(await relay.runOnce()).toBe(5);
    expect(published).toEqual([1, 2, 3, 4, 5]);
  });

  it('a relay that dies mid-batch (published, never marked): another takes its shards after the lease and republishes, order kept', async () => {
    for (let index = 1; index <= 6; index += 1) await runTransaction(database, async (tx) => void (await enqueueEvent(tx, { topic, key: 'order-7', payload: encode({ index }) })));
    const broker: Array<{ by: string; index: number }> = [];
    // A delivers its batch to the broker, then "is killed" before it can mark anything sent.
    const doomed = createOutboxRelay({
      database,
      owner: 'doomed',
      logger,
      batchSize: 4,
      claimLimit: OUTBOX_SHARDS,
      publish: async (messages) => {
        broker.push(...messages.map((message) => ({ by: 'doomed', index: decode(message).index })));
        throw new Error('SIGKILL');
      },
    });
    await expect(doomed.runOnce()).rejects.toThrow('SIGKILL');
    const survivor = createOutboxRelay({ database, owner: 'survivor', logger, publish: async (messages) => void broker.push(...messages.map((message) => ({ by: 'survivor', index: decode(message).index }))) });
    // While the dead relay's leases last, the survivor holds nothing and publishes nothing.
    expect(await survivor.runOnce()).toBe(0);
    expect(survivor.heldShards()).toEqual([]);
    await expireLeases('doomed');
    await drain([survivor]);
    expect(broker.filter((delivery) => delivery.by === 'survivor').map((delivery) => delivery.index)).toEqual([1, 2, 3, 4, 5, 6]);
    // At least once: 1..4 twice; first deliveries in order.
    const firsts = [...new Set(broker.map((delivery) => delivery.index))];
    expect(firsts).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('a relay process SIGKILLed while its publish is in flight: its rows stay unsent, and after its lease another relay publishes them all, in order', async () => {
    buildService('kit');
    for (let index = 1; index <= 6; index += 1) await runTransaction(database, async (tx) => void (await enqueueEvent(tx, { topic, key: 'order-9', payload: encode({ index }) })));
    const dist = (file: string) => pathToFileURL(join(repositoryRoot, 'services', 'kit', 'dist', file)).href;
    // The child hands its first batch to the "broker" (stdout), then hangs in publish until it is killed.
    const script = `
      const { createDatabase } = await import(${JSON.stringify(dist('database.js'))});
      const { createOutboxRelay } = await import(${JSON.stringify(dist('outbox.js'))});
      const relay = createOutboxRelay({ database: createDatabase(process.env.DATABASE_URL), owner: 'killed', batchSize: 3, claimLimit: 16,
        publish: (messages) => { process.stdout.write(JSON.stringify(messages.map((m) => JSON.parse(m.payload.toString()).index)) + '\\n'); return new Promise(() => {}); } });
      await relay.runOnce();`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { env: { PATH: process.env['PATH'] ?? '', DATABASE_URL: databaseUrl }, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<string | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    const firstBatch = await new Promise<number[]>((resolve, reject) => {
      child.stdout.once('data', (chunk: Buffer) => resolve(JSON.parse(chunk.toString()) as number[]));
      child.once('exit', () => reject(new Error(`relay child exited early: ${errors}`)));
    });
    expect(firstBatch).toEqual([1, 2, 3]);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    expect(await database.query('SELECT id FROM outbox WHERE sent_at IS NOT NULL')).toEqual([]);
    expect((await database.query<{ count: string }>("SELECT count(*) AS count FROM outbox_leases WHERE owner = 'killed' AND lease_until > now()"))[0]?.count).toBe(String(OUTBOX_SHARDS));
    const republished: number[] = [];
    const survivor = createOutboxRelay({ database, owner: 'after-kill', logger, claimLimit: OUTBOX_SHARDS, publish: async (messages) => void republished.push(...messages.map((message) => decode(message).index)) });
    expect(await survivor.runOnce()).toBe(0);
    await expireLeases('killed');
    await drain([survivor]);
    expect(republished).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('stop() releases the leases so another replica takes over at once; start() publishes in the background', async () => {
    const first = createOutboxRelay({ database, owner: 'first', logger, claimLimit: OUTBOX_SHARDS, publish: async () => undefined });
    await first.runOnce();
    expect(first.heldShards()).toHaveLength(OUTBOX_SHARDS);
    await first.stop();
    const received: string[] = [];
    let notify: () => void = () => undefined;
    const arrived = new Promise<void>((resolve) => (notify = resolve));
    const second = createOutboxRelay({
      database,
      owner: 'second',
      logger,
      claimLimit: OUTBOX_SHARDS,
      pollIntervalMs: 5,
      publish: async (messages) => {
        received.push(...messages.map((message) => message.key));
        notify();
      },
    });
    second.start();
    await runTransaction(database, async (tx) => void (await enqueueEvent(tx, { topic, key: 'late', payload: encode({ index: 1 }) })));
    await arrived;
    await second.stop();
    expect(received).toEqual(['late']);
    expect(second.heldShards()).toEqual([]);
  });

  it('purges sent rows past their retention only', async () => {
    await runTransaction(database, async (tx) => void (await enqueueEvent(tx, { topic, key: 'old', payload: encode({ index: 1 }) })));
    await runTransaction(database, async (tx) => void (await enqueueEvent(tx, { topic, key: 'new', payload: encode({ index: 1 }) })));
    await database.query("UPDATE outbox SET sent_at = now() - INTERVAL '8 days' WHERE event_key = 'old'");
    expect(await purgeSentOutbox(database)).toBe(1);
    expect(await database.query('SELECT event_key FROM outbox')).toEqual([{ event_key: 'new' }]);
  });
});

describe('outbox relay wake-ups and backoff', () => {
  /** A started relay whose poll is far longer than any wait below: whatever it publishes came from a wake-up. */
  function sleepyRelay(owner: string, received: string[], extra: Partial<Parameters<typeof createOutboxRelay>[0]> = {}): OutboxRelay {
    return createOutboxRelay({
      database,
      owner,
      logger,
      claimLimit: OUTBOX_SHARDS,
      pollIntervalMs: 600_000,
      wakeGapMs: 0,
      publish: async (messages) => void received.push(...messages.map((message) => message.key)),
      ...extra,
    });
  }
  const insertWithoutSignal = (key: string) =>
    database.query("INSERT INTO outbox (id, event_key, seq, shard, topic, payload, headers) VALUES (gen_random_uuid(), $1, 1, $2, $3, '\\x7b7d', '{}')", [key, shardOf(key), topic]);
  /** Starts the relay and waits until its first round published a seeded row: from then on it sleeps in its long poll. */
  async function startAsleep(relay: OutboxRelay, received: string[]): Promise<void> {
    await insertWithoutSignal('seed');
    relay.start();
    await until('the first round published the seed', () => (received.includes('seed') ? true : undefined));
  }

  it('a commit in this process wakes the relay: it publishes without waiting for its poll', async () => {
    const received: string[] = [];
    const relay = sleepyRelay('woken', received);
    try {
      await startAsleep(relay, received);
      await runTransaction(database, async (tx) => void (await enqueueEvent(tx, { topic, key: 'woken-1', payload: encode({ index: 1 }) })));
      await until('the woken relay published', () => (received.includes('woken-1') ? true : undefined));
      // Asleep again after the first: the next commit wakes it again.
      await runTransaction(database, async (tx) => void (await enqueueEvent(tx, { topic, key: 'woken-2', payload: encode({ index: 2 }) })));
      await until('the second commit published', () => (received.includes('woken-2') ? true : undefined));
    } finally {
      await relay.stop();
    }
    expect(received).toEqual(['seed', 'woken-1', 'woken-2']);
  });

  it('a wake-up from another process (wakeSignal) ends the wait for a row this process never signalled', async () => {
    const received: string[] = [];
    let wakeFromElsewhere: () => void = () => undefined;
    let unsubscribed = false;
    const relay = sleepyRelay('signalled', received, {
      wakeSignal: (wake) => {
        wakeFromElsewhere = wake;
        return () => (unsubscribed = true);
      },
    });
    try {
      await startAsleep(relay, received);
      await insertWithoutSignal('elsewhere-1');
      wakeFromElsewhere();
      await until('the signalled relay published', () => (received.includes('elsewhere-1') ? true : undefined));
    } finally {
      await relay.stop();
    }
    expect(unsubscribed).toBe(true);
    expect(received).toEqual(['seed', 'elsewhere-1']);
  });

  it('without any wake-up, the backed-off poll still finds a new row (a lost signal costs only latency)', async () => {
    const received: string[] = [];
    const relay = sleepyRelay('polling', received, { pollIntervalMs: 5, maxPollIntervalMs: 40 });
    relay.start();
    try {
      await until('the relay holds every shard', () => (relay.heldShards().length === OUTBOX_SHARDS ? true : undefined));
      // Long enough for several empty rounds, so the wait has grown to its maximum.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await insertWithoutSignal('unsignalled-1');
      await until('the polling relay published', () => (received.includes('unsignalled-1') ? true : undefined));
    } finally {
      await relay.stop();
    }
  });

  it('stop() ends a long wait at once', async () => {
    const relay = sleepyRelay('stopped', []);
    relay.start();
    await until('the relay holds every shard', () => (relay.heldShards().length === OUTBOX_SHARDS ? true : undefined));
    await relay.stop();
    expect(relay.heldShards()).toEqual([]);
  });
});

describe('inbox', () => {
  it('handleOnce answers true the first time and false on redelivery, in the consumer’s transaction', async () => {
    const first = await runTransaction(database, async (tx) => await handleOnce(tx, 'event-1', 'wallet'));
    const again = await runTransaction(database, async (tx) => await handleOnce(tx, 'event-1', 'wallet'));
    const otherConsumer = await runTransaction(database, async (tx) => await handleOnce(tx, 'event-1', 'ledger'));
    expect([first, again, otherConsumer]).toEqual([true, false, true]);
    // Rolled back with the effect: the event counts as unhandled.
    await expect(
      runTransaction(database, async (tx) => {
        await handleOnce(tx, 'event-2', 'wallet');
        throw new Error('effect failed');
      }),
    ).rejects.toThrow('effect failed');
    expect(await runTransaction(database, async (tx) => await handleOnce(tx, 'event-2', 'wallet'))).toBe(true);
  });

  it('consumeOnce applies a redelivered event once, even when deliveries race', async () => {
    await database.query('CREATE TABLE IF NOT EXISTS projected (id TEXT PRIMARY KEY, total BIGINT NOT NULL)');
    await database.query("INSERT INTO projected (id, total) VALUES ('w', 0) ON CONFLICT (id) DO UPDATE SET total = 0");
    const headers = { 'event-id': '11111111-1111-4111-8111-111111111111' };
    const apply = () => consumeOnce(database, { eventId: eventIdOf(headers) ?? '', consumer: 'wallet' }, async (tx) => void (await tx.query("UPDATE projected SET total = total + 250 WHERE id = 'w'")));
    const ran = await Promise.all([apply(), apply(), apply()]);
    expect(ran.filter(Boolean)).toHaveLength(1);
    expect(await apply()).toBe(false);
    expect(await database.query("SELECT total FROM projected WHERE id = 'w'")).toEqual([{ total: '250' }]);
  });
});
