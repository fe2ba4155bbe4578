/** A payment as the saga and the HTTP contract see it (issue 10, "payment"). */

export const paymentStatuses = ['pending', 'screening', 'reserved', 'completed', 'rejected', 'failed'] as const;
export type PaymentStatus = (typeof paymentStatuses)[number];

export const terminalStatuses: ReadonlySet<PaymentStatus> = new Set(['completed', 'rejected', 'failed']);
export const nonTerminalStatuses: readonly PaymentStatus[] = paymentStatuses.filter((status) => !terminalStatuses.has(status));

/** The state machine: every transition the saga may make. Anything else is a bug. */
export const allowedTransitions: Readonly<Record<PaymentStatus, readonly PaymentStatus[]>> = {
  // pending → failed: the first step (the move to screening) ran out of retries, e.g. the database was away.
  pending: ['screening', 'failed'],
  screening: ['reserved', 'rejected', 'failed'],
  reserved: ['completed', 'failed'],
  completed: [],
  rejected: [],
  failed: [],
};

export function isTerminal(status: PaymentStatus): boolean {
  return terminalStatuses.has(status);
}

export function canTransition(from: PaymentStatus, to: PaymentStatus): boolean {
  return allowedTransitions[from].includes(to);
}

export interface Decision {
  outcome: 'approve' | 'reject';
  reasons: Array<{ rule: string; message: string }>;
  ruleSetVersion: number;
}

export interface Reason {
  code: string;
  message: string;
}

/** A stored payment, with what the saga learnt so far. */
export interface Payment {
  id: string;
  status: PaymentStatus;
  payerWalletId: string;
  payeeWalletId: string;
  payerCustomerId: string;
  payeeCustomerId: string;
  payerAccountId: string;
  payeeAccountId: string;
  amountMinor: number;
  currency: string;
  /** Equal to amountMinor in one currency; null across currencies until the quote is taken. */
  payeeAmountMinor: number | null;
  payeeCurrency: string;
  quoteId?: string | undefined;
  transferId?: string | undefined;
  decision?: Decision | undefined;
  reason?: Reason | undefined;
  reference?: string | undefined;
  createdAt: Date;
  updatedAt: Date;
}

export interface HistoryEntry {
  status: PaymentStatus;
  at: Date;
}

/**
 * A history in the order of the state machine: each status appears at most once, and the saga's statuses form one
 * path (pending → screening → reserved → one terminal), so the order needs no clock: the API that stored `pending`
 * and the worker that stored the rest may disagree by a few milliseconds.
 */
export function inStatusOrder<Entry extends HistoryEntry>(history: readonly Entry[]): Entry[] {
  return [...history].sort((left, right) => paymentStatuses.indexOf(left.status) - paymentStatuses.indexOf(right.status));
}

/** The body of `GET /payments/:id` (and of the 202 of `POST /payments`). */
export interface PaymentView {
  id: string;
  status: PaymentStatus;
  payerWalletId: string;
  payeeWalletId: string;
  amountMinor: number;
  currency: string;
  payeeAmountMinor: number | null;
  payeeCurrency: string;
  quoteId?: string;
  transferId?: string;
  decision?: Decision;
  reason?: Reason;
  reference?: string;
  createdAt: string;
  history: Array<{ status: PaymentStatus; at: string }>;
}

export function toView(payment: Payment, history: readonly HistoryEntry[]): PaymentView {
  return {
    id: payment.id,
    status: payment.status,
    payerWalletId: payment.payerWalletId,
    payeeWalletId: payment.payeeWalletId,
    amountMinor: payment.amountMinor,
    currency: payment.currency,
    payeeAmountMinor: payment.payeeAmountMinor,
    payeeCurrency: payment.payeeCurrency,
    ...(payment.quoteId ? { quoteId: payment.quoteId } : {}),
    ...(payment.transferId ? { transferId: payment.transferId } : {}),
    ...(payment.decision ? { decision: payment.decision } : {}),
    ...(payment.reason ? { reason: payment.reason } : {}),
    ...(payment.reference !== undefined ? { reference: payment.reference } : {}),
    createdAt: payment.createdAt.toISOString(),
    history: history.map((entry) => ({ status: entry.status, at: entry.at.toISOString() })),
  };
}
