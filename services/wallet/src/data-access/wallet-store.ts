/** All of the wallet's SQL (parameterised; PostgreSQL and CockroachDB alike). Tables: migrations/003_wallets_projection.sql. */
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { topicName } from '@innover/kit';
import type { Database, Queryable } from '@innover/kit';
import { inboxStatementParts } from '@innover/kit/inbox';
import { enqueueEvent } from '@innover/kit/outbox';
import { runTransaction } from '@innover/kit/transactions';
import type { Balance, TopUp, Transactor, TransferStatus, Wallet, WalletStore, WalletTransaction } from '../domain/ports.ts';
import { uuidV5 } from '@innover/kit';
import { walletOpenedCodec } from '@innover/proto/events.js';

/** pg answers BIGINT and SUM as strings: a checked conversion, never a silent loss of precision. */
export function minorUnits(value: string | number | bigint | null | undefined): number {
  const number = Number(value ?? 0);
  if (!Number.isSafeInteger(number)) throw new Error(`amount ${String(value)} is not a safe integer of minor units`);
  return number;
}

function iso(value: Date | string): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

interface WalletRow {
  id: string;
  customer_id: string;
  currency: string;
  ledger_account_id: string;
  created_at: Date;
}

interface TopUpRow {
  id: string;
  wallet_id: string;
  amount_minor: string;
  currency: string;
  transfer_id: string;
  created_at: Date;
}

interface TransactionRow {
  transfer_id: string;
  direction: 'debit' | 'credit';
  amount_minor: string;
  status: TransferStatus;
  reference: string;
  created_at: Date;
}

const walletColumns = 'id, customer_id, currency, ledger_account_id, created_at';
const transactionColumns = 'transfer_id, direction, amount_minor, status, reference, created_at';

function toWallet(row: WalletRow): Wallet {
  return { id: row.id, customerId: row.customer_id, currency: row.currency, ledgerAccountId: row.ledger_account_id, createdAt: iso(row.created_at) };
}

function toTopUp(row: TopUpRow): TopUp {
  return { id: row.id, walletId: row.wallet_id, amountMinor: minorUnits(row.amount_minor), currency: row.currency, transferId: row.transfer_id, createdAt: iso(row.created_at) };
}

function toTransaction(row: TransactionRow): WalletTransaction {
  return { transferId: row.transfer_id, direction: row.direction, amountMinor: minorUnits(row.amount_minor), status: row.status, reference: row.reference, at: iso(row.created_at) };
}

/** `wallet.opened.v1`, the outbox row of the transaction that stored the wallet. */
async function enqueueWalletOpened(tx: Queryable, wallet: Wallet): Promise<void> {
  const eventId = uuidV5(wallet.id, 'wallet.opened');
  const payload = walletOpenedCodec.encode({
    metadata: { eventId, occurredAt: timestampFromDate(new Date(wallet.createdAt)), source: 'wallet', correlationId: wallet.id },
    walletId: wallet.id,
    customerId: wallet.customerId,
    currencyCode: wallet.currency,
    ledgerAccountId: wallet.ledgerAccountId,
  });
  await enqueueEvent(tx, { id: eventId, topic: topicName('wallet', 'opened'), key: wallet.id, payload });
}

export const walletStore: WalletStore = {
  async findWallet(db, walletId) {
    const [row] = await db.query<WalletRow>(`SELECT ${walletColumns} FROM customer_wallets WHERE id = $1`, [walletId]);
    return row && toWallet(row);
  },

  async findWalletByCustomer(db, customerId, currency) {
    const [row] = await db.query<WalletRow>(`SELECT ${walletColumns} FROM customer_wallets WHERE customer_id = $1 AND currency = $2`, [customerId, currency]);
    return row && toWallet(row);
  },

  async insertWallet(db, wallet) {
    // No conflict target: the derived id and the unique (customer_id, currency) conflict together.
    const [row] = await db.query<WalletRow>(
      `INSERT INTO customer_wallets (id, customer_id, currency, ledger_account_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING RETURNING ${walletColumns}`,
      [wallet.id, wallet.customerId, wallet.currency, wallet.ledgerAccountId],
    );
    if (!row) return undefined;
    const stored = toWallet(row);
    await enqueueWalletOpened(db, stored);
    return stored;
  },

  async insertTopUp(db, topUp) {
    const [row] = await db.query<TopUpRow>(
      `INSERT INTO top_ups (id, wallet_id, amount_minor, currency, transfer_id) VALUES ($1, $2, $3, $4, $5)
       RETURNING id, wallet_id, amount_minor, currency, transfer_id, created_at`,
      [topUp.id, topUp.walletId, topUp.amountMinor, topUp.currency, topUp.transferId],
    );
    if (!row) throw new Error(`top-up ${topUp.id} was not stored`);
    return toTopUp(row);
  },

  async balance(db, walletId): Promise<Balance> {
    const [row] = await db.query<{ posted: string | null; pending: string | null }>(
      `SELECT
         SUM(CASE WHEN status = 'posted' AND direction = 'credit' THEN amount_minor WHEN status = 'posted' THEN -amount_minor ELSE 0 END) AS posted,
         SUM(CASE WHEN status = 'pending' AND direction = 'debit' THEN amount_minor ELSE 0 END) AS pending
       FROM wallet_transactions WHERE wallet_id = $1`,
      [walletId],
    );
    const postedMinor = minorUnits(row?.posted);
    const pendingMinor = minorUnits(row?.pending);
    return { postedMinor, pendingMinor, availableMinor: postedMinor - pendingMinor };
  },

  async transactions(db, walletId, page) {
    const rows = page.after
      ? await db.query<TransactionRow>(
          `SELECT ${transactionColumns} FROM wallet_transactions
           WHERE wallet_id = $1 AND (created_at, transfer_id) < ($2::TIMESTAMPTZ, $3::UUID)
           ORDER BY created_at DESC, transfer_id DESC LIMIT $4`,
          [walletId, page.after.at, page.after.transferId, page.limit],
        )
      : await db.query<TransactionRow>(`SELECT ${transactionColumns} FROM wallet_transactions WHERE wallet_id = $1 ORDER BY created_at DESC, transfer_id DESC LIMIT $2`, [walletId, page.limit]);
    return rows.map(toTransaction);
  },

  async findTransaction(db, walletId, transferId) {
    const [row] = await db.query<TransactionRow>(`SELECT ${transactionColumns} FROM wallet_transactions WHERE wallet_id = $1 AND transfer_id = $2`, [walletId, transferId]);
    return row && toTransaction(row);
  },

  async insertTransaction(db, walletId, transaction) {
    // Millisecond precision, so the cursor (an ISO string) compares exactly.
    await db.query(
      `INSERT INTO wallet_transactions (wallet_id, transfer_id, direction, amount_minor, status, reference, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [walletId, transaction.transferId, transaction.direction, transaction.amountMinor, transaction.status, transaction.reference, new Date(transaction.at)],
    );
  },

  async projectTransfer(db, event) {
    // One statement: the inbox row, then (only if it is new) each moved wallet's row. ON CONFLICT … WHERE is nextStatus
    // in SQL: a row moves from pending to a resolution, and nothing else changes a stored row.
    const inbox = inboxStatementParts(event, { firstParameter: 1 });
    const [row] = await db.query<{ fresh: string; changed: string }>(
      `WITH ${inbox.cte}, changed AS (
         INSERT INTO wallet_transactions (wallet_id, transfer_id, direction, amount_minor, status, reference, created_at)
         SELECT w.id, $3::UUID, m.direction, m.amount_minor, $4::TEXT, $5::TEXT, $6::TIMESTAMPTZ
         FROM unnest($7::UUID[], $8::TEXT[], $9::INT8[]) AS m(account_id, direction, amount_minor)
         JOIN customer_wallets w ON w.ledger_account_id = m.account_id
         WHERE EXISTS (SELECT 1 FROM inbox_fresh)
         ON CONFLICT (wallet_id, transfer_id) DO UPDATE SET status = excluded.status, updated_at = now()
           WHERE wallet_transactions.status = 'pending' AND excluded.status <> 'pending'
         RETURNING wallet_id
       )
       SELECT (SELECT count(*) FROM inbox_fresh) AS fresh, (SELECT count(*) FROM changed) AS changed`,
      [
        ...inbox.values,
        event.transferId,
        event.status,
        event.reference,
        // Millisecond precision, so the cursor (an ISO string) compares exactly.
        new Date(event.at),
        event.movements.map((movement) => movement.ledgerAccountId),
        event.movements.map((movement) => movement.direction),
        event.movements.map((movement) => movement.amountMinor),
      ],
    );
    return Number(row?.fresh) === 1 ? Number(row?.changed) : undefined;
  },
};

/** The `Transactor` port over the kit's serializable transactions. */
export function transactorOf(database: Database): Transactor {
  return async (name, work) => await runTransaction(database, work, { name });
}
