import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '@innover/kit/database';
import type { Database } from '@innover/kit';
import { injectFaults, sqlStateError } from '@innover/kit/faults';
import { AmbiguousCommitError, runTransaction } from '@innover/kit/transactions';
import { createTaskClient } from '@innover/kit/queue';
import type { TaskClient } from '@innover/kit/queue';
import { startPostgres, startRedis } from '../../../test/support/peers.js';
import type { PostgresPeer, RedisPeer } from '../../../test/support/peers.js';
import { apiBaseUrl, buildService, spawnService } from '../../../test/support/service-process.js';
import type { ServiceProcess } from '../../../test/support/service-process.js';
import { createServiceClients } from '@innover/kit';
import { customersOver, forexOver, ledgerOver, rulesOver } from '../src/data-access/downstream-services.js';
import { claimStalledPayments, createPaymentStore, findHistory, insertPayment } from '../src/data-access/payments.js';
import type { PaymentView } from '../src/domain/payment.js';
import { crashPoints, reservationId, runPaymentSaga } from '../src/domain/saga.js';
import { startStubDownstream } from './stub-downstream.js';
import type { StubDownstream } from './stub-downstream.js';

// The payment service's API and worker as processes, over real PostgreSQL and Redis, calling an in-test stub
// of wallet, profile, rule-engine, forex and ledger.
let postgres: PostgresPeer;
let redis: RedisPeer;
let stub: StubDownstream;
let database: Database;
let tasks: TaskClient;
let api: ServiceProcess;
let worker: ServiceProcess | undefined;
let baseUrl: string;
let environment: Record<string, string>;
/** The workers' heartbeat file, removed at the end. */
const heartbeats = mkdtempSync(join(tmpdir(), 'innover-payment-int-'));

function startWorker(extra: Record<string, string> = {}): ServiceProcess {
  return spawnService('payment', 'worker', { ...environment, ...extra });
}

async function stopWorker(): Promise<void> {
  if (worker && worker.child.exitCode === null && worker.child.signalCode === null) {
    worker.kill('SIGTERM');
    await worker.exited;
  }
  worker = undefined;
}

beforeAll(async () => {
  buildService('payment');
  [postgres, redis, stub] = await Promise.all([startPostgres(), startRedis(), startStubDownstream()]);
  const databaseUrl = await postgres.createDatabase('payment');
  environment = {
    PORT: '0',
    DATABASE_URL: databaseUrl,
    REDIS_URL: redis.url,
    WALLET_URL: stub.url,
    PROFILE_URL: stub.url,
    RULE_ENGINE_URL: stub.url,
    FOREX_URL: stub.url,
    LEDGER_URL: stub.url,
    SERVICE_CALLS: 'wallet,profile,rule-engine,forex,ledger',
    // Lowered for the test: a dead worker's job is recovered within about two seconds.
    WORKER_LOCK_DURATION_MS: '1500',
    WORKER_STALLED_INTERVAL_MS: '500',
    PAYMENT_RECONCILE_INTERVAL_MS: '1000',
    PAYMENT_STALLED_AFTER_MS: '1000',
    PAYMENT_RESERVATION_TIMEOUT_SECONDS: '60',
    WORKER_HEARTBEAT_FILE: join(heartbeats, 'payment'),
  };
  api = spawnService('payment', 'api', environment);
  baseUrl = await apiBaseUrl(api);
  worker = startWorker();
  await worker.waitForLog((line) => line.msg === 'worker ready');
  database = createDatabase(databaseUrl);
  tasks = createTaskClient(redis.url);
});

afterAll(async () => {
  await stopWorker();
  if (api && api.child.exitCode === null) {
    api.kill('SIGTERM');
    await api.exited;
  }
  await Promise.allSettled([database?.close(), tasks?.close(), stub?.close()]);
  await Promise.allSettled([postgres?.stop(), redis?.stop()]);
  rmSync(heartbeats, { recursive: true, force: true });
});

interface Answer {
  status: number;
  body: Record<string, unknown>;
  replayed: string | null;
}

/** `key` null: no Idempotency-Key header. */
async function postPayment(body: unknown, key: string | null = randomUUID()): Promise<Answer> {
  const response = await fetch(`${baseUrl}/payments`, { method: 'POST', headers: { 'content-type': 'application/json', ...(key !== null ? { 'idempotency-key': key } : {}) }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, replayed: response.headers.get('idempotent-replayed') };
}

async function getJson(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${baseUrl}${path}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Polls GET /payments/:id until the payment is terminal (bounded; the saga is fast, the crash tests wait for lock expiry). */
async function settled(id: string, withinMs = 30_000): Promise<PaymentView> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const { body } = await getJson(`/payments/${id}`);
    const payment = body as unknown as PaymentView;
    if (['completed', 'rejected', 'failed'].includes(payment.status)) return payment;
    if (Date.now() > deadline) throw new Error(`payment ${id} still ${payment.status} after ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function pair(payerCurrency = 'EUR', payeeCurrency = payerCurrency, balance = 100_000) {
  const payer = stub.addWallet(payerCurrency, balance);
  const payee = stub.addWallet(payeeCurrency, 0);
  return { payer, payee, body: (amountMinor: number, extra: Record<string, unknown> = {}) => ({ payerWalletId: payer.walletId, payeeWalletId: payee.walletId, amountMinor, currency: payerCurrency, ...extra }) };
}

describe('POST /payments', () => {
  it('accepts a payment: 202 with the body of GET /payments/:id, pending, history [pending]', async () => {
    const { body } = pair();
    const answer = await postPayment(body(1_250, { reference: 'rent' }));
    expect(answer.status).toBe(202);
    expect(answer.replayed).toBeNull();
    expect(answer.body).toMatchObject({ status: 'pending', amountMinor: 1_250, currency: 'EUR', payeeAmountMinor: 1_250, payeeCurrency: 'EUR', reference: 'rent', history: [{ status: 'pending' }] });
    expect(answer.body['id']).toMatch(/^[0-9a-f-]{36}$/);
    const read = await getJson(`/payments/${String(answer.body['id'])}`);
    expect(read.status).toBe(200);
    expect(Object.keys(read.body).sort()).toEqual(expect.arrayContaining(['id', 'status', 'payerWalletId', 'payeeWalletId', 'amountMinor', 'currency', 'payeeAmountMinor', 'payeeCurrency', 'createdAt', 'history']));
  });

  it('answers 400 idempotency_key_required for a missing key and one over 255 characters, and stores neither', async () => {
    const { body } = pair();
    expect(await postPayment(body(10), null)).toMatchObject({ status: 400, body: { error: 'idempotency_key_required' } });
    const long = 'k'.repeat(256);
    expect(await postPayment(body(10), long)).toMatchObject({ status: 400, body: { error: 'idempotency_key_required' } });
    expect((await postPayment(body(10), 'k'.repeat(255))).status).toBe(202);
  });

  it("answers 400 invalid_request with the kit's issues, not stored: the key works afterwards", async () => {
    const { body } = pair();
    const key = randomUUID();
    const invalid = await postPayment({ ...body(10), amountMinor: -5, payerId: 'alice' }, key);
    expect(invalid.status).toBe(400);
    expect(invalid.body['error']).toBe('invalid_request');
    expect(invalid.body['issues']).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'amountMinor' })]));
    expect((await postPayment(body(10), key)).status).toBe(202);
  });

  it('answers 404 wallet_not_found, 422 same_wallet and 422 currency_mismatch; a replay answers the stored refusal', async () => {
    const { payer, body } = pair('EUR', 'USD');
    const key = randomUUID();
    const unknownPayee = { ...body(10), payeeWalletId: randomUUID() };
    expect(await postPayment(unknownPayee, key)).toMatchObject({ status: 404, body: { error: 'wallet_not_found' }, replayed: null });
    expect(await postPayment(unknownPayee, key)).toMatchObject({ status: 404, body: { error: 'wallet_not_found' }, replayed: 'true' });
    expect(await postPayment({ ...body(10), payerWalletId: randomUUID() })).toMatchObject({ status: 404, body: { error: 'wallet_not_found' } });
    expect(await postPayment({ ...body(10), payeeWalletId: payer.walletId })).toMatchObject({ status: 422, body: { error: 'same_wallet' } });
    expect(await postPayment({ ...body(10), currency: 'USD' })).toMatchObject({ status: 422, body: { error: 'currency_mismatch' } });
  });

  it('replays the stored first body with Idempotent-Replayed: true, even after the payment moved on', async () => {
    const { body } = pair();
    const key = randomUUID();
    const first = await postPayment(body(700), key);
    expect(first.status).toBe(202);
    const done = await settled(String(first.body['id']));
    expect(done.status).toBe('completed');
    const replay = await postPayment(body(700), key);
    expect(replay.status).toBe(202);
    expect(replay.replayed).toBe('true');
    expect(replay.body).toEqual(first.body);
  });

  it('answers 422 idempotency_key_reused for the same key with another body', async () => {
    const { body } = pair();
    const key = randomUUID();
    expect((await postPayment(body(300), key)).status).toBe(202);
    expect(await postPayment(body(301), key)).toMatchObject({ status: 422, body: { error: 'idempotency_key_reused' } });
  });

  it('answers 409 idempotency_key_in_use while the first request with the key is in flight', async () => {
    const { payer, body } = pair();
    const key = randomUUID();
    const hold = stub.holdWallet(payer.walletId);
    const first = postPayment(body(400), key);
    await hold.arrived;
    expect(await postPayment(body(400), key)).toMatchObject({ status: 409, body: { error: 'idempotency_key_in_use' } });
    hold.release();
    expect((await first).status).toBe(202);
  });

  it('creates exactly one payment when one key is sent concurrently; every other answer is 409 or a replay', async () => {
    const { payer, body } = pair();
    const key = randomUUID();
    const answers = await Promise.all(Array.from({ length: 12 }, () => postPayment(body(900), key)));
    const accepted = answers.filter((answer) => answer.status === 202);
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    expect(new Set(accepted.map((answer) => answer.body['id'])).size).toBe(1);
    expect(accepted.filter((answer) => answer.replayed !== 'true')).toHaveLength(1);
    for (const answer of answers.filter((candidate) => candidate.status !== 202)) expect(answer).toMatchObject({ status: 409, body: { error: 'idempotency_key_in_use' } });
    const rows = await database.query<{ count: string }>('SELECT count(*) AS count FROM wallet_payments WHERE payer_wallet_id = $1', [payer.walletId]);
    expect(Number(rows[0]?.count)).toBe(1);
  });
});

describe('GET /payments', () => {
  it('answers 404 payment_not_found for an unknown id and for one that is not a UUID', async () => {
    expect(await getJson(`/payments/${randomUUID()}`)).toMatchObject({ status: 404, body: { error: 'payment_not_found' } });
    expect(await getJson('/payments/not-a-uuid')).toMatchObject({ status: 404, body: { error: 'payment_not_found' } });
  });

  it('lists a payer wallet’s payments newest first with a cursor; limit defaults to 50 and is capped at 200', async () => {
    const { payer, body } = pair();
    const ids: string[] = [];
    for (const amount of [1, 2, 3]) ids.push(String((await postPayment(body(amount))).body['id']));
    const first = await getJson(`/payments?payerWalletId=${payer.walletId}&limit=2`);
    expect(first.status).toBe(200);
    expect((first.body['items'] as PaymentView[]).map((item) => item.id)).toEqual([ids[2], ids[1]]);
    expect(typeof first.body['nextCursor']).toBe('string');
    const second = await getJson(`/payments?payerWalletId=${payer.walletId}&limit=2&cursor=${String(first.body['nextCursor'])}`);
    expect((second.body['items'] as PaymentView[]).map((item) => item.id)).toEqual([ids[0]]);
    expect(second.body['nextCursor']).toBeNull();
    const capped = await getJson(`/payments?payerWalletId=${payer.walletId}&limit=500`);
    expect(capped.status).toBe(200);
    expect((capped.body['items'] as PaymentView[]).length).toBe(3);
    expect((await getJson(`/payments?payerWalletId=${payer.walletId}`)).body['nextCursor']).toBeNull();
    expect(await getJson('/payments')).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect(await getJson(`/payments?payerWalletId=${payer.walletId}&cursor=garbage`)).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
  });
});

describe('the saga through a real worker', () => {
  it('completes a payment in one currency: one posting, the funds moved, events in the outbox', async () => {
    const { payer, payee, body } = pair('EUR', 'EUR', 5_000);
    const accepted = await postPayment(body(1_200));
    const done = await settled(String(accepted.body['id']));
    expect(done).toMatchObject({ status: 'completed', transferId: reservationId(done.id), decision: { outcome: 'approve', reasons: [], ruleSetVersion: 4 } });
    expect(done.history.map((entry) => entry.status)).toEqual(['pending', 'screening', 'reserved', 'completed']);
    expect(stub.postings.get(reservationId(done.id))).toBe(1);
    expect(stub.balances.get(payer.accountId)).toBe(3_800);
    expect(stub.balances.get(payee.accountId)).toBe(1_200);
    const events = await database.query<{ topic: string }>('SELECT topic FROM outbox WHERE event_key = $1 ORDER BY seq', [done.id]);
    expect(events.map((event) => event.topic)).toEqual(['payment.initiated.v1', 'payment.status-changed.v1', 'payment.status-changed.v1', 'payment.status-changed.v1']);
  });

  it('completes a cross-currency payment through a used quote and the fx accounts', async () => {
    const { payee, body } = pair('EUR', 'USD');
    const accepted = await postPayment(body(1_000));
    expect(accepted.body['payeeAmountMinor']).toBeNull();
    const done = await settled(String(accepted.body['id']));
    expect(done).toMatchObject({ status: 'completed', payeeAmountMinor: 1_080, payeeCurrency: 'USD' });
    expect(stub.forex.quotes.get(done.quoteId ?? '')?.usedBy).toBe(done.id);
    expect(stub.transfers.get(reservationId(done.id))?.entries).toHaveLength(4);
    expect(stub.balances.get(payee.accountId)).toBe(1_080);
  });

  it('rejects: rule_rejected with the decision, customer_blocked, customer_not_found, insufficient_funds; none holds a reservation', async () => {
    const rules = pair();
    stub.rules.maxAmountMinor = 5_000;
    const ruled = await settled(String((await postPayment(rules.body(6_000))).body['id']));
    stub.rules.maxAmountMinor = 1_000_000;
    expect(ruled).toMatchObject({ status: 'rejected', reason: { code: 'rule_rejected' }, decision: { outcome: 'reject', reasons: [{ rule: 'max_amount' }] } });

    const blocked = pair();
    stub.customers.set(blocked.payer.customerId, { status: 'blocked', country: 'DE' });
    expect(await settled(String((await postPayment(blocked.body(10))).body['id']))).toMatchObject({ status: 'rejected', reason: { code: 'customer_blocked' } });

    const missing = pair();
    stub.customers.delete(missing.payee.customerId);
    expect(await settled(String((await postPayment(missing.body(10))).body['id']))).toMatchObject({ status: 'rejected', reason: { code: 'customer_not_found' } });

    const poor = pair('EUR', 'EUR', 50);
    const refused = await settled(String((await postPayment(poor.body(51))).body['id']));
    expect(refused).toMatchObject({ status: 'rejected', reason: { code: 'insufficient_funds' } });
    expect(refused.transferId).toBeUndefined();
    expect(stub.transfers.has(reservationId(refused.id))).toBe(false);
  });

  it('fails with quote_expired when the quote expired before its use', async () => {
    const { body } = pair('GBP', 'JPY');
    stub.forex.expireQuotes = true;
    try {
      expect(await settled(String((await postPayment(body(500))).body['id']))).toMatchObject({ status: 'failed', reason: { code: 'quote_expired' } });
    } finally {
      stub.forex.expireQuotes = false;
    }
  });
});

describe('the reconciler', () => {
  it('resumes a payment whose enqueue was lost (stored, never enqueued)', async () => {
    const { payer, payee } = pair();
    const wallet = (side: typeof payer) => stub.wallets.get(side.walletId);
    const id = randomUUID();
    await runTransaction(database, (tx) =>
      insertPayment(tx, {
        id,
        payerWalletId: payer.walletId,
        payeeWalletId: payee.walletId,
        payerCustomerId: wallet(payer)?.customerId ?? '',
        payeeCustomerId: wallet(payee)?.customerId ?? '',
        payerAccountId: payer.accountId,
        payeeAccountId: payee.accountId,
        amountMinor: 77,
        currency: 'EUR',
        payeeCurrency: 'EUR',
      }),
    );
    // The traceparent the POST /payments stored: the resumed saga must continue that trace.
    const traceId = randomUUID().replaceAll('-', '');
    await database.query("UPDATE wallet_payments SET checked_at = now() - INTERVAL '1 minute', traceparent = $2 WHERE id = $1", [id, `00-${traceId}-${'ab'.repeat(8)}-01`]);
    // The kit's schedules run this every PAYMENT_RECONCILE_INTERVAL_MS (1 s here), and one run on demand. Either
    // may claim the payment first; it is claimed once (its checked_at moves on), so the saga runs once, as run 1.
    const { reenqueued } = (await tasks.run({ queue: 'payment', task: 'reconcile-payments', args: {}, timeoutMs: 15_000 })) as { reenqueued: number };
    expect([0, 1]).toContain(reenqueued);
    expect(await settled(id)).toMatchObject({ status: 'completed' });
    expect(stub.postings.get(reservationId(id))).toBe(1);
    const client = new Redis(redis.url);
    try {
      const data = JSON.parse((await client.hget(`bull:payment:run-payment-${id}-1`, 'data')) ?? '{}') as { trace?: { traceparent?: string } };
      expect(data.trace?.traceparent?.split('-')[1]).toBe(traceId);
    } finally {
      client.disconnect();
    }
  });

  it('hands each stalled payment to one claimant when replicas claim at once (SKIP LOCKED)', async () => {
    const ids: string[] = Array.from({ length: 6 }, () => randomUUID());
    for (const id of ids) {
      const { payer, payee } = pair();
      await runTransaction(database, (tx) => insertPayment(tx, { id, payerWalletId: payer.walletId, payeeWalletId: payee.walletId, payerCustomerId: randomUUID(), payeeCustomerId: randomUUID(), payerAccountId: payer.accountId, payeeAccountId: payee.accountId, amountMinor: 5, currency: 'EUR', payeeCurrency: 'EUR' }));
    }
    await database.query("UPDATE wallet_payments SET checked_at = now() - INTERVAL '1 minute' WHERE id = ANY($1::UUID[])", [ids]);
    const claims = await Promise.all([claimStalledPayments(database, 30_000, 100), claimStalledPayments(database, 30_000, 100), claimStalledPayments(database, 30_000, 100)]);
    const claimed = claims.flat().map((claim) => claim.id).filter((id) => ids.includes(id));
    expect(claimed.sort()).toEqual([...ids].sort());
    expect(await claimStalledPayments(database, 30_000, 100)).toEqual([]);
    await database.query("UPDATE wallet_payments SET status = 'failed' WHERE id = ANY($1::UUID[])", [ids]);
  });
});

describe('transitions under injected faults (in process, the saga over the real data-access layer)', () => {
  async function storedPayment(): Promise<string> {
    const { payer, payee } = pair();
    const id = randomUUID();
    const customer = (walletId: string) => stub.wallets.get(walletId)?.customerId ?? '';
    // Stored without an enqueue, and never stale for the test's duration: only this test runs its saga.
    await runTransaction(database, (tx) => insertPayment(tx, { id, payerWalletId: payer.walletId, payeeWalletId: payee.walletId, payerCustomerId: customer(payer.walletId), payeeCustomerId: customer(payee.walletId), payerAccountId: payer.accountId, payeeAccountId: payee.accountId, amountMinor: 42, currency: 'EUR', payeeCurrency: 'EUR' }));
    return id;
  }
  const downstream = () => {
    const url = environment['LEDGER_URL'] ?? '';
    const services = createServiceClients({ urls: { profile: url, 'rule-engine': url, forex: url, ledger: url }, auth: undefined, timeoutMs: 5_000 });
    return { customers: customersOver(services.get('profile')), rules: rulesOver(services.get('rule-engine')), forex: forexOver(services.get('forex')), ledger: ledgerOver(services.get('ledger')) };
  };
  const sagaOptions = { reservationTimeoutSeconds: 60, lastAttempt: false };

  it('retries 40001 on the transition statement, invisibly', async () => {
    const id = await storedPayment();
    const faulty = injectFaults(database, [{ match: /UPDATE wallet_payments SET status/, error: () => sqlStateError('40001'), times: 3 }]);
    const done = await runPaymentSaga(id, { store: createPaymentStore(faulty), ...downstream() }, sagaOptions);
    expect(done?.status).toBe('completed');
    expect(faulty.injected).toHaveLength(3);
    expect((await findHistory(database, id)).map((entry) => entry.status)).toEqual(['pending', 'screening', 'reserved', 'completed']);
  });

  it('takes a 40003 on the transition statement as maybe committed: the retried job finds the transition made and makes it once', async () => {
    const id = await storedPayment();
    // The second transition is screening → reserved (the first is pending → screening); it commits, then the caller hears 40003.
    const faulty = injectFaults(database, [{ match: /UPDATE wallet_payments SET status/, when: 'after', error: () => sqlStateError('40003'), skip: 1 }]);
    await expect(runPaymentSaga(id, { store: createPaymentStore(faulty), ...downstream() }, sagaOptions)).rejects.toThrow(AmbiguousCommitError);
    const done = await runPaymentSaga(id, { store: createPaymentStore(database), ...downstream() }, sagaOptions);
    expect(done?.status).toBe('completed');
    expect(stub.postings.get(reservationId(id))).toBe(1);
    const events = await database.query<{ id: string }>("SELECT id FROM outbox WHERE event_key = $1 AND topic = 'payment.status-changed.v1'", [id]);
    expect(events).toHaveLength(3);
    expect((await findHistory(database, id)).map((entry) => entry.status)).toEqual(['pending', 'screening', 'reserved', 'completed']);
  });
});

describe('crash recovery: PAYMENT_CRASH_AFTER, then a restart', () => {
  it.each(crashPoints.filter((point) => point !== 'void'))('after %s the payment completes with exactly one posting', async (point) => {
    await stopWorker();
    const crashing = startWorker({ PAYMENT_CRASH_AFTER: point });
    await crashing.waitForLog((line) => line.msg === 'worker ready');
    const { body } = pair('EUR', 'USD');
    const accepted = await postPayment(body(2_000));
    const id = String(accepted.body['id']);
    expect(await crashing.exited).toBe('SIGKILL');
    expect(crashing.stderr()).toContain(`PAYMENT_CRASH_AFTER=${point}`);
    worker = startWorker();
    const done = await settled(id);
    expect(done.status).toBe('completed');
    expect(stub.postings.get(reservationId(id))).toBe(1);
    expect(new Set(done.history.map((entry) => entry.status)).size).toBe(done.history.length);
  });

  it('ignores PAYMENT_CRASH_AFTER when NODE_ENV=production', async () => {
    await stopWorker();
    worker = startWorker({ PAYMENT_CRASH_AFTER: 'screening', NODE_ENV: 'production' });
    await worker.waitForLog((line) => line.msg === 'worker ready');
    const { body } = pair();
    expect(await settled(String((await postPayment(body(10))).body['id'])))
      .toMatchObject({ status: 'completed' });
  });
});
