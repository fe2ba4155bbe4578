/**
 * Transfers (pure rules): balancing per currency, what a transfer does to its accounts' counters, and the
 * two-phase state machine. After TigerBeetle: a transfer is immutable (its entries never change; a correction
 * is a new transfer); a pending transfer reserves its amounts in the accounts' pending debits and credits and
 * resolves at most once, to posted, voided or (after its timeout) expired; a transfer id is chosen by the
 * client, so creating it again is idempotent.
 */
import type { Account, Counters, Direction } from './accounts.ts';
import { addCounters, withinLimits, zeroCounters } from './accounts.ts';

export type TransferStatus = 'pending' | 'posted' | 'voided' | 'expired';

export interface EntryRequest {
  accountId: string;
  direction: Direction;
  amountMinor: number;
}

/** A `POST /transfers` body with its defaults applied (the comparison for "the same body"). */
export interface TransferRequest {
  id: string;
  entries: EntryRequest[];
  /** Two-phase: reserve now, post or void later. */
  pending: boolean;
  /** Only meaningful for a pending transfer; null otherwise. */
  timeoutSeconds: number | null;
  reference: string | null;
}

export interface Entry extends EntryRequest {
  /** The account's currency. */
  currency: string;
}

export interface Transfer {
  id: string;
  status: TransferStatus;
  twoPhase: boolean;
  timeoutSeconds: number | null;
  entries: Entry[];
  reference: string | null;
  createdAt: Date;
  expiresAt: Date | null;
}

export const defaultTimeoutSeconds = 300;

export function transferRequest(body: { id: string; entries: EntryRequest[]; pending?: boolean | undefined; timeoutSeconds?: number | undefined; reference?: string | null | undefined }): TransferRequest {
  const pending = body.pending ?? false;
  return {
    id: body.id.toLowerCase(),
    entries: body.entries.map((entry) => ({ accountId: entry.accountId.toLowerCase(), direction: entry.direction, amountMinor: entry.amountMinor })),
    pending,
    timeoutSeconds: pending ? (body.timeoutSeconds ?? defaultTimeoutSeconds) : null,
    reference: body.reference ?? null,
  };
}

/** The currencies whose debits and credits differ (empty: the entries balance). */
export function unbalancedCurrencies(entries: ReadonlyArray<Pick<Entry, 'currency' | 'direction' | 'amountMinor'>>): string[] {
  const net = new Map<string, number>();
  for (const entry of entries) net.set(entry.currency, (net.get(entry.currency) ?? 0) + (entry.direction === 'debit' ? entry.amountMinor : -entry.amountMinor));
  return [...net].filter(([, sum]) => sum !== 0).map(([currency]) => currency).sort();
}

/** Whether a stored transfer is what this request asks for (same id, entries in order, mode, timeout, reference). */
export function sameRequest(transfer: Transfer, request: TransferRequest): boolean {
  return (
    transfer.id === request.id &&
    transfer.twoPhase === request.pending &&
    transfer.timeoutSeconds === request.timeoutSeconds &&
    transfer.reference === request.reference &&
    transfer.entries.length === request.entries.length &&
    transfer.entries.every((entry, index) => {
      const asked = request.entries[index];
      return asked !== undefined && entry.accountId === asked.accountId && entry.direction === asked.direction && entry.amountMinor === asked.amountMinor;
    })
  );
}

/**
 * What a step does to each account's counters. `reserve`: a pending transfer adds to pending; `post-at-once`:
 * a single-phase transfer adds to posted; `post`: a pending transfer moves from pending to posted; `release`:
 * void or expiry takes it out of pending.
 */
export type Movement = 'reserve' | 'post-at-once' | 'post' | 'release';

export function countersDelta(entries: ReadonlyArray<Pick<Entry, 'accountId' | 'direction' | 'amountMinor'>>, movement: Movement): Map<string, Counters> {
  const deltas = new Map<string, Counters>();
  for (const entry of entries) {
    const debit = entry.direction === 'debit';
    const amount = entry.amountMinor;
    const posted = movement === 'post' || movement === 'post-at-once' ? amount : 0;
    const pending = movement === 'reserve' ? amount : movement === 'post' || movement === 'release' ? -amount : 0;
    const delta: Counters = {
      postedDebitsMinor: debit ? posted : 0,
      postedCreditsMinor: debit ? 0 : posted,
      pendingDebitsMinor: debit ? pending : 0,
      pendingCreditsMinor: debit ? 0 : pending,
    };
    deltas.set(entry.accountId, addCounters(deltas.get(entry.accountId) ?? zeroCounters, delta));
  }
  return deltas;
}

/** The accounts that would break their limit after the deltas (empty: the transfer fits). */
export function accountsOverLimit(accounts: readonly Account[], deltas: ReadonlyMap<string, Counters>): Account[] {
  return accounts.filter((account) => {
    const delta = deltas.get(account.id);
    return delta !== undefined && !withinLimits({ ...account, ...addCounters(account, delta) });
  });
}

export type Action = 'post' | 'void';

/** The outcome of `post` or `void` on a transfer in a given state (`expired`: past its timeout, by the database clock). */
export type Resolution = { kind: 'apply'; status: 'posted' | 'voided'; movement: Movement } | { kind: 'unchanged' } | { kind: 'refuse'; status: 409; code: 'transfer_already_resolved' | 'transfer_expired'; message: string };

export function resolve(transfer: Pick<Transfer, 'id' | 'status'>, action: Action, pastTimeout: boolean): Resolution {
  const { status } = transfer;
  if (status === 'pending') {
    if (action === 'void') return { kind: 'apply', status: 'voided', movement: 'release' };
    if (pastTimeout) return { kind: 'refuse', status: 409, code: 'transfer_expired', message: `transfer ${transfer.id} is past its timeout and can no longer be posted; create a new transfer` };
    return { kind: 'apply', status: 'posted', movement: 'post' };
  }
  if (action === 'post' && status === 'posted') return { kind: 'unchanged' };
  // Voiding what already released its reservation (voided, or expired by the job) is what the caller wants.
  if (action === 'void' && (status === 'voided' || status === 'expired')) return { kind: 'unchanged' };
  if (action === 'post' && status === 'expired') return { kind: 'refuse', status: 409, code: 'transfer_expired', message: `transfer ${transfer.id} expired before it was posted; create a new transfer` };
  return { kind: 'refuse', status: 409, code: 'transfer_already_resolved', message: `transfer ${transfer.id} is already ${status}; it cannot be ${action === 'post' ? 'posted' : 'voided'}` };
}

/** The transfer body of the HTTP API: entries as they were sent. */
export interface TransferView {
  id: string;
  status: TransferStatus;
  entries: EntryRequest[];
  reference: string | null;
  createdAt: string;
  expiresAt?: string;
}

export function transferView(transfer: Transfer): TransferView {
  return {
    id: transfer.id,
    status: transfer.status,
    entries: transfer.entries.map((entry) => ({ accountId: entry.accountId, direction: entry.direction, amountMinor: entry.amountMinor })),
    reference: transfer.reference,
    createdAt: transfer.createdAt.toISOString(),
    ...(transfer.expiresAt ? { expiresAt: transfer.expiresAt.toISOString() } : {}),
  };
}
