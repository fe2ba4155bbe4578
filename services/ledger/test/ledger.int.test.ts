import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@innover/kit';
import type { Database } from '@innover/kit';
import { createApp } from '@innover/kit/app';
import { createDatabase, runKitMigrations, runMigrations } from '@innover/kit/database';
import { injectFaults, sqlStateError } from '@innover/kit/faults';
import { startPostgres } from '../../../test/support/peers.js';
import type { PostgresPeer } from '../../../test/support/peers.js';
import { ledgerTransactions } from '../src/data-access/ledger-store.js';
import { createLedger } from '../src/domain/ledger.js';
import type { Ledger } from '../src/domain/ledger.js';
import { routesFor } from '../src/entry-points/routes.js';
import { ledgerTasks } from '../src/entry-points/tasks.js';
import { transferChangedCodec } from '@innover/proto/events.js';
import { EntryDirection, TransferStatus } from '@innover/proto/ledger/v1/ledger_pb.js';
import { ledger as ledgerDefinition } from '../src/service.js';

// The ledger's HTTP contract (ISSUE-10.md "ledger") against a real PostgreSQL: the service's routes in the
// kit's app, over a database the test may wrap with injected faults (40003 at COMMIT).
let postgres: PostgresPeer;
let database: Database;
let server: Server;
let base: string;
let current: Ledger;
const logger = createLogger({ serviceName: 'ledger', level: 'silent' });

beforeAll(async () => {
  postgres = await startPostgres();
  database = createDatabase(await postgres.createDatabase('ledger'), { max: 20 });
  await runKitMigrations(database, ledgerDefinition.kitTables ?? [], logger);
  await runMigrations(database, ledgerDefinition.migrationsDirectory ?? '', logger);
  current = createLedger(ledgerTransactions(database));
  const app = createApp({ serviceName: 'ledger', serviceVersion: '0.0.0', logger, readinessChecks: [], routes: (router) => routesFor(router, () => current) });
  server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await database?.close();
  await postgres?.stop();
});

interface Answer<T = Record<string, unknown>> {
  status: number;
  body: T;
}

async function call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<Answer<T>> {
  const response = await fetch(`${base}${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: response.status, body: (await response.json()) as T };
}

interface AccountBody {
  id: string;
  code: string;
  currency: string;
  type: string;
  allowNegative: boolean;
  postedDebitsMinor: number;
  postedCreditsMinor: number;
  pendingDebitsMinor: number;
  pendingCreditsMinor: number;
  balanceMinor: number;
}

interface TransferBody {
  id: string;
  status: string;
  entries: Array<{ accountId: string; direction: string; amountMinor: number }>;
  reference: string | null;
  createdAt: string;
  expiresAt?: string;
}

async function openAccount(code: string, currency: string, type = 'liability', allowNegative?: boolean): Promise<AccountBody> {
  const answer = await call<AccountBody>('POST', '/accounts', { code, currency, type, ...(allowNegative === undefined ? {} : { allowNegative }) });
  expect([200, 201], JSON.stringify(answer.body)).toContain(answer.status);
  return answer.body;
}

const account = async (id: string) => (await call<AccountBody>('GET', `/accounts/${id}`)).body;
const settlement = (currency: string) => openAccount(`settlement:${currency}`, currency, 'asset');
const fx = (currency: string) => openAccount(`fx:${currency}`, currency, 'equity');
const move = (from: string, to: string, amountMinor: number) => [
  { accountId: from, direction: 'debit', amountMinor },
  { accountId: to, direction: 'credit', amountMinor },
];

/** A new customer wallet (liability, no negative) funded from settlement:<CUR> with one posted transfer. */
async function fundedWallet(currency: string, amountMinor: number): Promise<AccountBody> {
  const wallet = await openAccount(`wallet:${randomUUID()}`, currency);
  if (amountMinor > 0) expect((await call('POST', '/transfers', { id: randomUUID(), entries: move((await settlement(currency)).id, wallet.id, amountMinor), reference: 'top-up' })).status).toBe(201);
  return wallet;
}

async function outboxEvents(transferId: string) {
  const rows = await database.query<{ topic: string; event_key: string; seq: string; payload: Buffer; headers: Record<string, string> }>('SELECT topic, event_key, seq, payload, headers FROM outbox WHERE event_key = $1 ORDER BY seq', [transferId]);
  return rows.map((row) => ({ topic: row.topic, key: row.event_key, eventId: row.headers['event-id'], event: transferChangedCodec.decode(row.payload) }));
}

const expireNow = (ids: string[]) => database.query("UPDATE transfers SET expires_at = now() - INTERVAL '1 second' WHERE id = ANY($1::UUID[])", [ids]);

describe('POST /accounts and GET /accounts/:id', () => {
  it('creates an account (201), answers the same code and body with the existing one (200), another body with 409 account_exists', async () => {
    const code = `wallet:${randomUUID()}`;
    const created = await call<AccountBody>('POST', '/accounts', { code, currency: 'EUR', type: 'liability' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.any(String), code, currency: 'EUR', type: 'liability', allowNegative: false, postedDebitsMinor: 0, postedCreditsMinor: 0, pendingDebitsMinor: 0, pendingCreditsMinor: 0, balanceMinor: 0 });
    expect(await call('POST', '/accounts', { code, currency: 'EUR', type: 'liability', allowNegative: false })).toEqual({ status: 200, body: created.body });
    expect(await call('POST', '/accounts', { code, currency: 'USD', type: 'liability' })).toEqual({ status: 409, body: { error: 'account_exists', message: expect.stringContaining(code) } });
    expect(await call('GET', `/accounts/${created.body.id}`)).toEqual({ status: 200, body: created.body });
  });

  it('creates the platform accounts idempotently on first use, even concurrently; they may go negative', async () => {
    const answers = await Promise.all(Array.from({ length: 5 }, () => call<AccountBody>('POST', '/accounts', { code: 'settlement:CHF', currency: 'CHF', type: 'asset' })));
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 200, 200, 200, 201]);
    expect(new Set(answers.map((answer) => answer.body.id)).size).toBe(1);
    expect(answers[0]?.body).toMatchObject({ code: 'settlement:CHF', type: 'asset', allowNegative: true });
    expect((await call('POST', '/accounts', { code: 'fx:CHF', currency: 'CHF', type: 'equity', allowNegative: true })).body).toMatchObject({ type: 'equity', allowNegative: true });
  });

  it('answers 400 invalid_request with issues for a bad body or a platform code that contradicts its definition', async () => {
    const bad = await call<{ error: string; issues: Array<{ path: string }> }>('POST', '/accounts', { code: 'x', currency: 'eur', type: 'cash' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('invalid_request');
    expect(bad.body.issues.map((issue) => issue.path).sort()).toEqual(['currency', 'type']);
    expect(await call('POST', '/accounts', { code: 'fx:EUR', currency: 'EUR', type: 'asset' })).toMatchObject({ status: 400, body: { error: 'invalid_request', issues: [{ path: 'type' }] } });
    expect(await call('POST', '/accounts', { code: 'settlement:EUR', currency: 'USD', type: 'asset' })).toMatchObject({ status: 400, body: { issues: [{ path: 'currency' }] } });
  });

  it('answers 404 account_not_found for an unknown id and for a non-UUID', async () => {
    expect(await call('GET', `/accounts/${randomUUID()}`)).toMatchObject({ status: 404, body: { error: 'account_not_found' } });
    expect(await call('GET', '/accounts/not-a-uuid')).toMatchObject({ status: 404, body: { error: 'account_not_found' } });
  });
});

describe('POST /transfers', () => {
  it('posts a single-phase transfer: 201, balances in each account’s normal direction, one POSTED event', async () => {
    const bank = await settlement('EUR');
    const wallet = await openAccount(`wallet:${randomUUID()}`, 'EUR');
    const before = await account(bank.id);
    const id = randomUUID();
    const created = await call<TransferBody>('POST', '/transfers', { id, entries: move(bank.id, wallet.id, 1_000), reference: 'top-up 1' });
    expect(created).toEqual({ status: 201, body: { id, status: 'posted', entries: move(bank.id, wallet.id, 1_000), reference: 'top-up 1', createdAt: expect.any(String) } });
    expect(await account(wallet.id)).toMatchObject({ postedCreditsMinor: 1_000, postedDebitsMinor: 0, balanceMinor: 1_000 });
    expect((await account(bank.id)).balanceMinor).toBe(before.balanceMinor + 1_000);
    const events = await outboxEvents(id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ topic: 'ledger.transfer-changed.v1', key: id });
    expect(events[0]?.event).toMatchObject({ transferId: id, status: TransferStatus.POSTED, reference: 'top-up 1', twoPhase: false, metadata: { source: 'ledger', eventId: events[0]?.eventId } });
    expect(events[0]?.event.entries.map((entry) => [entry.accountId, entry.direction, entry.amount?.currencyCode, entry.amount?.minorUnits])).toEqual([
      [bank.id, EntryDirection.DEBIT, 'EUR', '1000'],
      [wallet.id, EntryDirection.CREDIT, 'EUR', '1000'],
    ]);
  });

  it('answers the same id and body with 200 and the same body; the same id with another body with 409 transfer_exists', async () => {
    const wallet = await fundedWallet('EUR', 500);
    const other = await openAccount(`wallet:${randomUUID()}`, 'EUR');
    const body = { id: randomUUID(), entries: move(wallet.id, other.id, 100), pending: true };
    const created = await call<TransferBody>('POST', '/transfers', body);
    expect(created.status).toBe(201);
    expect(created.body.expiresAt).toBeDefined();
    expect(created.body.reference).toBeNull();
    // Defaults spelled out are the same body.
    expect(await call('POST', '/transfers', { ...body, timeoutSeconds: 300 })).toEqual({ status: 200, body: created.body });
    expect(await call('POST', '/transfers', { ...body, entries: move(wallet.id, other.id, 101) })).toMatchObject({ status: 409, body: { error: 'transfer_exists' } });
    expect(await call('POST', '/transfers', { ...body, pending: false })).toMatchObject({ status: 409, body: { error: 'transfer_exists' } });
    // Applied once.
    expect((await account(wallet.id)).pendingDebitsMinor).toBe(100);
    expect(await outboxEvents(body.id)).toHaveLength(1);
  });

  it('answers 400 unbalanced, 404 account_not_found, 409 insufficient_funds and 400 invalid_request, changing nothing', async () => {
    const wallet = await fundedWallet('EUR', 300);
    const other = await openAccount(`wallet:${randomUUID()}`, 'EUR');
    const dollars = await openAccount(`wallet:${randomUUID()}`, 'USD');
    const unbalanced = await call('POST', '/transfers', { id: randomUUID(), entries: [...move(wallet.id, other.id, 100), { accountId: other.id, direction: 'credit', amountMinor: 1 }] });
    expect(unbalanced).toMatchObject({ status: 400, body: { error: 'unbalanced', message: expect.stringContaining('EUR') } });
    // Equal totals across two currencies are still unbalanced per currency.
    expect(await call('POST', '/transfers', { id: randomUUID(), entries: move(wallet.id, dollars.id, 100) })).toMatchObject({ status: 400, body: { error: 'unbalanced' } });
    expect(await call('POST', '/transfers', { id: randomUUID(), entries: [{ accountId: wallet.id, direction: 'debit', amountMinor: 100 }] })).toMatchObject({ status: 400, body: { error: 'unbalanced' } });
    expect(await call('POST', '/transfers', { id: randomUUID(), entries: move(wallet.id, randomUUID(), 100) })).toMatchObject({ status: 404, body: { error: 'account_not_found' } });
    expect(await call('POST', '/transfers', { id: randomUUID(), entries: move(wallet.id, other.id, 301) })).toMatchObject({ status: 409, body: { error: 'insufficient_funds', message: expect.stringContaining(wallet.code) } });
    expect(await call('POST', '/transfers', { id: randomUUID(), entries: move(wallet.id, other.id, 301), pending: true })).toMatchObject({ status: 409, body: { error: 'insufficient_funds' } });
    const invalid = await call<{ error: string; issues: Array<{ path: string }> }>('POST', '/transfers', { id: 'nope', entries: [{ accountId: wallet.id, direction: 'debit', amountMinor: 0 }, { accountId: other.id, direction: 'credit', amountMinor: 1.5 }], timeoutSeconds: 0 });
    expect(invalid.status).toBe(400);
    expect(invalid.body.issues.map((issue) => issue.path).sort()).toEqual(['entries.0.amountMinor', 'entries.1.amountMinor', 'id', 'timeoutSeconds']);
    expect(await account(wallet.id)).toMatchObject({ balanceMinor: 300, pendingDebitsMinor: 0, postedDebitsMinor: 0 });
    // Exactly the balance is fine.
    expect((await call('POST', '/transfers', { id: randomUUID(), entries: move(wallet.id, other.id, 300) })).status).toBe(201);
    expect((await account(wallet.id)).balanceMinor).toBe(0);
  });

  it('moves a cross-currency payment as one transfer balanced per currency through fx:<CUR>', async () => {
    const payer = await fundedWallet('EUR', 2_000);
    const payee = await openAccount(`wallet:${randomUUID()}`, 'USD');
    const [fxEur, fxUsd] = [await fx('EUR'), await fx('USD')];
    const id = randomUUID();
    const entries = [
      { accountId: payer.id, direction: 'debit', amountMinor: 1_000 },
      { accountId: fxEur.id, direction: 'credit', amountMinor: 1_000 },
      { accountId: fxUsd.id, direction: 'debit', amountMinor: 1_080 },
      { accountId: payee.id, direction: 'credit', amountMinor: 1_080 },
    ];
    expect((await call('POST', '/transfers', { id, entries, pending: true, reference: 'payment p-1' })).status).toBe(201);
    expect(await account(payer.id)).toMatchObject({ balanceMinor: 2_000, pendingDebitsMinor: 1_000 });
    expect(await account(payee.id)).toMatchObject({ balanceMinor: 0, pendingCreditsMinor: 1_080 });
    expect(await call('POST', `/transfers/${id}/post`)).toMatchObject({ status: 200, body: { status: 'posted' } });
    expect(await account(payer.id)).toMatchObject({ balanceMinor: 1_000, pendingDebitsMinor: 0 });
    expect(await account(payee.id)).toMatchObject({ balanceMinor: 1_080, pendingCreditsMinor: 0 });
    const events = await outboxEvents(id);
    expect(events.map((event) => event.event.status)).toEqual([TransferStatus.PENDING, TransferStatus.POSTED]);
    expect(events[1]?.event.entries.map((entry) => entry.amount?.currencyCode)).toEqual(['EUR', 'EUR', 'USD', 'USD']);
  });
});

describe('two-phase transfers: post, void, expiry', () => {
  it('post moves the reservation to posted; repeating post answers 200; void then answers 409 transfer_already_resolved', async () => {
    const payer = await fundedWallet('EUR', 1_000);
    const payee = await openAccount(`wallet:${randomUUID()}`, 'EUR');
    const id = randomUUID();
    const created = await call<TransferBody>('POST', '/transfers', { id, entries: move(payer.id, payee.id, 400), pending: true, timeoutSeconds: 60 });
    expect(created.body.status).toBe('pending');
    expect(Date.parse(created.body.expiresAt ?? '') - Date.parse(created.body.createdAt)).toBe(60_000);
    // A reservation counts against what may be spent at once.
    expect(await call('POST', '/transfers', { id: randomUUID(), entries: move(payer.id, payee.id, 601) })).toMatchObject({ status: 409, body: { error: 'insufficient_funds' } });
    const posted = await call<TransferBody>('POST', `/transfers/${id}/post`);
    expect(posted).toEqual({ status: 200, body: { ...created.body, status: 'posted' } });
    expect(await call('POST', `/transfers/${id}/post`)).toEqual(posted);
    expect(await call('POST', `/transfers/${id}/void`)).toMatchObject({ status: 409, body: { error: 'transfer_already_resolved' } });
    expect(await call('GET', `/transfers/${id}`)).toEqual(posted);
    expect(await account(payer.id)).toMatchObject({ postedDebitsMinor: 400, pendingDebitsMinor: 0, balanceMinor: 600 });
    expect(await account(payee.id)).toMatchObject({ postedCreditsMinor: 400, pendingCreditsMinor: 0, balanceMinor: 400 });
    expect((await outboxEvents(id)).map((event) => event.event.status)).toEqual([TransferStatus.PENDING, TransferStatus.POSTED]);
  });

  it('void releases the reservation; repeating void answers 200; post then answers 409 transfer_already_resolved', async () => {
    const payer = await fundedWallet('EUR', 1_000);
    const payee = await openAccount(`wallet:${randomUUID()}`, 'EUR');
    const id = randomUUID();
    await call('POST', '/transfers', { id, entries: move(payer.id, payee.id, 1_000), pending: true });
    expect(await call('POST', `/transfers/${id}/void`)).toMatchObject({ status: 200, body: { status: 'voided' } });
    expect(await call('POST', `/transfers/${id}/void`)).toMatchObject({ status: 200, body: { status: 'voided' } });
    expect(await call('POST', `/transfers/${id}/post`)).toMatchObject({ status: 409, body: { error: 'transfer_already_resolved' } });
    expect(await account(payer.id)).toMatchObject({ balanceMinor: 1_000, pendingDebitsMinor: 0 });
    expect(await account(payee.id)).toMatchObject({ balanceMinor: 0, pendingCreditsMinor: 0 });
    expect((await outboxEvents(id)).map((event) => event.event.status)).toEqual([TransferStatus.PENDING, TransferStatus.VOIDED]);
  });

  it('a single-phase transfer cannot be voided; unknown or non-UUID ids answer 404 transfer_not_found', async () => {
    const payer = await fundedWallet('EUR', 10);
    const payee = await openAccount(`wallet:${randomUUID()}`, 'EUR');
    const id = randomUUID();
    await call('POST', '/transfers', { id, entries: move(payer.id, payee.id, 10) });
    expect(await call('POST', `/transfers/${id}/void`)).toMatchObject({ status: 409, body: { error: 'transfer_already_resolved' } });
    expect(await call('POST', `/transfers/${id}/post`)).toMatchObject({ status: 200, body: { status: 'posted' } });
    for (const [method, path] of [['GET', `/transfers/${randomUUID()}`], ['POST', `/transfers/${randomUUID()}/post`], ['POST', `/transfers/${randomUUID()}/void`], ['GET', '/transfers/42']] as const) {
      expect(await call(method, path)).toMatchObject({ status: 404, body: { error: 'transfer_not_found' } });
    }
  });

  it('past its timeout a transfer cannot be posted (409 transfer_expired) even before the job; the job expires it and releases the funds', async () => {
    const payer = await fundedWallet('EUR', 500);
    const payee = await openAccount(`wallet:${randomUUID()}`, 'EUR');
    const id = randomUUID();
    await call('POST', '/transfers', { id, entries: move(payer.id, payee.id, 500), pending: true, reference: 'r-exp' });
    await expireNow([id]);
    expect(await call('POST', `/transfers/${id}/post`)).toMatchObject({ status: 409, body: { error: 'transfer_expired' } });
    expect((await call<TransferBody>('GET', `/transfers/${id}`)).body.status).toBe('pending');
    const task = ledgerTasks['expire-transfers'];
    expect(task?.schema.safeParse(undefined).success).toBe(true);
    await task?.run(task.schema.parse({}), { logger, database, events: undefined, services: { get: () => { throw new Error('expire-transfers calls no service'); } } as never, tasks: undefined, job: { id: 'j', name: 'expire-transfers', attemptsMade: 0 } });
    expect((await call<TransferBody>('GET', `/transfers/${id}`)).body.status).toBe('expired');
    expect(await account(payer.id)).toMatchObject({ balanceMinor: 500, pendingDebitsMinor: 0 });
    expect(await account(payee.id)).toMatchObject({ pendingCreditsMinor: 0 });
    expect(await call('POST', `/transfers/${id}/post`)).toMatchObject({ status: 409, body: { error: 'transfer_expired' } });
    expect(await call('POST', `/transfers/${id}/void`)).toMatchObject({ status: 200, body: { status: 'expired' } });
    const events = await outboxEvents(id);
    expect(events.map((event) => event.event.status)).toEqual([TransferStatus.PENDING, TransferStatus.EXPIRED]);
    expect(events[1]?.event).toMatchObject({ reference: 'r-exp', twoPhase: true, expiresAt: expect.anything() });
  });

  it('two expiry runs at once expire every due transfer exactly once (FOR UPDATE SKIP LOCKED), and leave the others', async () => {
    const payer = await fundedWallet('EUR', 3_000);
    const payee = await openAccount(`wallet:${randomUUID()}`, 'EUR');
    const ids = Array.from({ length: 30 }, () => randomUUID());
    for (const id of ids) expect((await call('POST', '/transfers', { id, entries: move(payer.id, payee.id, 100), pending: true })).status).toBe(201);
    const due = ids.slice(0, 24);
    await expireNow(due);
    const runs = await Promise.all([0, 1].map(() => createLedger(ledgerTransactions(database)).expireTransfers({ batchSize: 5 })));
    expect(runs[0]! + runs[1]!).toBe(24);
    const statuses = await database.query<{ status: string; count: string }>('SELECT status, COUNT(*) AS count FROM transfers WHERE id = ANY($1::UUID[]) GROUP BY status ORDER BY status', [ids]);
    expect(statuses.map((row) => [row.status, Number(row.count)])).toEqual([
      ['expired', 24],
      ['pending', 6],
    ]);
    const expiredEvents = await database.query<{ count: string }>('SELECT COUNT(*) AS count FROM outbox WHERE event_key = ANY($1::TEXT[])', [due]);
    expect(Number(expiredEvents[0]?.count)).toBe(48);
    expect(await account(payer.id)).toMatchObject({ balanceMinor: 3_000, pendingDebitsMinor: 600 });
    expect(await account(payee.id)).toMatchObject({ pendingCreditsMinor: 600 });
  });
});

describe('correctness under faults and concurrency', () => {
  it('a void racing the expiry job over due transfers releases each reservation exactly once', async () => {
    const payer = await fundedWallet('EUR', 1_000);
    const payee = await openAccount(`wallet:${randomUUID()}`, 'EUR');
    const ids = Array.from({ length: 10 }, () => randomUUID());
    for (const id of ids) await call('POST', '/transfers', { id, entries: move(payer.id, payee.id, 100), pending: true });
    await expireNow(ids);
    const [voids] = await Promise.all([Promise.all(ids.map((id) => call<TransferBody>('POST', `/transfers/${id}/void`))), createLedger(ledgerTransactions(database)).expireTransfers({ batchSize: 3 })]);
    expect(voids.every((answer) => answer.status === 200 && ['voided', 'expired'].includes(answer.body.status))).toBe(true);
    expect(await account(payer.id)).toMatchObject({ balanceMinor: 1_000, pendingDebitsMinor: 0 });
    expect(await account(payee.id)).toMatchObject({ pendingCreditsMinor: 0 });
    for (const id of ids) expect((await outboxEvents(id)).map((event) => event.event.status)).toHaveLength(2);
  });

  // A transfer's create and post are each one statement (its own implicit transaction): the fault is injected on
  // the statement, after it ran (committed, its answer lost) or before (nothing ran).
  const createStatement = /INSERT INTO transfers /;
  const resolveStatement = /UPDATE transfers SET status/;

  it('a 40003 on the write (committed, acknowledgement lost) answers from what is stored: one transfer, one event, counters moved once', async () => {
    const payer = await fundedWallet('EUR', 1_000);
    const payee = await openAccount(`wallet:${randomUUID()}`, 'EUR');
    const faulty = injectFaults(database, [{ match: createStatement, when: 'after', error: () => sqlStateError('40003') }]);
    current = createLedger(ledgerTransactions(faulty));
    try {
      const id = randomUUID();
      const created = await call<TransferBody>('POST', '/transfers', { id, entries: move(payer.id, payee.id, 250), pending: true });
      expect(faulty.injected).toHaveLength(1);
      expect(faulty.injected[0]).toMatch(createStatement);
      expect(created).toMatchObject({ status: 201, body: { id, status: 'pending' } });
      expect(await account(payer.id)).toMatchObject({ pendingDebitsMinor: 250 });
      expect(await outboxEvents(id)).toHaveLength(1);
      // The same on post: the re-run finds it posted and answers 200.
      const postFault = injectFaults(database, [{ match: resolveStatement, when: 'after', error: () => sqlStateError('40003') }]);
      current = createLedger(ledgerTransactions(postFault));
      expect(await call('POST', `/transfers/${id}/post`)).toMatchObject({ status: 200, body: { status: 'posted' } });
      expect(postFault.injected).toHaveLength(1);
      expect(await account(payer.id)).toMatchObject({ pendingDebitsMinor: 0, postedDebitsMinor: 250, balanceMinor: 750 });
      expect((await outboxEvents(id)).map((event) => event.event.status)).toEqual([TransferStatus.PENDING, TransferStatus.POSTED]);
    } finally {
      current = createLedger(ledgerTransactions(database));
    }
  });

  it('a 40001 on the write (nothing committed) is retried: the transfer is created once', async () => {
    const payer = await fundedWallet('EUR', 100);
    const payee = await openAccount(`wallet:${randomUUID()}`, 'EUR');
    const faulty = injectFaults(database, [{ match: createStatement, when: 'before', error: () => sqlStateError('40001') }]);
    current = createLedger(ledgerTransactions(faulty));
    try {
      const id = randomUUID();
      expect(await call('POST', '/transfers', { id, entries: move(payer.id, payee.id, 100) })).toMatchObject({ status: 201, body: { status: 'posted' } });
      expect(faulty.injected).toHaveLength(1);
      expect(await account(payer.id)).toMatchObject({ balanceMinor: 0 });
    } finally {
      current = createLedger(ledgerTransactions(database));
    }
  });

  it('50 concurrent pending transfers against a wallet funded for 20: exactly 20 succeed, the rest are insufficient_funds, never below 0', async () => {
    const payer = await fundedWallet('EUR', 20 * 100);
    const payee = await openAccount(`wallet:${randomUUID()}`, 'EUR');
    const answers = await Promise.all(Array.from({ length: 50 }, () => call('POST', '/transfers', { id: randomUUID(), entries: move(payer.id, payee.id, 100), pending: true })));
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(20);
    expect(answers.filter((answer) => answer.status === 409 && answer.body['error'] === 'insufficient_funds')).toHaveLength(30);
    const after = await account(payer.id);
    expect(after).toMatchObject({ balanceMinor: 2_000, pendingDebitsMinor: 2_000 });
    expect(after.balanceMinor - after.pendingDebitsMinor).toBe(0);
    expect((await account(payee.id)).pendingCreditsMinor).toBe(2_000);
  });

  it('50 concurrent top-ups from settlement:<CUR> all succeed: the platform account’s counters are spread over shard rows', async () => {
    const bank = await settlement('SEK');
    const wallets = await Promise.all(Array.from({ length: 50 }, () => openAccount(`wallet:${randomUUID()}`, 'SEK')));
    const answers = await Promise.all(wallets.map((wallet) => call('POST', '/transfers', { id: randomUUID(), entries: move(bank.id, wallet.id, 10) })));
    expect(answers.map((answer) => answer.status)).toEqual(wallets.map(() => 201));
    expect(await account(bank.id)).toMatchObject({ postedDebitsMinor: 500, postedCreditsMinor: 0, balanceMinor: 500 });
    const shards = await database.query<{ count: string }>('SELECT COUNT(*) AS count FROM account_counter_shards WHERE account_id = $1', [bank.id]);
    expect(Number(shards[0]?.count)).toBeGreaterThan(1);
    for (const wallet of wallets.slice(0, 3)) expect((await account(wallet.id)).balanceMinor).toBe(10);
  });

  it('post and void of one pending transfer at once: one resolves it, the other answers 409 or repeats it; the counters move once', async () => {
    for (let round = 0; round < 5; round += 1) {
      const payer = await fundedWallet('EUR', 300);
      const payee = await openAccount(`wallet:${randomUUID()}`, 'EUR');
      const id = randomUUID();
      expect((await call('POST', '/transfers', { id, entries: move(payer.id, payee.id, 300), pending: true })).status).toBe(201);
      const answers = await Promise.all([call<TransferBody>('POST', `/transfers/${id}/post`), call<TransferBody>('POST', `/transfers/${id}/void`), call<TransferBody>('POST', `/transfers/${id}/post`)]);
      const final = (await call<TransferBody>('GET', `/transfers/${id}`)).body.status;
      expect(['posted', 'voided']).toContain(final);
      for (const answer of answers) {
        if (answer.status === 200) expect(answer.body.status).toBe(final);
        else expect(answer).toMatchObject({ status: 409, body: { error: 'transfer_already_resolved' } });
      }
      expect(await account(payer.id)).toMatchObject({ pendingDebitsMinor: 0, balanceMinor: final === 'posted' ? 0 : 300 });
      expect((await outboxEvents(id)).map((event) => event.event.status)).toHaveLength(2);
    }
  });

  it('a replay of a stored transfer answers 200 with its body even when its funds have gone since', async () => {
    const payer = await fundedWallet('EUR', 100);
    const payee = await openAccount(`wallet:${randomUUID()}`, 'EUR');
    const body = { id: randomUUID(), entries: move(payer.id, payee.id, 100) };
    const first = await call<TransferBody>('POST', '/transfers', body);
    expect(first.status).toBe(201);
    expect(await call<TransferBody>('POST', '/transfers', body)).toEqual({ status: 200, body: first.body });
    expect((await account(payer.id)).balanceMinor).toBe(0);
  });

  it('the same transfer id sent concurrently is created once; every answer is its body', async () => {
    const payer = await fundedWallet('EUR', 1_000);
    const payee = await openAccount(`wallet:${randomUUID()}`, 'EUR');
    const body = { id: randomUUID(), entries: move(payer.id, payee.id, 100), pending: true };
    const answers = await Promise.all(Array.from({ length: 10 }, () => call<TransferBody>('POST', '/transfers', body)));
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(answers.map((answer) => JSON.stringify(answer.body))).size).toBe(1);
    expect((await account(payer.id)).pendingDebitsMinor).toBe(100);
  });
});

describe('GET /trial-balance', () => {
  it('sums posted entries per currency; debits equal credits for every currency', async () => {
    const answer = await call<{ currencies: Array<{ currency: string; debitsMinor: number; creditsMinor: number }> }>('GET', '/trial-balance');
    expect(answer.status).toBe(200);
    expect(answer.body.currencies.map((row) => row.currency)).toEqual(expect.arrayContaining(['EUR', 'USD']));
    for (const row of answer.body.currencies) expect(row.debitsMinor, row.currency).toBe(row.creditsMinor);
    // Pending transfers are not in it: the sums equal the accounts' posted counters.
    const posted = await database.query<{ currency: string; debits: string; credits: string }>(
      `SELECT a.currency, SUM(a.posted_debits_minor + COALESCE(s.debits, 0)) AS debits, SUM(a.posted_credits_minor + COALESCE(s.credits, 0)) AS credits
       FROM accounts a LEFT JOIN (SELECT account_id, SUM(posted_debits_minor) AS debits, SUM(posted_credits_minor) AS credits FROM account_counter_shards GROUP BY account_id) s ON s.account_id = a.id
       GROUP BY a.currency ORDER BY a.currency`,
    );
    expect(answer.body.currencies).toEqual(posted.filter((row) => Number(row.debits) > 0).map((row) => ({ currency: row.currency, debitsMinor: Number(row.debits), creditsMinor: Number(row.credits) })));
  });
});
