import type { Queryable } from '@innover/kit';
import type { EntryDirection, ProjectedTransfer, TransferStatus, WalletStore } from './ports.ts';
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

/** Each account's net movement in the transfer, for the accounts that may be wallets' (UUIDs: not `fx:EUR` codes). */
export function transferMovements(change: TransferChange): ProjectedTransfer['movements'] {
  const accountIds = [...new Set(change.entries.map((entry) => entry.accountId))].filter(isUuid);
  return accountIds.flatMap((ledgerAccountId) => {
    const movement = accountMovement(change, ledgerAccountId);
    return movement ? [{ ledgerAccountId, ...movement }] : [];
  });
}

/**
 * Applies one transfer event to the wallets whose ledger accounts it touches, once per event id (the store's inbox
 * row, in the same atomic write). A transfer the wallet has not seen becomes a row in its status; a known one moves
 * forward only. Balances are sums over these rows, so they follow. Answers the rows changed (undefined: a redelivery).
 */
export async function applyTransferChange(store: WalletStore, db: Queryable, event: { eventId: string; consumer: string }, change: TransferChange): Promise<number | undefined> {
  return await store.projectTransfer(db, { ...event, transferId: change.transferId, status: change.status, reference: change.reference, at: change.at, movements: transferMovements(change) });
}
