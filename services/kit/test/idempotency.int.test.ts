import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createApp } from '@innover/kit/app';
import { HttpError, validateBody } from '@innover/kit';
import { startPostgres } from '../../../test/support/peers.js';
import type { PostgresPeer } from '../../../test/support/peers.js';
import { createDatabase, runKitMigrations } from '../src/database.js';
import type { Database } from '../src/database.js';
import { injectFaults, sqlStateError } from '../src/faults.js';
import type { Fault } from '../src/faults.js';
import { completeAbandonedRequests, goTo, idempotent, passTo, reapIdempotencyKeys, respond } from '../src/idempotency.js';
import type { Phases } from '../src/idempotency.js';

// A tiny Express app from the kit's createApp, with the exact HTTP contract of issue 10 over real PostgreSQL.
let postgres: PostgresPeer;
let database: Database;
let server: Server;
let baseUrl: string;
const logger = pino({ level: 'silent' });

/** Gates a test holds shut to keep the first request with a key in flight (inside its phase transaction). */
const gates = new Map<string, { taken: boolean; arrive: () => void; opened: Promise<void> }>();
let faults: Fault[] = [];
const faulted: string[][] = [];
let foreignCalls = 0;
let failForeignCall = false;

const paymentBody = z.strictObject({ amountMinor: z.number().int().positive(), currency: z.string().length(3), mode: z.enum(['ok', 'missing', 'bad']).optional() });

// The payment route: one atomic phase creates the payment and stores the response.
const paymentHandler = (target: () => Database) =>
  idempotent({
    get database() {
      return target();
    },
    handle: async (tx, request) => {
      const body = request.body as z.infer<typeof paymentBody>;
      if (body.mode === 'missing') throw new HttpError(404, 'wallet_not_found', 'no wallet with that id');
      if (body.mode === 'bad') throw new HttpError(400, 'unbalanced', 'entries do not balance');
      const hold = gates.get(request.key);
      if (hold && !hold.taken) {
        hold.taken = true;
        hold.arrive();
        await hold.opened;
      }
      const [row] = await tx.query<{ id: string; created_at: Date }>('INSERT INTO payments (id, amount_minor, currency) VALUES ($1, $2, $3) RETURNING id, created_at', [randomUUID(), body.amountMinor, body.currency]);
      return respond(202, { id: row?.id, status: 'pending', amountMinor: body.amountMinor, currency: body.currency, createdAt: row?.created_at });
    },
  });

// A top-up in three phases, Brandur-style: create the row, call the ledger (a foreign, idempotent call), finish.
const topUpPhases: Phases = {
  started: (context) =>
    context.atomic(async (tx) => {
      const [row] = await tx.query<{ id: string }>('INSERT INTO top_ups (id, wallet_id, amount_minor) VALUES ($1, $2, $3) RETURNING id', [randomUUID(), context.params['id'], (context.body as { amountMinor: number }).amountMinor]);
      return goTo('top_up_created', { topUpId: row?.id ?? '' });
    }),
  top_up_created: async () => {
    foreignCalls += 1;
    if (failForeignCall) {
      failForeignCall = false;
      throw new Error('ledger unreachable');
    }
    return goTo('transfer_posted');
  },
  transfer_posted: (context) =>
    context.atomic(async (tx) => {
      const [row] = await tx.query<{ id: string; amount_minor: string }>("UPDATE top_ups SET status = 'posted' WHERE id = $1 RETURNING id, amount_minor", [context.state['topUpId']]);
      return respond(201, { id: row?.id, walletId: context.params['id'], amountMinor: Number(row?.amount_minor) });
    }),
};

// An order in two phases: a foreign read (a price look-up) that passTo's, then one atomic phase storing the order
// and the response. Counts the transactions it opens (one connection per attempt).
let lookups = 0;
let failStore = false;
let transactions = 0;
const orderPhases: Phases = {
  started: async () => {
    lookups += 1;
    return passTo('priced', { priceMinor: 700 });
  },
  priced: (context) =>
    context.atomic(async (tx) => {
      if (failStore) {
        failStore = false;
        throw new Error('database hiccup');
      }
      const [row] = await tx.query<{ id: string }>('INSERT INTO payments (id, amount_minor, currency) VALUES ($1, $2, $3) RETURNING id', [randomUUID(), context.state['priceMinor'], 'EUR']);
      return respond(201, { id: row?.id, priceMinor: context.state['priceMinor'] });
    }),
};

// A receipt in one statement (`atomicStatement`): the key records the 201 as the row is written, gated on it.
let takeOverBeforeWrite = false;
const receiptPhases: Phases = {
  started: async (context) => {
    if (takeOverBeforeWrite) {
      takeOverBeforeWrite = false;
      // Another request took the key over (its lock timed out): this one's write must not land.
      await database.query('UPDATE idempotency_keys SET lock_token = $2 WHERE idempotency_key = $1', [context.key, randomUUID()]);
    }
    const id = randomUUID();
    const amountMinor = (context.body as { amountMinor: number }).amountMinor;
    return await context.atomicStatement(respond(201, { id, amountMinor }), (gate, first) => ({
      ctes: `receipt AS (INSERT INTO payments (id, amount_minor, currency) SELECT $${first}::UUID, $${first + 1}::INT8, 'EUR' FROM ${gate} RETURNING id)`,
      values: [id, amountMinor],
    }));
  },
};

beforeAll(async () => {
  postgres = await startPostgres();
  database = createDatabase(await postgres.createDatabase('kit_idempotency'), { max: 30 });
  await runKitMigrations(database, ['idempotency'], logger);
  await database.query('CREATE TABLE payments (id UUID PRIMARY KEY, amount_minor BIGINT NOT NULL, currency TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL DEFAULT now())');
  await database.query("CREATE TABLE top_ups (id UUID PRIMARY KEY, wallet_id TEXT NOT NULL, amount_minor BIGINT NOT NULL, status TEXT NOT NULL DEFAULT 'pending')");
  const faulty = () => {
    if (faults.length === 0) return database;
    const wrapped = injectFaults(database, faults);
    faulted.push(wrapped.injected);
    return wrapped;
  };
  let current: Database = database;
  const app = createApp({
    serviceName: 'payment',
    serviceVersion: '0.0.0',
    logger,
    readinessChecks: [],
    routes: (router) => {
      router.use((_request, _response, next) => {
        current = faulty();
        next();
      });
      router.post('/payments', validateBody(paymentBody), paymentHandler(() => current));
      router.post('/quotes', idempotent({ database, optional: true, handle: async (tx) => respond(201, { id: (await tx.query<{ id: string }>('INSERT INTO payments (id, amount_minor, currency) VALUES ($1, 1, $2) RETURNING id', [randomUUID(), 'JPY']))[0]?.id }) }));
      const counting: Database = {
        query: (sql, parameters) => database.query(sql, parameters),
        connect: async () => {
          transactions += 1;
          return await database.connect();
        },
        close: () => database.close(),
      };
      router.post('/orders', idempotent({ database: counting, phases: orderPhases }));
      router.post(
        '/receipts',
        idempotent({
          get database() {
            return Object.assign(Object.create(current) as Database, { connect: counting.connect });
          },
          phases: receiptPhases,
        }),
      );
      router.post('/wallets/:id/top-ups', validateBody(z.strictObject({ amountMinor: z.number().int().positive() })), idempotent({ database, phases: topUpPhases }));
    },
  });
  server = app.listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await database?.close();
  await postgres?.stop();
});

beforeEach(async () => {
  gates.clear();
  faults = [];
  foreignCalls = 0;
  failForeignCall = false;
  lookups = 0;
  failStore = false;
  transactions = 0;
  takeOverBeforeWrite = false;
  await database.query('DELETE FROM payments');
  await database.query('DELETE FROM top_ups');
  await database.query('DELETE FROM idempotency_keys');
});

async function post(path: string, body: unknown, key?: string) {
  const response = await fetch(`${baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(key === undefined ? {} : { 'idempotency-key': key }) }, body: JSON.stringify(body) });
  return { status: response.status, replayed: response.headers.get('idempotent-replayed'), body: (await response.json()) as Record<string, unknown> };
}

const payment = { amountMinor: 1_250, currency: 'EUR' };
const count = async (table: string) => Number((await database.query<{ count: string }>(`SELECT count(*) AS count FROM ${table}`))[0]?.count);

/** Holds the first request with `key` inside its phase; `arrived` resolves once it is waiting there. */
function holdGate(key: string) {
  let release: () => void = () => undefined;
  let arrive: () => void = () => undefined;
  const arrived = new Promise<void>((resolve) => (arrive = resolve));
  gates.set(key, { taken: false, arrive, opened: new Promise<void>((resolve) => (release = resolve)) });
  return { release, arrived };
}

describe('idempotent(): the issue-10 contract', () => {
  it('replays the same status and the stored first body with Idempotent-Replayed: true, even after the state changed', async () => {
    const first = await post('/payments', payment, 'key-replay');
    expect(first.status).toBe(202);
    expect(first.replayed).toBeNull();
    await database.query("UPDATE payments SET currency = 'USD'");
    const replay = await post('/payments', { currency: 'EUR', amountMinor: 1_250 }, 'key-replay');
    expect(replay.status).toBe(202);
    expect(replay.replayed).toBe('true');
    expect(replay.body).toEqual(first.body);
    expect(await count('payments')).toBe(1);
  });

  it('the same key with a different body, or on another path → 422 idempotency_key_reused', async () => {
    await post('/payments', payment, 'key-reused');
    const other = await post('/payments', { ...payment, amountMinor: 1 }, 'key-reused');
    expect(other).toMatchObject({ status: 422, body: { error: 'idempotency_key_reused' } });
    expect(typeof other.body['message']).toBe('string');
    expect((await post('/wallets/w-1/top-ups', { amountMinor: 1_250 }, 'key-reused')).body['error']).toBe('idempotency_key_reused');
    expect(await count('payments')).toBe(1);
  });

  it('the same key while the first request is in flight → 409 idempotency_key_in_use, then the first answers normally', async () => {
    const { release, arrived } = holdGate('key-flight');
    const first = post('/payments', payment, 'key-flight');
    await arrived;
    const second = await post('/payments', payment, 'key-flight');
    expect(second).toMatchObject({ status: 409, body: { error: 'idempotency_key_in_use' } });
    release();
    expect((await first).status).toBe(202);
    expect((await post('/payments', payment, 'key-flight')).replayed).toBe('true');
  });

  it('a missing key, or one over 255 characters → 400 idempotency_key_required, not stored', async () => {
    expect(await post('/payments', payment)).toMatchObject({ status: 400, body: { error: 'idempotency_key_required' } });
    expect(await post('/payments', payment, 'k'.repeat(256))).toMatchObject({ status: 400, body: { error: 'idempotency_key_required' } });
    expect(await count('idempotency_keys')).toBe(0);
    expect((await post('/payments', payment, 'k'.repeat(255))).status).toBe(202);
    // An invalid body is the kit's 400 and never reaches the key.
    expect((await post('/payments', { amountMinor: -1, currency: 'EUR' }, 'key-invalid')).body).toMatchObject({ error: 'invalid_request', issues: [{ path: 'amountMinor' }] });
    expect(await count('idempotency_keys')).toBe(1);
  });

  it('20 concurrent requests with one key create exactly one payment; every other answer is 409 in use or a replay', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, () => post('/payments', payment, 'key-race')));
    expect(await count('payments')).toBe(1);
    const created = answers.filter((answer) => answer.status === 202 && answer.replayed === null);
    expect(created).toHaveLength(1);
    for (const answer of answers) {
      if (answer === created[0]) continue;
      if (answer.status === 409) expect(answer.body['error']).toBe('idempotency_key_in_use');
      else expect(answer).toMatchObject({ status: 202, replayed: 'true', body: created[0]?.body });
    }
  });

  it('20 concurrent requests while the first is held in flight: one creates, the other 19 are 409', async () => {
    const { release, arrived } = holdGate('key-held');
    const first = post('/payments', payment, 'key-held');
    await arrived;
    const others = await Promise.all(Array.from({ length: 19 }, () => post('/payments', payment, 'key-held')));
    expect(others.map((answer) => answer.status)).toEqual(Array.from({ length: 19 }, () => 409));
    release();
    expect((await first).status).toBe(202);
    expect(await count('payments')).toBe(1);
  });

  it('stores a 4xx outcome (replayed), but not a 400: the key can be used again', async () => {
    const missing = await post('/payments', { ...payment, mode: 'missing' }, 'key-404');
    expect(missing).toMatchObject({ status: 404, body: { error: 'wallet_not_found', message: 'no wallet with that id' } });
    expect(await post('/payments', { ...payment, mode: 'missing' }, 'key-404')).toMatchObject({ status: 404, replayed: 'true', body: missing.body });
    expect(await post('/payments', { ...payment, mode: 'bad' }, 'key-400')).toMatchObject({ status: 400, body: { error: 'unbalanced' } });
    expect(await database.query("SELECT idempotency_key FROM idempotency_keys WHERE idempotency_key = 'key-400'")).toEqual([]);
    expect((await post('/payments', payment, 'key-400')).status).toBe(202);
  });

  it('resumes a crashed request’s key once its lock timed out, and a request that lost its lock commits nothing', async () => {
    // A crashed request: locked long ago at `started`, never finished.
    await database.query(
      `INSERT INTO idempotency_keys (idempotency_key, request_method, request_path, request_hash, request_body, request_params, recovery_point, recovery_state, locked_at, lock_token)
       SELECT 'key-crashed', 'POST', '/payments', $1, $2, '{}', 'started', '{}', now() - INTERVAL '1 hour', $3`,
      [(await import('../src/idempotency.js')).requestFingerprint({ method: 'POST', path: '/payments', body: payment }), JSON.stringify(payment), randomUUID()],
    );
    expect((await post('/payments', payment, 'key-crashed')).status).toBe(202);
    expect(await count('payments')).toBe(1);

    // A slow request whose lock times out: another takes over and finishes; the slow one's phase is fenced out.
    const { release, arrived } = holdGate('key-slow');
    const slow = post('/payments', payment, 'key-slow');
    await arrived;
    await database.query("UPDATE idempotency_keys SET locked_at = now() - INTERVAL '1 hour' WHERE idempotency_key = 'key-slow'");
    const takeover = await post('/payments', payment, 'key-slow');
    expect(takeover.status).toBe(202);
    release();
    expect(await slow).toMatchObject({ status: 409, body: { error: 'idempotency_key_in_use' } });
    expect(await count('payments')).toBe(2);
    expect(await post('/payments', payment, 'key-slow')).toMatchObject({ status: 202, replayed: 'true', body: takeover.body });
  });

  it('multi-phase: a failure after the first phase answers 500 and the retry resumes from the recovery point', async () => {
    failForeignCall = true;
    const failed = await post('/wallets/w-7/top-ups', { amountMinor: 900 }, 'key-topup');
    expect(failed).toMatchObject({ status: 500, body: { error: 'internal' } });
    expect(await database.query("SELECT recovery_point, locked_at FROM idempotency_keys WHERE idempotency_key = 'key-topup'")).toEqual([{ recovery_point: 'top_up_created', locked_at: null }]);
    const retried = await post('/wallets/w-7/top-ups', { amountMinor: 900 }, 'key-topup');
    expect(retried).toMatchObject({ status: 201, body: { walletId: 'w-7', amountMinor: 900 } });
    expect(await count('top_ups')).toBe(1);
    expect(foreignCalls).toBe(2);
    expect(await post('/wallets/w-7/top-ups', { amountMinor: 900 }, 'key-topup')).toMatchObject({ status: 201, replayed: 'true', body: retried.body });
  });

  it('passTo: the look-up phase has no transaction of its own (a new key is one statement, then the order with its response is the one transaction); a failure after it resumes from before it', async () => {
    const created = await post('/orders', { sku: 'a' }, 'key-order-1');
    expect(created).toMatchObject({ status: 201, body: { priceMinor: 700 } });
    expect({ transactions, lookups }).toEqual({ transactions: 1, lookups: 1 });
    expect(await post('/orders', { sku: 'a' }, 'key-order-1')).toMatchObject({ status: 201, replayed: 'true', body: created.body });

    failStore = true;
    expect((await post('/orders', { sku: 'b' }, 'key-order-2')).status).toBe(500);
    // Nothing of the look-up was recorded: the key is where the first transaction left it.
    expect(await database.query("SELECT recovery_point, recovery_state FROM idempotency_keys WHERE idempotency_key = 'key-order-2'")).toEqual([{ recovery_point: 'started', recovery_state: {} }]);
    const retried = await post('/orders', { sku: 'b' }, 'key-order-2');
    expect(retried).toMatchObject({ status: 201, body: { priceMinor: 700 } });
    expect(lookups).toBe(3);
    expect(await count('payments')).toBe(2);
  });

  it('40003 on the phase’s COMMIT: settled by re-reading the key, whether the commit happened or not; one payment either way', async () => {
    // The only COMMIT is the phase's (a new key's insert is a statement of its own). `after`: committed, reply lost.
    faults = [{ match: 'COMMIT', when: 'after', error: () => sqlStateError('40003') }];
    const committed = await post('/payments', payment, 'key-ambiguous-1');
    expect(committed.status).toBe(202);
    expect(await count('payments')).toBe(1);
    // `before`: never reached the server; the phase runs again.
    faults = [{ match: 'COMMIT', error: () => sqlStateError('40003') }];
    const rerun = await post('/payments', payment, 'key-ambiguous-2');
    expect(rerun.status).toBe(202);
    expect(await count('payments')).toBe(2);
    faults = [];
    expect(faulted.slice(-2)).toEqual([['COMMIT'], ['COMMIT']]);
    expect((await post('/payments', payment, 'key-ambiguous-1')).body).toEqual(committed.body);
    expect((await post('/payments', payment, 'key-ambiguous-2')).body).toEqual(rerun.body);
  });

  it('atomicStatement: the key and the phase’s row in one statement each, no transaction; a replay answers the stored body', async () => {
    const created = await post('/receipts', { amountMinor: 42 }, 'key-receipt-1');
    expect(created).toMatchObject({ status: 201, body: { amountMinor: 42 } });
    expect(transactions).toBe(0);
    expect(await post('/receipts', { amountMinor: 42 }, 'key-receipt-1')).toMatchObject({ status: 201, replayed: 'true', body: created.body });
    expect(await database.query('SELECT id FROM payments')).toEqual([{ id: created.body['id'] }]);
  });

  it('atomicStatement: a 40003 after the statement committed is settled from the key (one row); a lost lock writes nothing and answers 409', async () => {
    faults = [{ match: /WITH key_recorded AS/, when: 'after', error: () => sqlStateError('40003') }];
    const committed = await post('/receipts', { amountMinor: 7 }, 'key-receipt-2');
    expect(committed).toMatchObject({ status: 201, body: { amountMinor: 7 } });
    expect(faulted.at(-1)).toHaveLength(1);
    faults = [];
    expect(await post('/receipts', { amountMinor: 7 }, 'key-receipt-2')).toMatchObject({ status: 201, replayed: 'true', body: committed.body });
    expect(await count('payments')).toBe(1);
    takeOverBeforeWrite = true;
    expect(await post('/receipts', { amountMinor: 9 }, 'key-receipt-3')).toMatchObject({ status: 409, body: { error: 'idempotency_key_in_use' } });
    expect(await count('payments')).toBe(1);
  });

  it('the completer finishes an abandoned multi-phase request; the client’s retry then gets the stored response', async () => {
    failForeignCall = true;
    await post('/wallets/w-9/top-ups', { amountMinor: 300 }, 'key-abandoned');
    await database.query("UPDATE idempotency_keys SET locked_at = now() - INTERVAL '1 hour'");
    expect(await completeAbandonedRequests(database, ({ path }) => (path.endsWith('/top-ups') ? topUpPhases : undefined))).toBe(1);
    expect(await completeAbandonedRequests(database, () => topUpPhases)).toBe(0);
    expect(await post('/wallets/w-9/top-ups', { amountMinor: 300 }, 'key-abandoned')).toMatchObject({ status: 201, replayed: 'true', body: { walletId: 'w-9', amountMinor: 300 } });
  });

  it('where the key is optional: without one each request runs and nothing is stored; with one it is honoured', async () => {
    const first = await post('/quotes', {});
    const second = await post('/quotes', {});
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(first.body['id']).not.toBe(second.body['id']);
    expect(await count('idempotency_keys')).toBe(0);
    const keyed = await post('/quotes', {}, 'key-quote');
    expect(await post('/quotes', {}, 'key-quote')).toMatchObject({ status: 201, replayed: 'true', body: keyed.body });
    expect((await post('/quotes', {}, 'q'.repeat(256))).status).toBe(400);
    expect(await count('payments')).toBe(3);
  });

  it('the reaper deletes keys past the retention (at least 24 h) and keeps the rest', async () => {
    await post('/payments', payment, 'key-old');
    await post('/payments', payment, 'key-new');
    await database.query("UPDATE idempotency_keys SET created_at = now() - INTERVAL '25 hours' WHERE idempotency_key = 'key-old'");
    await expect(reapIdempotencyKeys(database, { retentionMs: 3_600_000 })).rejects.toThrow(/at least 24 h/);
    expect(await reapIdempotencyKeys(database)).toBe(1);
    expect(await database.query('SELECT idempotency_key FROM idempotency_keys')).toEqual([{ idempotency_key: 'key-new' }]);
  });
});
