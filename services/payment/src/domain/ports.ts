/**
 * What the payment service needs from the other five, as small interfaces: the saga and the acceptance use
 * case take these, unit tests pass fakes, and data-access/downstream-services.ts implements them over the
 * kit's ServiceClient (HTTP contracts of issue 10).
 *
 * Business outcomes (not found, insufficient funds, an expired quote ...) are return values. Anything thrown
 * is a failure to reach an answer (a service unavailable, a 500, a timeout): the saga retries it, and gives
 * up only when its job is out of attempts.
 */
import type { Decision, Payment, PaymentStatus, Reason } from './payment.ts';

export interface Wallet {
  id: string;
  customerId: string;
  currency: string;
  ledgerAccountId: string;
}

export interface Wallets {
  /** Undefined: no such wallet (404 `wallet_not_found`). */
  get(walletId: string): Promise<Wallet | undefined>;
}

export interface Customer {
  status: 'active' | 'blocked';
  country: string;
}

export interface Customers {
  /** The customers of `customerIds` that exist, by id, in one call (a missing id: no such customer). */
  find(customerIds: readonly string[]): Promise<Map<string, Customer>>;
}

export interface EvaluationRequest {
  paymentId: string;
  payerCustomerId: string;
  payeeCustomerId: string;
  payerCountry: string;
  payeeCountry: string;
  amountMinor: number;
  currency: string;
}

export interface Rules {
  /** Idempotent by paymentId on the rule engine's side: a repeat returns the stored decision. */
  evaluate(request: EvaluationRequest): Promise<Decision>;
}

export interface Quote {
  id: string;
  sellCurrency: string;
  buyCurrency: string;
  sellAmountMinor: number;
  buyAmountMinor: number;
  rate: string;
  expiresAt: string;
}

export interface Forex {
  /** `idempotencyKey` makes a retried request answer the same quote. */
  quote(request: { sellCurrency: string; buyCurrency: string; sellAmountMinor: number; idempotencyKey: string }): Promise<Quote>;
  /** `used` also for a repeat by the same payment; `quote_used` when another payment used it. */
  useQuote(quoteId: string, paymentId: string): Promise<'used' | 'quote_expired' | 'quote_used'>;
}

export type AccountType = 'asset' | 'liability' | 'equity' | 'revenue' | 'expense';
export type TransferStatus = 'pending' | 'posted' | 'voided' | 'expired';

export interface Entry {
  accountId: string;
  direction: 'debit' | 'credit';
  amountMinor: number;
}

export interface TransferRequest {
  id: string;
  entries: Entry[];
  pending: true;
  timeoutSeconds: number;
  reference: string;
}

export interface Ledger {
  /** POST /accounts: the same code and body again answers the existing account. */
  ensureAccount(account: { code: string; currency: string; type: AccountType; allowNegative: boolean }): Promise<{ id: string }>;
  /** Created, or the same id and body again: the transfer's status. */
  createTransfer(transfer: TransferRequest): Promise<{ status: TransferStatus } | 'insufficient_funds' | 'transfer_exists'>;
  post(transferId: string): Promise<'posted' | 'transfer_expired' | 'transfer_already_resolved' | 'transfer_not_found'>;
  void(transferId: string): Promise<'voided' | 'transfer_expired' | 'transfer_already_resolved' | 'transfer_not_found'>;
  /** Undefined: no such transfer. */
  getTransfer(transferId: string): Promise<{ status: TransferStatus } | undefined>;
}

/** What a transition may set besides the status. */
export interface PaymentChanges {
  decision?: Decision;
  quoteId?: string;
  payeeAmountMinor?: number;
  transferId?: string;
  reason?: Reason;
}

/** The saga's view of its own storage (data-access/payments.ts: each write one atomic statement). */
export interface PaymentStore {
  load(paymentId: string): Promise<Payment | undefined>;
  /**
   * Compare-and-set: moves `current` (as loaded) to `to` with `changes`, a history row and a
   * `payment.status-changed.v1` outbox event, atomically. Undefined: it was no longer in `current.status`.
   */
  transition(current: Payment, to: PaymentStatus, changes?: PaymentChanges): Promise<Payment | undefined>;
  /** Records step results while the payment stays in `current.status` (compare-and-set on it). Undefined: it moved on. */
  record(current: Payment, changes: PaymentChanges): Promise<Payment | undefined>;
}
