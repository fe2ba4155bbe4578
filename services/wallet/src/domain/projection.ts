import type { Queryable } from '@innover/kit';
import type { EntryDirection, TransferStatus, WalletStore, WalletTransaction } from './ports.ts';
import { isUuid } from '@innover/kit';

/** `ledger.transfer-changed.v1`, decoded (src/entry-points/subscriptions.ts maps the protobuf message to this). */
export interface TransferChange {
  transferId: string;
  status: TransferStatus;
  entries: Array<{ accountId: string; direction: EntryDirection; amountMinor: number; currency: string }>;
  reference: string;
  /** When the ledger changed it (the event's time), ISO 8601. */
  at: string;
}

/**
 * Status only moves forward: pending → posted | voided | expired. Answers the status to store, or undefined
 * when the event changes nothing (a repeat, a late `pending` after a resolution, a second resolution).
 */
export function nextStatus(current: TransferStatus | undefined, incoming: TransferStatus): TransferStatus | undefined {
  if (current === undefined) return incoming;
  if (current === 'pending' && incoming !== 'pending') return incoming;
  return undefined;
}

/** The net movement of one account in a transfer: credits − debits, as a direction and a positive amount (undefined when nil). */
export function accountMovement(change: TransferChange, accountId: string): { direction: EntryDirection; amountMinor: number } | undefined {
  let net = 0;
  for (const entry of change.entries) if (entry.accountId === accountId) net += entry.direction === 'credit' ? entry.amountMinor : -entry.amountMinor;
  if (net === 0) return undefined;
  return net > 0 ? { direction: 'credit', amountMinor: net } : { direction: 'debit', amountMinor: -net };
}

/**
 * Applies one transfer event to the wallets whose ledger accounts it touches, in the caller's transaction (the
 * inbox's, so a redelivery never gets here). A transfer the wallet has not seen becomes a row in its status;
 * a known one moves forward only. Balances are sums over these rows, so they follow.
 */
export async function applyTransferChange(store: WalletStore, tx: Queryable, change: TransferChange): Promise<number> {
  const accountIds = [...new Set(change.entries.map((entry) => entry.accountId))].filter(isUuid);
  if (accountIds.length === 0) return 0;
  let changed = 0;
  for (const wallet of await store.walletsByLedgerAccount(tx, accountIds)) {
    const movement = accountMovement(change, wallet.ledgerAccountId);
    if (!movement) continue;
    const existing = await store.findTransaction(tx, wallet.id, change.transferId);
    const status = nextStatus(existing?.status, change.status);
    if (status === undefined) continue;
    if (existing) await store.updateTransactionStatus(tx, wallet.id, change.transferId, status);
    else {
      const transaction: WalletTransaction = { transferId: change.transferId, ...movement, status, reference: change.reference, at: change.at };
      await store.insertTransaction(tx, wallet.id, transaction);
    }
    changed += 1;
  }
  return changed;
}
