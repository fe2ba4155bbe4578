import { randomUUID } from 'node:crypto';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, startApi } from '@innover/kit';
import type { ApiHandle, Database } from '@innover/kit';
import { createDatabase } from '@innover/kit/database';
import { injectFaults, sqlStateError } from '@innover/kit/faults';
import { AmbiguousCommitError } from '@innover/kit/transactions';
import { startPostgres } from '../../../test/support/peers.js';
import type { PostgresPeer } from '../../../test/support/peers.js';
import { ledgerAccounts, profileCustomers } from '../src/clients/http-ports.js';
import { EntryDirection, ledgerTransferChangedCodec, TransferStatus } from '../src/clients/ledger-events.js';
import { walletStore } from '../src/data-access/wallet-store.js';
import { uuidV5 } from '@innover/kit';
import { handleTransferChanged, TRANSFER_CHANGED_TOPIC } from '../src/entry-points/subscriptions.js';
import { maintainIdempotencyKeys, maintainIdempotencyKeysTask } from '../src/entry-points/tasks.js';
import { walletOpenedCodec } from '@innover/proto/events.js';
import { walletService } from '../src/service.js';
import { httpServiceClient } from './support/http-service-client.js';
import { startLedgerStub, startProfileStub } from './support/peer-stubs.js';
import type { Stub } from './support/peer-stubs.js';

// The wallet API in-process on real PostgreSQL; profile and ledger are in-test HTTP stubs of their contracts,
// reached through the wallet's own HTTP adapters. The projection consumer gets encoded protobuf events.
let postgres: PostgresPeer;
let api: ApiHandle;
let database: Database;
let profile: Stub;
let ledger: Awaited<ReturnType<typeof startLedgerStub>>;
let definition: ReturnType<typeof walletService>;
const customers = new Map<string, { status: string; country: string }>();
const logger = createLogger({ serviceName: 'wallet-test', level: 'silent' });

beforeAll(async () => {
  postgres = await startPostgres();
  const databaseUrl = await postgres.createDatabase('wallet');
  [profile, ledger] = await Promise.all([startProfileStub(customers), startLedgerStub()]);
  definition = walletService({
    peers: () => ({
      customers: profileCustomers(() => httpServiceClient('profile', () => profile.url)),
      ledger: ledgerAccounts(() => httpServiceClient('ledger', () => ledger.url)),
    }),
  });
  api = await startApi(definition, { SERVICE_NAME: 'wallet', PORT: '0', DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' });
  database = createDatabase(databaseUrl);
});

afterAll(async () => {
  await api?.shutdown();
  await database?.close();
  await Promise.allSettled([profile?.close(), ledger?.close()]);
  await postgres?.stop();
});

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(`http://127.0.0.1:${api.port}${path}`, { method, headers: { 'content-type': 'application/json', ...headers }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: response.status, json: (await response.json()) as Record<string, unknown>, headers: response.headers };
}

function customer(status = 'active'): string {
  const id = randomUUID();
  customers.set(id, { status, country: 'DE' });
  return id;
}

async function openWallet(currency = 'EUR'): Promise<{ id: string; ledgerAccountId: string; customerId: string }> {
  const created = await call('POST', '/wallets', { customerId: customer(), currency });
  expect(created.status).toBe(201);
  return created.json as { id: string; ledgerAccountId: string; customerId: string };
}

/** One `ledger.transfer-changed.v1` delivery as the consumer receives it. */
function transferEvent(transferId: string, status: TransferStatus, entries: Array<{ accountId: string; direction: 'debit' | 'credit'; amountMinor: number }>, options: { eventId?: string; at?: Date; reference?: string } = {}) {
  const bytes = ledgerTransferChangedCodec.encode({
    metadata: { eventId: options.eventId ?? randomUUID(), source: 'ledger', occurredAt: timestampFromDate(options.at ?? new Date()) },
    transferId,
    status,
    entries: entries.map((entry) => ({ accountId: entry.accountId, direction: entry.direction === 'debit' ? EntryDirection.DEBIT : EntryDirection.CREDIT, amount: { currencyCode: 'EUR', minorUnits: String(entry.amountMinor) } })),
    reference: options.reference ?? `ref:${transferId}`,
  });
  const value = ledgerTransferChangedCodec.decode(bytes);
  return { topic: TRANSFER_CHANGED_TOPIC, key: transferId, value, headers: { 'event-id': value.metadata?.eventId ?? '' } };
}

const settlement = '99999999-9999-4999-8999-999999999999';

describe('POST /wallets', () => {
  it('answers 201 with the wallet, opened a liability ledger account wallet:<id>, and enqueued wallet.opened.v1 in the outbox', async () => {
    const customerId = customer();
    const created = await call('POST', '/wallets', { customerId, currency: 'EUR' });
    expect(created.status).toBe(201);
    const id = uuidV5(customerId, 'wallet:EUR');
    expect(Object.keys(created.json).sort()).toEqual(['createdAt', 'currency', 'customerId', 'id', 'ledgerAccountId']);
    expect(created.json).toMatchObject({ id, customerId, currency: 'EUR', ledgerAccountId: ledger.accounts.get(`wallet:${id}`)?.id });
    expect(ledger.accounts.get(`wallet:${id}`)).toMatchObject({ currency: 'EUR', type: 'liability', allowNegative: false });
    const [row] = await database.query<{ topic: string; event_key: string; payload: Buffer }>('SELECT topic, event_key, payload FROM outbox WHERE event_key = $1', [id]);
    expect(row).toMatchObject({ topic: 'wallet.opened.v1', event_key: id });
    expect(walletOpenedCodec.decode(new Uint8Array(row?.payload ?? []))).toMatchObject({ walletId: id, customerId, currencyCode: 'EUR', ledgerAccountId: created.json['ledgerAccountId'] });
  });

  it('answers 409 wallet_exists for a second wallet in the same currency, and 201 in another', async () => {
    const customerId = customer();
    expect((await call('POST', '/wallets', { customerId, currency: 'EUR' })).status).toBe(201);
    const again = await call('POST', '/wallets', { customerId, currency: 'EUR' });
    expect(again).toMatchObject({ status: 409, json: { error: 'wallet_exists' } });
    expect((await call('POST', '/wallets', { customerId, currency: 'USD' })).status).toBe(201);
  });

  it('answers 404 customer_not_found for a customer profile does not know', async () => {
    const created = await call('POST', '/wallets', { customerId: randomUUID(), currency: 'EUR' });
    expect(created).toMatchObject({ status: 404, json: { error: 'customer_not_found' } });
  });

  it('answers 400 invalid_request with issues for a bad body', async () => {
    const created = await call('POST', '/wallets', { customerId: 'ada', currency: 'euro', extra: 1 });
    expect(created.status).toBe(400);
    expect(created.json['error']).toBe('invalid_request');
    expect((created.json['issues'] as Array<{ path: string }>).map((issue) => issue.path).sort()).toEqual(['(body)', 'currency', 'customerId']);
  });

  it('races safely: ten concurrent creates give one 201 and nine 409 wallet_exists, one row, one event', async () => {
    const customerId = customer();
    const answers = await Promise.all(Array.from({ length: 10 }, () => call('POST', '/wallets', { customerId, currency: 'GBP' })));
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, ...Array<number>(9).fill(409)]);
    expect(answers.filter((answer) => answer.status === 409).every((answer) => answer.json['error'] === 'wallet_exists')).toBe(true);
    expect(await database.query('SELECT id FROM customer_wallets WHERE customer_id = $1', [customerId])).toHaveLength(1);
    expect(await database.query('SELECT id FROM outbox WHERE event_key = $1', [uuidV5(customerId, 'wallet:GBP')])).toHaveLength(1);
  });

  it('converges after a crash between the ledger account and the wallet row: the retry gets the account the ledger opened', async () => {
    const customerId = customer();
    const id = uuidV5(customerId, 'wallet:EUR');
    // What the crashed request left behind: the ledger account, no wallet row.
    const orphan = await ledgerAccounts(() => httpServiceClient('ledger', () => ledger.url)).openAccount({ code: `wallet:${id}`, currency: 'EUR' });
    const created = await call('POST', '/wallets', { customerId, currency: 'EUR' });
    expect(created).toMatchObject({ status: 201, json: { id, ledgerAccountId: orphan.id } });
  });

  it('answers 503 service_unavailable while profile is down, and works once it is back', async () => {
    const customerId = customer();
    profile.down = true;
    try {
      expect(await call('POST', '/wallets', { customerId, currency: 'EUR' })).toMatchObject({ status: 503, json: { error: 'service_unavailable' } });
    } finally {
      profile.down = false;
    }
    expect((await call('POST', '/wallets', { customerId, currency: 'EUR' })).status).toBe(201);
  });
});

describe('POST /wallets/:id/top-ups', () => {
  it('answers 201, moving the amount from settlement:<CUR> (asset, may go negative) by a posted transfer UUIDv5(top-up id, top-up)', async () => {
    const wallet = await openWallet();
    const topUp = await call('POST', `/wallets/${wallet.id}/top-ups`, { amountMinor: 10_000 }, { 'idempotency-key': randomUUID() });
    expect(topUp.status).toBe(201);
    expect(Object.keys(topUp.json).sort()).toEqual(['amountMinor', 'createdAt', 'currency', 'id', 'transferId', 'walletId']);
    expect(topUp.json).toMatchObject({ walletId: wallet.id, amountMinor: 10_000, currency: 'EUR', transferId: uuidV5(String(topUp.json['id']), 'top-up') });
    const settlementAccount = ledger.accounts.get('settlement:EUR');
    expect(settlementAccount).toMatchObject({ type: 'asset', allowNegative: true, currency: 'EUR' });
    expect(ledger.transfers.get(String(topUp.json['transferId']))).toMatchObject({
      status: 'posted',
      entries: [
        { accountId: settlementAccount?.id, direction: 'debit', amountMinor: 10_000 },
        { accountId: wallet.ledgerAccountId, direction: 'credit', amountMinor: 10_000 },
      ],
      reference: `top-up:${String(topUp.json['id'])}`,
    });
  });

  it('replays the stored first response for the same key and body, 422 for another body, 400 without a key', async () => {
    const wallet = await openWallet();
    const key = randomUUID();
    const first = await call('POST', `/wallets/${wallet.id}/top-ups`, { amountMinor: 700 }, { 'idempotency-key': key });
    const replay = await call('POST', `/wallets/${wallet.id}/top-ups`, { amountMinor: 700 }, { 'idempotency-key': key });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.json).toEqual(first.json);
    expect(await call('POST', `/wallets/${wallet.id}/top-ups`, { amountMinor: 701 }, { 'idempotency-key': key })).toMatchObject({ status: 422, json: { error: 'idempotency_key_reused' } });
    expect(await call('POST', `/wallets/${wallet.id}/top-ups`, { amountMinor: 700 })).toMatchObject({ status: 400, json: { error: 'idempotency_key_required' } });
    expect(await call('POST', `/wallets/${wallet.id}/top-ups`, { amountMinor: 700 }, { 'idempotency-key': 'k'.repeat(256) })).toMatchObject({ status: 400, json: { error: 'idempotency_key_required' } });
    expect(await database.query('SELECT id FROM top_ups WHERE wallet_id = $1', [wallet.id])).toHaveLength(1);
  });

  it('one key sent concurrently makes exactly one top-up; every other answer is 409 idempotency_key_in_use or a replay', async () => {
    const wallet = await openWallet();
    const key = randomUUID();
    const answers = await Promise.all(Array.from({ length: 8 }, () => call('POST', `/wallets/${wallet.id}/top-ups`, { amountMinor: 300 }, { 'idempotency-key': key })));
    const created = answers.filter((answer) => answer.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(created.every((answer) => answer.json['id'] === created[0]?.json['id'])).toBe(true);
    expect(answers.every((answer) => answer.status === 201 || (answer.status === 409 && answer.json['error'] === 'idempotency_key_in_use'))).toBe(true);
    expect(await database.query('SELECT id FROM top_ups WHERE wallet_id = $1', [wallet.id])).toHaveLength(1);
  });

  it('resumes at the recovery point after the ledger was down: 503 (not stored), then the retry posts the one transfer and answers 201', async () => {
    const wallet = await openWallet();
    const key = randomUUID();
    ledger.down = true;
    try {
      expect(await call('POST', `/wallets/${wallet.id}/top-ups`, { amountMinor: 1_200 }, { 'idempotency-key': key })).toMatchObject({ status: 503, json: { error: 'service_unavailable' } });
    } finally {
      ledger.down = false;
    }
    const [stored] = await database.query<{ id: string; transfer_id: string }>('SELECT id, transfer_id FROM top_ups WHERE wallet_id = $1', [wallet.id]);
    const retried = await call('POST', `/wallets/${wallet.id}/top-ups`, { amountMinor: 1_200 }, { 'idempotency-key': key });
    expect(retried).toMatchObject({ status: 201, json: { id: stored?.id, transferId: stored?.transfer_id } });
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
    expect(await database.query('SELECT id FROM top_ups WHERE wallet_id = $1', [wallet.id])).toHaveLength(1);
    expect([...ledger.transfers.values()].filter((transfer) => transfer.entries.some((entry) => entry.accountId === wallet.ledgerAccountId))).toHaveLength(1);
  });

  it('the completer finishes a top-up its client abandoned after the ledger outage; the client’s retry then replays it', async () => {
    const wallet = await openWallet();
    const key = randomUUID();
    ledger.down = true;
    try {
      expect((await call('POST', `/wallets/${wallet.id}/top-ups`, { amountMinor: 333 }, { 'idempotency-key': key })).status).toBe(503);
    } finally {
      ledger.down = false;
    }
    const ports = { ledger: ledgerAccounts(() => httpServiceClient('ledger', () => ledger.url)), store: walletStore };
    expect(await maintainIdempotencyKeys(database, ports)).toMatchObject({ completed: 1 });
    const [stored] = await database.query<{ id: string; transfer_id: string }>('SELECT id, transfer_id FROM top_ups WHERE wallet_id = $1', [wallet.id]);
    expect(ledger.transfers.get(stored?.transfer_id ?? '')).toMatchObject({ status: 'posted' });
    const retried = await call('POST', `/wallets/${wallet.id}/top-ups`, { amountMinor: 333 }, { 'idempotency-key': key });
    expect(retried).toMatchObject({ status: 201, json: { id: stored?.id } });
    expect(retried.headers.get('idempotent-replayed')).toBe('true');
  });

  it('the scheduled maintain-idempotency-keys task finishes an abandoned top-up and reaps only keys older than 24 h', async () => {
    const wallet = await openWallet();
    const [abandoned, old, young] = [randomUUID(), randomUUID(), randomUUID()];
    ledger.down = true;
    try {
      expect((await call('POST', `/wallets/${wallet.id}/top-ups`, { amountMinor: 77 }, { 'idempotency-key': abandoned })).status).toBe(503);
    } finally {
      ledger.down = false;
    }
    for (const key of [old, young]) expect((await call('POST', `/wallets/${wallet.id}/top-ups`, { amountMinor: 5 }, { 'idempotency-key': key })).status).toBe(201);
    await database.query("UPDATE idempotency_keys SET created_at = now() - INTERVAL '24 hours 1 minute' WHERE idempotency_key = $1", [old]);
    await database.query("UPDATE idempotency_keys SET created_at = now() - INTERVAL '23 hours 59 minutes' WHERE idempotency_key = $1", [young]);
    const task = definition.tasks?.[maintainIdempotencyKeysTask];
    const context = { logger, database, events: undefined, services: { names: () => [], get: () => { throw new Error('the test peers need no client'); } }, tasks: undefined, job: { id: 'test', name: maintainIdempotencyKeysTask, attemptsMade: 0 } };
    expect(await task?.run(undefined, context)).toMatchObject({ completed: expect.any(Number), reaped: 1 });
    const [finished] = await database.query<{ transfer_id: string }>('SELECT transfer_id FROM top_ups WHERE wallet_id = $1 AND amount_minor = 77', [wallet.id]);
    expect(ledger.transfers.get(finished?.transfer_id ?? '')).toMatchObject({ status: 'posted' });
    const kept = await database.query<{ idempotency_key: string }>('SELECT idempotency_key FROM idempotency_keys WHERE idempotency_key = ANY($1)', [[abandoned, old, young]]);
    expect(kept.map((row) => row.idempotency_key).sort()).toEqual([abandoned, young].sort());
  });

  it('answers 404 wallet_not_found for an unknown or non-UUID wallet, and 400 for an amount that is not a positive integer', async () => {
    for (const id of [randomUUID(), 'nope']) expect(await call('POST', `/wallets/${id}/top-ups`, { amountMinor: 1 }, { 'idempotency-key': randomUUID() })).toMatchObject({ status: 404, json: { error: 'wallet_not_found' } });
    const wallet = await openWallet();
    for (const amountMinor of [0, -5, 1.5, '100', 2 ** 53]) {
      const answer = await call('POST', `/wallets/${wallet.id}/top-ups`, { amountMinor }, { 'idempotency-key': randomUUID() });
      expect([answer.status, answer.json['error']], String(amountMinor)).toEqual([400, 'invalid_request']);
    }
  });
});

describe('the projection of ledger.transfer-changed.v1 and the reads', () => {
  const deliver = async (event: ReturnType<typeof transferEvent>, db: Database = database) => await handleTransferChanged({ database: db, store: walletStore, logger }, event);

  it('GET /wallets/:id answers the wallet with a zero balance at first, 404 wallet_not_found for an unknown or non-UUID id', async () => {
    const wallet = await openWallet();
    expect(await call('GET', `/wallets/${wallet.id}`)).toMatchObject({ status: 200, json: { id: wallet.id, customerId: wallet.customerId, currency: 'EUR', ledgerAccountId: wallet.ledgerAccountId, balance: { postedMinor: 0, pendingMinor: 0, availableMinor: 0 } } });
    for (const id of [randomUUID(), 'nope']) expect(await call('GET', `/wallets/${id}`)).toMatchObject({ status: 404, json: { error: 'wallet_not_found' } });
    expect(await call('GET', `/wallets/${randomUUID()}/transactions`)).toMatchObject({ status: 404, json: { error: 'wallet_not_found' } });
  });

  it('applies a top-up, a reservation and its posting once each; a redelivery and a late pending change nothing', async () => {
    const payer = await openWallet();
    const payee = await openWallet();
    const topUp = transferEvent(randomUUID(), TransferStatus.POSTED, [{ accountId: settlement, direction: 'debit', amountMinor: 10_000 }, { accountId: payer.ledgerAccountId, direction: 'credit', amountMinor: 10_000 }]);
    expect(await deliver(topUp)).toBe(true);
    expect(await deliver(topUp)).toBe(false);
    const paymentTransfer = randomUUID();
    const legs = [{ accountId: payer.ledgerAccountId, direction: 'debit' as const, amountMinor: 2_500 }, { accountId: payee.ledgerAccountId, direction: 'credit' as const, amountMinor: 2_500 }];
    const reserved = transferEvent(paymentTransfer, TransferStatus.PENDING, legs);
    await deliver(reserved);
    expect((await call('GET', `/wallets/${payer.id}`)).json['balance']).toEqual({ postedMinor: 10_000, pendingMinor: 2_500, availableMinor: 7_500 });
    expect((await call('GET', `/wallets/${payee.id}`)).json['balance']).toEqual({ postedMinor: 0, pendingMinor: 0, availableMinor: 0 });
    await deliver(transferEvent(paymentTransfer, TransferStatus.POSTED, legs));
    await deliver(transferEvent(paymentTransfer, TransferStatus.PENDING, legs));
    await deliver(reserved);
    expect((await call('GET', `/wallets/${payer.id}`)).json['balance']).toEqual({ postedMinor: 7_500, pendingMinor: 0, availableMinor: 7_500 });
    expect((await call('GET', `/wallets/${payee.id}`)).json['balance']).toEqual({ postedMinor: 2_500, pendingMinor: 0, availableMinor: 2_500 });
    const payerTransactions = await call('GET', `/wallets/${payer.id}/transactions`);
    expect(payerTransactions.json['nextCursor']).toBeNull();
    expect((payerTransactions.json['items'] as Array<Record<string, unknown>>).map(({ transferId, direction, amountMinor, status }) => ({ transferId, direction, amountMinor, status }))).toEqual([
      { transferId: paymentTransfer, direction: 'debit', amountMinor: 2_500, status: 'posted' },
      { transferId: topUp.value.transferId, direction: 'credit', amountMinor: 10_000, status: 'posted' },
    ]);
  });

  it('a void or an expiry releases the reservation', async () => {
    const payer = await openWallet();
    for (const outcome of [TransferStatus.VOIDED, TransferStatus.EXPIRED]) {
      const id = randomUUID();
      const legs = [{ accountId: payer.ledgerAccountId, direction: 'debit' as const, amountMinor: 400 }, { accountId: settlement, direction: 'credit' as const, amountMinor: 400 }];
      await deliver(transferEvent(id, TransferStatus.PENDING, legs));
      expect((await call('GET', `/wallets/${payer.id}`)).json['balance']).toEqual({ postedMinor: 0, pendingMinor: 400, availableMinor: -400 });
      await deliver(transferEvent(id, outcome, legs));
      expect((await call('GET', `/wallets/${payer.id}`)).json['balance']).toEqual({ postedMinor: 0, pendingMinor: 0, availableMinor: 0 });
    }
    const statuses = ((await call('GET', `/wallets/${payer.id}/transactions`)).json['items'] as Array<{ status: string }>).map((item) => item.status);
    expect(statuses.sort()).toEqual(['expired', 'voided']);
  });

  it('an ambiguous outcome (40003 after the projection statement committed) is redelivered and the inbox keeps it applied once', async () => {
    const wallet = await openWallet();
    const event = transferEvent(randomUUID(), TransferStatus.POSTED, [{ accountId: settlement, direction: 'debit', amountMinor: 50 }, { accountId: wallet.ledgerAccountId, direction: 'credit', amountMinor: 50 }]);
    const faulty = injectFaults(database, [{ match: /INSERT INTO inbox/, when: 'after', error: () => sqlStateError('40003') }]);
    await expect(deliver(event, faulty)).rejects.toBeInstanceOf(AmbiguousCommitError);
    expect(faulty.injected).toHaveLength(1);
    // Kafka redelivers the unacknowledged message: the inbox has its id, so nothing is applied twice.
    expect(await deliver(event)).toBe(false);
    expect((await call('GET', `/wallets/${wallet.id}`)).json['balance']).toEqual({ postedMinor: 50, pendingMinor: 0, availableMinor: 50 });
  });

  it('pages transactions newest first by keyset: limit, nextCursor to the end, 200 at most, 400 for a bad limit or cursor', async () => {
    const wallet = await openWallet();
    const base = Date.parse('2026-03-01T00:00:00.000Z');
    // 205 transfers, three of them sharing one millisecond (the transfer id breaks the tie).
    for (let index = 0; index < 205; index += 1) {
      const at = new Date(base + (index < 3 ? 0 : index) * 1_000);
      await deliver(transferEvent(randomUUID(), TransferStatus.POSTED, [{ accountId: settlement, direction: 'debit', amountMinor: index + 1 }, { accountId: wallet.ledgerAccountId, direction: 'credit', amountMinor: index + 1 }], { at }));
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await call('GET', `/wallets/${wallet.id}/transactions?limit=60${cursor ? `&cursor=${cursor}` : ''}`);
      const items = page.json['items'] as Array<{ transferId: string; at: string; reference: string }>;
      seen.push(...items.map((item) => item.transferId));
      cursor = page.json['nextCursor'] as string | null;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(4);
    expect(new Set(seen).size).toBe(205);
    const all = await database.query<{ transfer_id: string }>('SELECT transfer_id FROM wallet_transactions WHERE wallet_id = $1 ORDER BY created_at DESC, transfer_id DESC', [wallet.id]);
    expect(seen).toEqual(all.map((row) => row.transfer_id));
    expect(((await call('GET', `/wallets/${wallet.id}/transactions`)).json['items'] as unknown[]).length).toBe(50);
    expect(((await call('GET', `/wallets/${wallet.id}/transactions?limit=1000`)).json['items'] as unknown[]).length).toBe(200);
    expect(await call('GET', `/wallets/${wallet.id}/transactions?limit=0`)).toMatchObject({ status: 400, json: { error: 'invalid_request' } });
    expect(await call('GET', `/wallets/${wallet.id}/transactions?cursor=garbage`)).toMatchObject({ status: 400, json: { error: 'invalid_request' } });
    expect((await call('GET', `/wallets/${wallet.id}`)).json['balance']).toEqual({ postedMinor: (205 * 206) / 2, pendingMinor: 0, availableMinor: (205 * 206) / 2 });
  });
});
