/**
 * What the wallet's use cases need from outside, as interfaces: the other services (profile, ledger) and the
 * wallet's own tables. Adapters: src/clients/ (HTTP through the kit's ServiceClient) and src/data-access/
 * (SQL). Use-case tests pass fakes.
 */
import type { Queryable } from '@innover/kit';

export type TransferStatus = 'pending' | 'posted' | 'voided' | 'expired';
export type EntryDirection = 'debit' | 'credit';

/** profile's `GET /customers/:id`, the fields the wallet reads. */
export interface Customer {
  id: string;
  status: string;
  country: string;
}

export interface CustomerDirectory {
  /** The customer, or undefined when profile answers 404 `customer_not_found`. */
  get(customerId: string): Promise<Customer | undefined>;
}

export interface LedgerAccount {
  id: string;
  code: string;
  currency: string;
}

export interface TransferEntryRequest {
  accountId: string;
  direction: EntryDirection;
  amountMinor: number;
}

export interface TransferRequest {
  id: string;
  entries: TransferEntryRequest[];
  pending?: boolean;
  reference?: string;
}

export interface LedgerTransfer {
  id: string;
  status: TransferStatus;
}

/** The ledger's HTTP contract (ISSUE-10.md "ledger"). Every call is idempotent, so a retry after a crash converges. */
export interface Ledger {
  /** A customer's account: `POST /accounts {code, currency, type: 'liability', allowNegative: false}`; 200 for the same code and body. */
  openAccount(request: { code: string; currency: string }): Promise<LedgerAccount>;
  /** The platform account `settlement:<CUR>` (asset, may go negative), created idempotently on first use. */
  ensureSettlementAccount(currency: string): Promise<LedgerAccount>;
  /** `POST /transfers`: 201, or 200 for the same id and body. */
  createTransfer(request: TransferRequest): Promise<LedgerTransfer>;
}

export interface Wallet {
  id: string;
  customerId: string;
  currency: string;
  ledgerAccountId: string;
  createdAt: string;
}

export interface Balance {
  postedMinor: number;
  pendingMinor: number;
  availableMinor: number;
}

export interface TopUp {
  id: string;
  walletId: string;
  amountMinor: number;
  currency: string;
  transferId: string;
  createdAt: string;
}

/** One wallet's side of one ledger transfer, as the projection keeps it. */
export interface WalletTransaction {
  transferId: string;
  direction: EntryDirection;
  amountMinor: number;
  status: TransferStatus;
  reference: string;
  /** When the wallet first saw the transfer (the event's time); ISO 8601, millisecond precision. */
  at: string;
}

/** Keyset position: the last item of the previous page. */
export interface TransactionCursor {
  at: string;
  transferId: string;
}

/** Runs `work` in one serializable transaction (with the 40001 retry); the adapter is the kit's runTransaction. */
export type Transactor = <T>(name: string, work: (tx: Queryable) => Promise<T>) => Promise<T>;

/** The wallet's own tables (src/data-access/). Every function takes a `Queryable`: the pool or one transaction. */
export interface WalletStore {
  findWallet(db: Queryable, walletId: string): Promise<Wallet | undefined>;
  findWalletByCustomer(db: Queryable, customerId: string, currency: string): Promise<Wallet | undefined>;
  /** Inserts the wallet and enqueues `wallet.opened.v1` (call it in a transaction); undefined when the customer has one in that currency already. */
  insertWallet(db: Queryable, wallet: Omit<Wallet, 'createdAt'>): Promise<Wallet | undefined>;
  insertTopUp(db: Queryable, topUp: Omit<TopUp, 'createdAt'>): Promise<TopUp>;
  /** posted = posted credits − posted debits; pending = pending debits; available = posted − pending. */
  balance(db: Queryable, walletId: string): Promise<Balance>;
  /** Newest first, strictly after `after` in that order. */
  transactions(db: Queryable, walletId: string, page: { limit: number; after?: TransactionCursor }): Promise<WalletTransaction[]>;
  findTransaction(db: Queryable, walletId: string, transferId: string): Promise<WalletTransaction | undefined>;
  insertTransaction(db: Queryable, walletId: string, transaction: WalletTransaction): Promise<void>;
  /**
   * One transfer event, applied once and atomically: the inbox row of (`consumer`, `eventId`) and, for each
   * wallet whose ledger account moves, its transaction row inserted in the event's status or moved forward
   * (`nextStatus`: pending → posted | voided | expired, nothing after). Answers how many wallet rows changed, or
   * undefined when this consumer handled the event before (then nothing changed).
   */
  projectTransfer(db: Queryable, event: ProjectedTransfer): Promise<number | undefined>;
}

/** What `projectTransfer` applies: the event's identity, the transfer's new status and each account's net movement. */
export interface ProjectedTransfer {
  eventId: string;
  consumer: string;
  transferId: string;
  status: TransferStatus;
  reference: string;
  /** The event's time, ISO 8601: a new row's `at`. */
  at: string;
  movements: Array<{ ledgerAccountId: string; direction: EntryDirection; amountMinor: number }>;
}

/** A list answer: `{items, nextCursor}`. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
