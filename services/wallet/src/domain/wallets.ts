import { HttpError } from '@innover/kit';
import type { Queryable } from '@innover/kit';
import type { Balance, CustomerDirectory, Ledger, Page, Transactor, TransactionCursor, Wallet, WalletStore, WalletTransaction } from './ports.ts';
import { isUuid, uuidV5 } from '@innover/kit';

export interface WalletPorts {
  customers: CustomerDirectory;
  ledger: Ledger;
  store: WalletStore;
  database: Queryable;
  transaction: Transactor;
}

/**
 * The wallet id is derived from the customer and the currency, and the ledger account's code from the wallet
 * id: a request that crashed after the ledger opened the account, before the wallet row committed, is retried
 * with the same code, which the ledger answers 200 with the same account, and the wallet row follows. Two
 * concurrent requests both get that account, and the unique (customer, currency) lets exactly one row in.
 */
export function walletIdFor(customerId: string, currency: string): string {
  return uuidV5(customerId, `wallet:${currency}`);
}

export function ledgerAccountCode(walletId: string): string {
  return `wallet:${walletId}`;
}

function walletExists(currency: string): HttpError {
  return new HttpError(409, 'wallet_exists', `the customer already has a ${currency} wallet; there is one wallet per customer and currency`);
}

/** POST /wallets: checks the customer, opens the ledger account, stores the wallet and `wallet.opened.v1` in one transaction. */
export async function openWallet(ports: WalletPorts, request: { customerId: string; currency: string }): Promise<Wallet> {
  const { customerId, currency } = request;
  if (await ports.store.findWalletByCustomer(ports.database, customerId, currency)) throw walletExists(currency);
  if (!(await ports.customers.get(customerId))) throw new HttpError(404, 'customer_not_found', `no customer ${customerId}`);
  const id = walletIdFor(customerId, currency);
  const account = await ports.ledger.openAccount({ code: ledgerAccountCode(id), currency });
  const stored = await ports.transaction('wallet.open', (tx) => ports.store.insertWallet(tx, { id, customerId, currency, ledgerAccountId: account.id }));
  if (!stored) throw walletExists(currency);
  return stored;
}

export function walletNotFound(walletId: string): HttpError {
  return new HttpError(404, 'wallet_not_found', `no wallet ${walletId}`);
}

/** The wallet or 404 `wallet_not_found` (a non-UUID id included). */
export async function requireWallet(store: WalletStore, database: Queryable, walletId: string): Promise<Wallet> {
  const wallet = isUuid(walletId) ? await store.findWallet(database, walletId) : undefined;
  if (!wallet) throw walletNotFound(walletId);
  return wallet;
}

/** GET /wallets/:id: the wallet and its projected balance (it may lag the ledger by the event delay). */
export async function walletWithBalance(ports: Pick<WalletPorts, 'store' | 'database'>, walletId: string): Promise<Omit<Wallet, 'createdAt'> & { balance: Balance }> {
  const wallet = await requireWallet(ports.store, ports.database, walletId);
  const balance = await ports.store.balance(ports.database, wallet.id);
  return { id: wallet.id, customerId: wallet.customerId, currency: wallet.currency, ledgerAccountId: wallet.ledgerAccountId, balance };
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

/** `?limit=`: default 50, capped at 200; anything but a positive integer is a 400. */
export function pageSize(limit: string | undefined): number {
  if (limit === undefined || limit === '') return DEFAULT_PAGE_SIZE;
  if (!/^\d+$/.test(limit) || Number(limit) < 1) throw new HttpError(400, 'invalid_request', 'limit: must be a positive integer (at most 200 are returned)');
  return Math.min(Number(limit), MAX_PAGE_SIZE);
}

export function encodeCursor(cursor: TransactionCursor): string {
  return Buffer.from(JSON.stringify([cursor.at, cursor.transferId]), 'utf8').toString('base64url');
}

/** The opaque `?cursor=` of a previous page; a cursor this service did not write is a 400. */
export function decodeCursor(cursor: string | undefined): TransactionCursor | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  try {
    const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(decoded) && decoded.length === 2) {
      const [at, transferId] = decoded as unknown[];
      if (typeof at === 'string' && !Number.isNaN(Date.parse(at)) && typeof transferId === 'string' && isUuid(transferId)) return { at, transferId };
    }
  } catch {
    // falls through to the 400
  }
  throw new HttpError(400, 'invalid_request', 'cursor: must be the nextCursor of a previous page');
}

/** GET /wallets/:id/transactions: newest first, keyset pages. */
export async function walletTransactions(ports: Pick<WalletPorts, 'store' | 'database'>, walletId: string, query: { limit?: string; cursor?: string }): Promise<Page<WalletTransaction>> {
  const limit = pageSize(query.limit);
  const after = decodeCursor(query.cursor);
  const wallet = await requireWallet(ports.store, ports.database, walletId);
  const rows = await ports.store.transactions(ports.database, wallet.id, { limit: limit + 1, ...(after ? { after } : {}) });
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor({ at: last.at, transferId: last.transferId }) : null };
}
