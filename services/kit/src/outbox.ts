/**
 * The transactional outbox: `enqueueEvent` writes an event row in the caller's transaction (so the event
 * exists if and only if the state change committed), and a relay in the worker publishes the rows at least
 * once, in order per key, and marks them sent. Tables: migrations/kit_outbox_001.sql.
 *
 * Per-key order with several relay replicas. `FOR UPDATE SKIP LOCKED` on rows alone is not enough: replica B
 * would skip key K's locked row 1 and publish row 2. So a relay claims whole keys: every key hashes to one of
 * `OUTBOX_SHARDS` shards, and a relay publishes only rows of shards it holds a lease on (`outbox_leases`,
 * claimed with `FOR UPDATE SKIP LOCKED`, which CockroachDB supports since v23.1; the topology pins v24.3.6).
 * Within a key, `seq` is the commit order: `outbox_sequences` hands out the next number with an upsert on
 * the key's row, so two transactions enqueueing for the same key serialise there (the later one waits or
 * gets 40001 and retries), and row n+1 can only exist once row n committed. A relay reads each key's unsent
 * rows in `seq` order from its lowest unsent one, publishes them in that order, and marks them sent only
 * after `publish` resolved.
 *
 * Guarantees: at least once (a crash or a failed publish leaves rows unsent; they go again); the first
 * delivery of each key's events is in order. A relay that stalls past its lease (a long GC pause) can repeat
 * rows another replica already published: consumers dedupe by the `event-id` header (inbox.ts).
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Database, Queryable } from './database.ts';
import { onOutboxCommitted, outboxCommitted } from './outbox-signal.ts';
import type { Transaction } from './transactions.ts';
import { injectTraceContext } from './tracing.ts';

/** The number of shards seeded by kit_outbox_001.sql; `shardOf` must agree with it. */
export const OUTBOX_SHARDS = 16;

/** FNV-1a (32 bit) of the key, mod `OUTBOX_SHARDS`: stable across processes and releases. */
export function shardOf(key: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(key, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % OUTBOX_SHARDS;
}

export interface OutboxEvent {
  /** Full topic name, e.g. `topicName('payment', 'status-changed')` = `payment.status-changed.v1`. */
  topic: string;
  /** Ordering (and Kafka partition) key: the aggregate id. Events of one key are published in commit order. */
  key: string;
  /** The encoded value (a protobuf codec's or `jsonCodec`'s `encode`). */
  payload: Uint8Array;
  /** Extra headers; `traceparent` (the active context's), `event-id` and `content-type` are added. */
  headers?: Record<string, string>;
  /** Default `application/x-protobuf`. */
  contentType?: string;
  /** A deterministic id (e.g. UUIDv5 of the aggregate and the step) makes a re-run enqueue idempotent; default random. */
  id?: string;
}

/** The SQL of an outbox write and its values, for `enqueueEvent` or a caller's own statement. */
export interface OutboxStatementParts {
  /** Two data-modifying CTEs, `outbox_next` (the key's next `seq`) and `outbox_row` (the row; RETURNING seq), for a WITH list. */
  ctes: string;
  values: unknown[];
  /** The event's id (the given one, or a new random one). */
  id: string;
}

/**
 * The outbox write as parts of a caller's single statement, so a state change, its history and its event are one
 * round trip (`runStatement`): `ctes` go into the statement's WITH list, after the CTE named `gate` when there is
 * one, whose rows decide whether the event is written (one event per row: gate on a compare-and-set UPDATE's
 * RETURNING, so a lost race writes nothing). The parameters are numbered from `firstParameter`. The same
 * statement as `enqueueEvent`'s: the caller signals the relays after its statement (`outboxWritten`). One event per
 * statement: CockroachDB refuses two modifications of one table in one statement, so a second event is a
 * statement of its own (`enqueueEvent` in the same transaction).
 */
export function outboxStatementParts(event: OutboxEvent, options: { firstParameter: number; gate?: string }): OutboxStatementParts {
  const id = event.id ?? randomUUID();
  const headers = { ...event.headers, ...injectTraceContext(), 'content-type': event.contentType ?? 'application/x-protobuf', 'event-id': id };
  const parameter = (index: number) => `$${options.firstParameter + index}`;
  // ON CONFLICT instead of a look-up first: PostgreSQL scans a small outbox sequentially, and under SERIALIZABLE that
  // read locks the whole table (SIREAD), so any two concurrent enqueues formed a cycle and one failed with 40001.
  const ctes = `outbox_next AS (
       INSERT INTO outbox_sequences (event_key, last_seq) SELECT ${parameter(1)}::TEXT, 1${options.gate ? ` FROM ${options.gate}` : ''}
       ON CONFLICT (event_key) DO UPDATE SET last_seq = outbox_sequences.last_seq + 1
       RETURNING last_seq
     ), outbox_row AS (
       INSERT INTO outbox (id, event_key, seq, shard, topic, payload, headers)
       SELECT ${parameter(0)}::UUID, ${parameter(1)}::TEXT, outbox_next.last_seq, ${parameter(2)}::INT8, ${parameter(3)}::TEXT, ${parameter(4)}::BYTEA, ${parameter(5)}::JSONB FROM outbox_next
       ON CONFLICT (id) DO NOTHING
       RETURNING seq
     )`;
  return { ctes, values: [id, event.key, shardOf(event.key), event.topic, Buffer.from(event.payload), JSON.stringify(headers)], id };
}

/**
 * Writes the event in `tx`, the caller's transaction (see transactions.ts), with the traceparent of the
 * active context. One statement: it takes the key's next `seq` and inserts the row. With an explicit `id`
 * that already exists, no row is written and `{inserted: false}` comes back with the existing row's `seq`.
 * Once `tx` commits, the relays are woken (outbox-signal.ts); a `Queryable` that is no `runTransaction`
 * transaction signals straight after the statement (for an autocommit statement, that is its commit).
 */
export async function enqueueEvent(tx: Queryable, event: OutboxEvent): Promise<{ id: string; seq: number; inserted: boolean }> {
  const { ctes, values, id } = outboxStatementParts(event, { firstParameter: 1 });
  const rows = await tx.query<{ seq: string }>(`WITH ${ctes} SELECT seq FROM outbox_row`, values);
  if (rows[0]) {
    outboxWritten(tx);
    return { id, seq: Number(rows[0].seq), inserted: true };
  }
  // The id exists (a re-run): nothing written but the key's counter, whose number stays unused (seq may have gaps).
  const existing = await tx.query<{ seq: string }>('SELECT seq FROM outbox WHERE id = $1', [id]);
  return { id, seq: Number(existing[0]?.seq), inserted: false };
}

/**
 * A statement on `tx` wrote outbox rows: the relays are woken once it commits (a `runTransaction` transaction's
 * `afterCommit`), or now for anything else and without `tx` (an autocommit statement has committed when it answered).
 */
export function outboxWritten(tx?: Queryable): void {
  const afterCommit = (tx as Partial<Transaction> | undefined)?.afterCommit;
  if (afterCommit) afterCommit(outboxCommitted);
  else outboxCommitted();
}

/** One row as the relay hands it to `publish`. */
export interface OutboxMessage {
  id: string;
  topic: string;
  key: string;
  seq: number;
  payload: Buffer;
  headers: Record<string, string>;
  createdAt: Date;
}

/**
 * Publishes a batch; resolve only once every message is acknowledged. The batch is in order per key, and the
 * publisher must keep that order (kafkajs: one `sendBatch`, which writes a partition's messages in order).
 */
export type OutboxPublisher = (messages: OutboxMessage[]) => Promise<void>;

export interface OutboxRelayOptions {
  database: Database;
  publish: OutboxPublisher;
  /** Rows per publish (default 100). */
  batchSize?: number;
  /** Shard lease duration (default 10 s): how long a crashed relay's shards wait before another relay takes them. */
  leaseMs?: number;
  /** At most this many unowned shards claimed per round (default half of them), so replicas starting together share. */
  claimLimit?: number;
  /**
   * Wait after a round that published less than a full batch (default 100 ms). Each round that finds nothing
   * doubles the wait, up to `maxPollIntervalMs`; a wake-up (`wake`, an outbox commit in this process, or
   * `wakeSignal`) ends the wait early.
   */
  pollIntervalMs?: number;
  /** The longest wait while the outbox stays empty (default 2 s; never more than a quarter of `leaseMs`, so leases renew in time). */
  maxPollIntervalMs?: number;
  /**
   * A wake-up starts the next round no sooner than this after the previous round ended (default
   * `pollIntervalMs`), so commits arriving under load share a round instead of each paying for one (a round
   * costs a few ms of CPU whatever its size): a relay never runs more rounds than plain polling every
   * `pollIntervalMs` did, and a row written after a quiet spell goes out at once. A full batch goes again at
   * once regardless.
   */
  wakeGapMs?: number;
  /** Subscribes to wake-ups from other processes (worker.ts: the Redis channel); answers the unsubscribe. */
  wakeSignal?: (wake: () => void) => () => void;
  /** Unique per replica (default host, pid and a random suffix). */
  owner?: string;
  logger?: Logger;
}

export interface OutboxRelay {
  readonly owner: string;
  /** One round: renew or claim leases, publish up to `batchSize` rows of held shards, mark them sent. Answers how many were published. */
  runOnce(): Promise<number>;
  /**
   * Rounds until `stop`: immediately again after a full batch; after `pollIntervalMs` after a partial one; after
   * a wait that doubles up to `maxPollIntervalMs` while rounds find nothing, cut short by a wake-up; with
   * backoff after errors (which wake-ups do not cut).
   */
  start(): void;
  /** Ends the loop after the round in hand and releases this relay's leases, so another replica takes over at once. */
  stop(): Promise<void>;
  /** Shards this relay believes it holds. */
  heldShards(): number[];
  /** Ends the current wait (after `wakeGapMs`): new rows are likely. A no-op when the relay is not started. */
  wake(): void;
}

interface OutboxRow {
  id: string;
  event_key: string;
  seq: string;
  topic: string;
  payload: Buffer;
  headers: Record<string, string>;
  created_at: Date;
}

/** Creates a relay; call `start()` (or `runOnce()` in tests). */
export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { database, publish } = options;
  const batchSize = options.batchSize ?? 100;
  const leaseMs = options.leaseMs ?? 10_000;
  const claimLimit = options.claimLimit ?? Math.ceil(OUTBOX_SHARDS / 2);
  const pollIntervalMs = options.pollIntervalMs ?? 100;
  const maxPollIntervalMs = Math.max(pollIntervalMs, Math.min(options.maxPollIntervalMs ?? 2_000, leaseMs / 4));
  const wakeGapMs = options.wakeGapMs ?? pollIntervalMs;
  const owner = options.owner ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  let held: number[] = [];
  // Local deadline before which our leases are certainly still ours: the database set lease_until to
  // now() + leaseMs no earlier than we sent the statement, and we keep a fifth of the lease as margin.
  let validUntil = 0;
  let renewAfter = 0;
  let cursor = '';
  let running: Promise<void> | undefined;
  let stopping = false;
  // The pending wait's early end, while one runs; a wake-up during a round makes the next wait short.
  let shorten: ((toMs: number) => void) | undefined;
  let pauseWakeable = false;
  let wokenDuringRound = false;
  let roundEndedAt = 0;
  let unsubscribe: Array<() => void> = [];

  /** Extends every lease this relay still holds; shards another relay took (after ours expired) drop out of `held`. */
  async function renew(): Promise<void> {
    const sent = performance.now();
    const renewed = await database.query<{ shard: number }>(
      `UPDATE outbox_leases SET lease_until = now() + $2::INT8 * INTERVAL '1 millisecond'
       WHERE owner = $1 AND lease_until > now() RETURNING shard`,
      [owner, leaseMs],
    );
    held = renewed.map((row) => row.shard).sort((left, right) => left - right);
    validUntil = sent + leaseMs * 0.8;
    renewAfter = sent + leaseMs / 3;
  }

  async function leases(): Promise<void> {
    // Renew what we hold a third of the way into the lease; look for unowned shards (a dead replica's, once
    // its lease ran out) every round, which is one small read when there are none.
    if (held.length > 0 && performance.now() >= renewAfter) await renew();
    if (held.length >= OUTBOX_SHARDS) return;
    const sent = performance.now();
    const claimed = await database.query<{ shard: number }>(
      `UPDATE outbox_leases SET owner = $1, lease_until = now() + $2::INT8 * INTERVAL '1 millisecond'
       WHERE shard IN (SELECT shard FROM outbox_leases WHERE lease_until <= now() ORDER BY shard LIMIT $3 FOR UPDATE SKIP LOCKED)
         AND lease_until <= now()
       RETURNING shard`,
      [owner, leaseMs, claimLimit],
    );
    if (claimed.length === 0) return;
    // Freshly claimed leases outlast the ones renewed earlier, so the deadline of the oldest still holds for all.
    if (held.length === 0) {
      validUntil = sent + leaseMs * 0.8;
      renewAfter = sent + leaseMs / 3;
    }
    held = [...held, ...claimed.map((row) => row.shard)].sort((left, right) => left - right);
  }

  /** Keeps the leases alive while a publish is slow (a paused broker), so no other replica starts repeating the batch. */
  async function whileRenewing<T>(work: () => Promise<T>): Promise<T> {
    const timer = setInterval(() => void renew().catch((error: unknown) => options.logger?.warn({ err: error, owner }, 'outbox lease renewal failed')), Math.max(1, leaseMs / 3));
    try {
      return await work();
    } finally {
      clearInterval(timer);
    }
  }

  async function unsent(after: string): Promise<OutboxRow[]> {
    // Ordered by (event_key, seq) and cut by LIMIT, so every key in the batch comes with a prefix of its unsent
    // rows: never row n+1 without row n. The cursor walks the keys round-robin so no key starves.
    return await database.query<OutboxRow>(
      `SELECT id, event_key, seq, topic, payload, headers, created_at FROM outbox
       WHERE sent_at IS NULL AND shard = ANY($1::INT8[]) AND event_key > $2
       ORDER BY event_key, seq LIMIT $3`,
      [held, after, batchSize],
    );
  }

  async function runOnce(): Promise<number> {
    await leases();
    if (held.length === 0) return 0;
    let rows = await unsent(cursor);
    if (rows.length === 0 && cursor !== '') {
      cursor = '';
      rows = await unsent(cursor);
    }
    if (rows.length === 0) return 0;
    // A lease that may have lapsed while we read: publish nothing; the next round renews or loses it.
    if (performance.now() >= validUntil) {
      renewAfter = 0;
      return 0;
    }
    const messages: OutboxMessage[] = rows.map((row) => ({ id: row.id, topic: row.topic, key: row.event_key, seq: Number(row.seq), payload: row.payload, headers: row.headers, createdAt: row.created_at }));
    await whileRenewing(() => publish(messages));
    // Only now: a row is never marked sent before its publish was acknowledged.
    await database.query('UPDATE outbox SET sent_at = now() WHERE id = ANY($1::UUID[]) AND sent_at IS NULL', [messages.map((message) => message.id)]);
    cursor = rows.length === batchSize ? (rows.at(-1)?.event_key ?? '') : '';
    return messages.length;
  }

  /** Waits `milliseconds`, or less: `shorten(ms)` moves the end to at most `ms` after the last round ended. */
  const pause = (milliseconds: number, wakeable = true) =>
    new Promise<void>((resolve) => {
      pauseWakeable = wakeable;
      const started = performance.now();
      let end = started + milliseconds;
      let timer: NodeJS.Timeout | undefined;
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(done, Math.max(0, end - performance.now()));
      };
      const done = () => {
        clearTimeout(timer);
        shorten = undefined;
        resolve();
      };
      shorten = (toMs) => {
        const earlier = roundEndedAt + toMs;
        if (earlier >= end) return;
        end = earlier;
        if (end <= performance.now()) done();
        else arm();
      };
      if (wokenDuringRound && wakeable) end = Math.min(end, roundEndedAt + wakeGapMs);
      wokenDuringRound = false;
      arm();
    });

  const wake = () => {
    if (!running || stopping) return;
    if (!shorten) wokenDuringRound = true;
    else if (pauseWakeable) shorten(wakeGapMs);
  };

  async function loop(): Promise<void> {
    let failures = 0;
    let idleMs = pollIntervalMs;
    while (!stopping) {
      try {
        const published = await runOnce();
        roundEndedAt = performance.now();
        failures = 0;
        if (published >= batchSize) continue;
        if (published > 0) {
          idleMs = pollIntervalMs;
          await pause(pollIntervalMs);
        } else {
          // Backoff while the outbox stays empty: 100 ms, 200 ms ... up to the maximum.
          await pause(idleMs);
          idleMs = Math.min(maxPollIntervalMs, idleMs * 2);
        }
      } catch (error) {
        roundEndedAt = performance.now();
        failures += 1;
        idleMs = pollIntervalMs;
        options.logger?.warn({ err: error, owner, failures }, 'outbox relay round failed; rows stay unsent and are retried');
        // A wake-up must not hurry a failing relay: the retry waits its backoff in full.
        await pause(Math.min(5_000, pollIntervalMs * 2 ** Math.min(failures, 6)), false);
      }
    }
  }

  return {
    owner,
    runOnce,
    heldShards: () => [...held],
    wake,
    start() {
      if (running) return;
      stopping = false;
      running = loop();
      unsubscribe = [onOutboxCommitted(wake), ...(options.wakeSignal ? [options.wakeSignal(wake)] : [])];
    },
    async stop() {
      stopping = true;
      for (const stopListening of unsubscribe) stopListening();
      unsubscribe = [];
      shorten?.(0);
      await running;
      running = undefined;
      if (held.length > 0) {
        await database.query("UPDATE outbox_leases SET owner = NULL, lease_until = '1970-01-01 00:00:00+00' WHERE owner = $1", [owner]).catch(() => undefined);
        held = [];
      }
    },
  };
}

/** `createOutboxRelay(options)` started: the worker's one-liner. */
export function relayOutbox(options: OutboxRelayOptions): OutboxRelay {
  const relay = createOutboxRelay(options);
  relay.start();
  return relay;
}

/** Deletes sent rows older than `olderThanMs` (default 7 days), at most `limit` per call; answers how many. */
export async function purgeSentOutbox(database: Queryable, options: { olderThanMs?: number; limit?: number } = {}): Promise<number> {
  const rows = await database.query<{ id: string }>(
    `DELETE FROM outbox WHERE id IN (
       SELECT id FROM outbox WHERE sent_at IS NOT NULL AND sent_at < now() - $1::INT8 * INTERVAL '1 millisecond' LIMIT $2
     ) RETURNING id`,
    [options.olderThanMs ?? 7 * 86_400_000, options.limit ?? 1_000],
  );
  return rows.length;
}

/**
 * OUTBOX_RELAY_CRASH_AFTER (test only, ignored when NODE_ENV=production): the worker's relay kills its process
 * once it has published this many messages in total, in the middle of the batch that reaches the count and
 * before any row of that batch is marked sent. Answers the count, or undefined when unset; throws one line for
 * a value that is not a positive integer.
 */
export function outboxRelayCrashAfter(environment: Record<string, string | undefined>): number | undefined {
  const raw = environment['OUTBOX_RELAY_CRASH_AFTER'];
  if (raw === undefined || raw === '' || environment['NODE_ENV'] === 'production') return undefined;
  const count = Number(raw);
  if (!Number.isSafeInteger(count) || count < 1) throw new Error(`OUTBOX_RELAY_CRASH_AFTER: must be a positive integer (a message count), got "${raw}"; unset it outside tests`);
  return count;
}

/**
 * Wraps a publisher so that, once `count` messages went out in total, it calls `crash` (the worker: SIGKILL of
 * its own process) instead of resolving: the batch that reaches the count is published only up to it, the rest
 * of that batch never, and the relay never gets to mark the batch sent. For crash tests of the at-least-once path.
 */
export function crashingPublisher(publish: OutboxPublisher, count: number, crash: () => void): OutboxPublisher {
  let published = 0;
  return async (messages) => {
    const room = count - published;
    if (messages.length < room) {
      await publish(messages);
      published += messages.length;
      return;
    }
    await publish(messages.slice(0, room));
    published += room;
    crash();
    // The crash does not return in the worker; a test's `crash` that does leaves the batch unacknowledged.
    throw new Error(`OUTBOX_RELAY_CRASH_AFTER=${count}: crashed on purpose after ${published} messages`);
  };
}
