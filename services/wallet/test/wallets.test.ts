import { describe, expect, it } from 'vitest';
import { HttpError } from '@innover/kit';
import type { Queryable } from '@innover/kit';
import type { CustomerDirectory, Ledger, LedgerAccount, TransferRequest } from '../src/domain/ports.js';
import { uuidV5 } from '@innover/kit';
import { decodeCursor, encodeCursor, ledgerAccountCode, openWallet, pageSize, walletIdFor, walletTransactions, walletWithBalance } from '../src/domain/wallets.js';
import type { WalletPorts } from '../src/domain/wallets.js';
import { memoryStore } from './support/memory-store.js';

const alice = '11111111-1111-4111-8111-111111111111';
const unused: Queryable = { query: () => Promise.reject(new Error('the use case must go through the store')) };

/** A ledger fake that is idempotent by code, as the contract says; every call is recorded. */
function fakeLedger(): Ledger & { opened: Array<{ code: string; currency: string }>; transfers: TransferRequest[] } {
  const accounts = new Map<string, LedgerAccount>();
  const opened: Array<{ code: string; currency: string }> = [];
  const transfers: TransferRequest[] = [];
  const open = (code: string, currency: string) => {
    const account = accounts.get(code) ?? { id: uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', code), code, currency };
    accounts.set(code, account);
    return account;
  };
  return {
    opened,
    transfers,
    openAccount: async (request) => {
      opened.push(request);
      return open(request.code, request.currency);
    },
    ensureSettlementAccount: async (currency) => open(`settlement:${currency}`, currency),
    createTransfer: async (request) => {
      transfers.push(request);
      return { id: request.id, status: request.pending ? 'pending' : 'posted' };
    },
  };
}

function customers(...known: string[]): CustomerDirectory & { asked: string[] } {
  const asked: string[] = [];
  return { asked, get: async (id) => (asked.push(id), known.includes(id) ? { id, status: 'active', country: 'DE' } : undefined) };
}

function ports(overrides: Partial<WalletPorts> = {}): WalletPorts & { store: ReturnType<typeof memoryStore>; ledger: ReturnType<typeof fakeLedger> } {
  return { customers: customers(alice), ledger: fakeLedger(), store: memoryStore(), database: unused, transaction: async (_name, work) => await work(unused), ...overrides } as WalletPorts & { store: ReturnType<typeof memoryStore>; ledger: ReturnType<typeof fakeLedger> };
}

async function rejection(promise: Promise<unknown>): Promise<HttpError> {
  const error = await promise.then(() => undefined, (thrown: unknown) => thrown);
  if (!(error instanceof HttpError)) throw new Error(`expected an HttpError, got ${String(error)}`);
  return error;
}

describe('openWallet', () => {
  it('opens a liability account coded wallet:<id> with the derived id, stores the wallet and its wallet.opened.v1', async () => {
    const wallet = ports();
    const opened = await openWallet(wallet, { customerId: alice, currency: 'EUR' });
    const id = uuidV5(alice, 'wallet:EUR');
    expect(opened).toMatchObject({ id, customerId: alice, currency: 'EUR', ledgerAccountId: uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', `wallet:${id}`) });
    expect(wallet.ledger.opened).toEqual([{ code: `wallet:${id}`, currency: 'EUR' }]);
    expect(wallet.store.opened).toEqual([id]);
    expect(walletIdFor(alice, 'EUR')).toBe(id);
    expect(ledgerAccountCode(id)).toBe(`wallet:${id}`);
  });

  it('answers 409 wallet_exists for a second wallet in the currency, without calling the ledger; another currency is fine', async () => {
    const wallet = ports();
    await openWallet(wallet, { customerId: alice, currency: 'EUR' });
    const error = await rejection(openWallet(wallet, { customerId: alice, currency: 'EUR' }));
    expect([error.status, error.code]).toEqual([409, 'wallet_exists']);
    expect(wallet.ledger.opened).toHaveLength(1);
    await openWallet(wallet, { customerId: alice, currency: 'USD' });
    expect(wallet.store.wallets.size).toBe(2);
  });

  it('answers 404 customer_not_found for a customer profile does not know, and opens nothing', async () => {
    const wallet = ports({ customers: customers() });
    const error = await rejection(openWallet(wallet, { customerId: alice, currency: 'EUR' }));
    expect([error.status, error.code]).toEqual([404, 'customer_not_found']);
    expect(wallet.ledger.opened).toEqual([]);
  });

  it('converges after a crash between the ledger account and the wallet row: the retry reuses the same account', async () => {
    const wallet = ports();
    let crash = true;
    const crashing = { ...wallet, transaction: async <T>(name: string, work: (tx: Queryable) => Promise<T>): Promise<T> => {
      if (crash) throw new Error('process died before COMMIT');
      return await wallet.transaction(name, work);
    } };
    await expect(openWallet(crashing, { customerId: alice, currency: 'EUR' })).rejects.toThrow('process died');
    expect(wallet.store.wallets.size).toBe(0);
    crash = false;
    const opened = await openWallet(crashing, { customerId: alice, currency: 'EUR' });
    expect(wallet.ledger.opened.map((request) => request.code)).toEqual([`wallet:${opened.id}`, `wallet:${opened.id}`]);
    expect(wallet.store.wallets.size).toBe(1);
  });

  it('answers 409 wallet_exists to the loser of a race whose insert finds the row taken', async () => {
    const wallet = ports();
    // Both passed the existence check; the second insert hits the unique index.
    const [first, second] = await Promise.allSettled([openWallet(wallet, { customerId: alice, currency: 'EUR' }), openWallet(wallet, { customerId: alice, currency: 'EUR' })]);
    expect(first.status).toBe('fulfilled');
    expect(second.status === 'rejected' && second.reason instanceof HttpError && second.reason.code).toBe('wallet_exists');
    expect(wallet.store.opened).toHaveLength(1);
  });
});

describe('reading wallets', () => {
  it('answers 404 wallet_not_found for an unknown or non-UUID id', async () => {
    const wallet = ports();
    for (const id of ['22222222-2222-4222-8222-222222222222', 'not-a-uuid']) {
      const error = await rejection(walletWithBalance(wallet, id));
      expect([error.status, error.code]).toEqual([404, 'wallet_not_found']);
    }
  });

  it('pages transactions newest first with a keyset cursor until nextCursor is null', async () => {
    const wallet = ports();
    const opened = await openWallet(wallet, { customerId: alice, currency: 'EUR' });
    for (let index = 0; index < 5; index += 1) {
      await wallet.store.insertTransaction(unused, opened.id, { transferId: uuidV5(alice, `t${index}`), direction: 'credit', amountMinor: index + 1, status: 'posted', reference: `r${index}`, at: new Date(Date.UTC(2026, 0, 1, 0, 0, index)).toISOString() });
    }
    const first = await walletTransactions(wallet, opened.id, { limit: '2' });
    expect(first.items.map((item) => item.reference)).toEqual(['r4', 'r3']);
    const second = await walletTransactions(wallet, opened.id, { limit: '2', cursor: first.nextCursor ?? '' });
    expect(second.items.map((item) => item.reference)).toEqual(['r2', 'r1']);
    const last = await walletTransactions(wallet, opened.id, { limit: '2', cursor: second.nextCursor ?? '' });
    expect(last).toEqual({ items: [expect.objectContaining({ reference: 'r0' })], nextCursor: null });
  });

  it('limit defaults to 50, is capped at 200, and must be a positive integer', () => {
    expect(pageSize(undefined)).toBe(50);
    expect(pageSize('7')).toBe(7);
    expect(pageSize('500')).toBe(200);
    for (const bad of ['0', '-1', '1.5', 'ten']) expect(() => pageSize(bad)).toThrow(/limit/);
  });

  it('a cursor round-trips, and one this service did not write is a 400', () => {
    const cursor = { at: '2026-01-01T00:00:00.123Z', transferId: uuidV5(alice, 't') };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
    expect(decodeCursor(undefined)).toBeUndefined();
    for (const bad of ['%%%', Buffer.from('{"at":1}').toString('base64url'), Buffer.from('["yesterday","x"]').toString('base64url')]) {
      expect(() => decodeCursor(bad)).toThrow(/cursor/);
    }
  });
});
