import { describe, expect, it } from 'vitest';
import type { Queryable } from '@innover/kit';
import { accountMovement, applyTransferChange, nextStatus } from '../src/domain/projection.js';
import type { TransferChange } from '../src/domain/projection.js';
import type { TransferStatus, Wallet } from '../src/domain/ports.js';
import { memoryStore } from './support/memory-store.js';

const tx: Queryable = { query: () => Promise.reject(new Error('the projection must go through the store')) };
const payer: Wallet = { id: '33333333-3333-4333-8333-333333333333', customerId: '11111111-1111-4111-8111-111111111111', currency: 'EUR', ledgerAccountId: '44444444-4444-4444-8444-444444444444', createdAt: '2026-01-01T00:00:00.000Z' };
const payee: Wallet = { id: '77777777-7777-4777-8777-777777777777', customerId: '22222222-2222-4222-8222-222222222222', currency: 'EUR', ledgerAccountId: '88888888-8888-4888-8888-888888888888', createdAt: '2026-01-01T00:00:00.000Z' };
const settlement = '55555555-5555-4555-8555-555555555555';

function change(transferId: string, status: TransferStatus, entries: TransferChange['entries'], at = '2026-01-02T00:00:00.000Z'): TransferChange {
  return { transferId, status, entries, reference: `ref-${transferId.slice(0, 4)}`, at };
}

const topUp = (amountMinor: number) => [
  { accountId: settlement, direction: 'debit' as const, amountMinor, currency: 'EUR' },
  { accountId: payer.ledgerAccountId, direction: 'credit' as const, amountMinor, currency: 'EUR' },
];
const payment = (amountMinor: number) => [
  { accountId: payer.ledgerAccountId, direction: 'debit' as const, amountMinor, currency: 'EUR' },
  { accountId: payee.ledgerAccountId, direction: 'credit' as const, amountMinor, currency: 'EUR' },
];

let eventCount = 0;
/** Each call a new event (its own id), as the ledger's relay sends them. */
const project = (store: ReturnType<typeof memoryStore>, transferChange: TransferChange) => applyTransferChange(store, tx, { eventId: `event-${(eventCount += 1)}`, consumer: 'wallet' }, transferChange);

function wallets() {
  const store = memoryStore();
  store.wallets.set(payer.id, payer);
  store.wallets.set(payee.id, payee);
  return store;
}

describe('nextStatus', () => {
  it('moves only forward: pending → posted | voided | expired, and nothing after a resolution', () => {
    expect(nextStatus(undefined, 'pending')).toBe('pending');
    expect(nextStatus(undefined, 'posted')).toBe('posted');
    for (const resolved of ['posted', 'voided', 'expired'] as const) {
      expect(nextStatus('pending', resolved)).toBe(resolved);
      expect(nextStatus(resolved, 'pending')).toBeUndefined();
      for (const other of ['posted', 'voided', 'expired'] as const) expect(nextStatus(resolved, other)).toBeUndefined();
    }
    expect(nextStatus('pending', 'pending')).toBeUndefined();
  });
});

describe('applyTransferChange', () => {
  it('a posted top-up credits the wallet; a pending payment reserves the payer (pending debits) and is not yet the payee’s; posting moves both', async () => {
    const store = wallets();
    await project(store, change('aaaaaaaa-0000-4000-8000-000000000001', 'posted', topUp(10_000)));
    expect(await store.balance(tx, payer.id)).toEqual({ postedMinor: 10_000, pendingMinor: 0, availableMinor: 10_000 });

    const paymentId = 'aaaaaaaa-0000-4000-8000-000000000002';
    await project(store, change(paymentId, 'pending', payment(3_000)));
    expect(await store.balance(tx, payer.id)).toEqual({ postedMinor: 10_000, pendingMinor: 3_000, availableMinor: 7_000 });
    expect(await store.balance(tx, payee.id)).toEqual({ postedMinor: 0, pendingMinor: 0, availableMinor: 0 });

    expect(await project(store, change(paymentId, 'posted', payment(3_000)))).toBe(2);
    expect(await store.balance(tx, payer.id)).toEqual({ postedMinor: 7_000, pendingMinor: 0, availableMinor: 7_000 });
    expect(await store.balance(tx, payee.id)).toEqual({ postedMinor: 3_000, pendingMinor: 0, availableMinor: 3_000 });
    expect(await store.findTransaction(tx, payee.id, paymentId)).toMatchObject({ direction: 'credit', amountMinor: 3_000, status: 'posted' });
  });

  it('a late pending after posted, or a void after posted, changes nothing', async () => {
    const store = wallets();
    const id = 'aaaaaaaa-0000-4000-8000-000000000003';
    await project(store, change(id, 'posted', payment(500)));
    expect(await project(store, change(id, 'pending', payment(500)))).toBe(0);
    expect(await project(store, change(id, 'voided', payment(500)))).toBe(0);
    expect(await store.findTransaction(tx, payer.id, id)).toMatchObject({ status: 'posted' });
    expect(await store.balance(tx, payer.id)).toEqual({ postedMinor: -500, pendingMinor: 0, availableMinor: -500 });
  });

  it('a voided or expired reservation frees the pending debit and moves no money', async () => {
    const store = wallets();
    for (const [id, outcome] of [['aaaaaaaa-0000-4000-8000-000000000004', 'voided'], ['aaaaaaaa-0000-4000-8000-000000000005', 'expired']] as const) {
      await project(store, change(id, 'pending', payment(800)));
      expect((await store.balance(tx, payer.id)).pendingMinor).toBe(800);
      await project(store, change(id, outcome, payment(800)));
      expect(await store.balance(tx, payer.id)).toEqual({ postedMinor: 0, pendingMinor: 0, availableMinor: 0 });
      expect(await store.findTransaction(tx, payer.id, id)).toMatchObject({ status: outcome });
    }
  });

  it('ignores accounts that are no wallet’s (settlement, fx, ids that are not UUIDs)', async () => {
    const store = wallets();
    expect(await project(store, change('aaaaaaaa-0000-4000-8000-000000000006', 'posted', [{ accountId: settlement, direction: 'debit', amountMinor: 1, currency: 'EUR' }, { accountId: 'fx:EUR', direction: 'credit', amountMinor: 1, currency: 'EUR' }]))).toBe(0);
    expect(store.rows.size).toBe(0);
  });

  it('a redelivered event (the same id) changes nothing and says so', async () => {
    const store = wallets();
    const event = { eventId: 'event-redelivered', consumer: 'wallet' };
    const id = 'aaaaaaaa-0000-4000-8000-000000000007';
    expect(await applyTransferChange(store, tx, event, change(id, 'pending', payment(100)))).toBe(2);
    expect(await applyTransferChange(store, tx, event, change(id, 'pending', payment(100)))).toBeUndefined();
    expect((await store.balance(tx, payer.id)).pendingMinor).toBe(100);
  });

  it('nets an account’s entries within one transfer', () => {
    const entries = [...payment(300), { accountId: payer.ledgerAccountId, direction: 'credit' as const, amountMinor: 100, currency: 'EUR' }];
    expect(accountMovement(change('x', 'posted', entries), payer.ledgerAccountId)).toEqual({ direction: 'debit', amountMinor: 200 });
    expect(accountMovement(change('x', 'posted', entries), settlement)).toBeUndefined();
  });
});
