/**
 * The ledger's use cases over a store port (data-access/ledger-store.ts implements it in SQL). Every write
 * is one serializable transaction (`LedgerTransactions.write`: the kit's runTransaction, 40001 retried):
 * the accounts' counters, the transfer and its outbox event change together. Accounts are locked in id
 * order, so two transfers over the same accounts never deadlock. A COMMIT whose outcome is unknown
 * (40003, `AmbiguousCommitError`) is answered by running the use case again: every write is idempotent by
 * the client's transfer id (or the account code), so the re-run finds what committed or does it once.
 */
import { HttpError } from '@innover/kit';
import { AmbiguousCommitError } from '@innover/kit/transactions';
import type { Account, AccountSpec, Counters } from './accounts.ts';
import { accountView, matchesSpec } from './accounts.ts';
import type { LedgerEvent } from './transfer-events.ts';
import { transferChangedEvent } from './transfer-events.ts';
import type { Action, Entry, Transfer, TransferRequest, TransferStatus, TransferView } from './transfers.ts';
import { accountsOverLimit, countersDelta, resolve, sameRequest, transferView, unbalancedCurrencies } from './transfers.ts';

/** The statements of one transaction (or plain reads), as the use cases need them. */
export interface LedgerStore {
  /** Inserts the account unless its code exists; false when it did. */
  insertAccount(id: string, spec: AccountSpec): Promise<boolean>;
  accountByCode(code: string): Promise<Account | undefined>;
  account(id: string): Promise<Account | undefined>;
  /**
   * The accounts with these ids (missing ids are absent). Those that may not go negative are locked
   * (`FOR UPDATE`, in id order) and carry their counters; the others need no lock (nothing checks a limit on them).
   */
  lockAccounts(ids: readonly string[]): Promise<Account[]>;
  /** The transfer and whether it is past its timeout by the database clock; `lock` takes its row lock. */
  transfer(id: string, options?: { lock?: boolean }): Promise<{ transfer: Transfer; pastTimeout: boolean } | undefined>;
  /**
   * Inserts the transfer's row unless its id exists (then undefined); the database clock sets createdAt and
   * expiresAt. Insert first, read only on a conflict: under PostgreSQL's SSI a read of the id before the insert
   * makes concurrent creates conflict with each other (predicate locks on the same index page).
   */
  insertTransfer(request: TransferRequest, status: TransferStatus): Promise<Omit<Transfer, 'entries'> | undefined>;
  /**
   * A write's effects, in one statement where the engine allows: each delta added to its account's counters
   * (`accounts` as `lockAccounts` gave them), a new transfer's entries or resolved transfers' status, and the
   * events to the outbox (each of its own transfer).
   */
  applyChanges(changes: LedgerChanges): Promise<void>;
  /** Up to `limit` pending transfers past their timeout, locked, skipping rows another transaction holds. */
  claimExpired(limit: number): Promise<Transfer[]>;
  trialBalance(): Promise<Array<{ currency: string; debitsMinor: number; creditsMinor: number }>>;
}

/** What one write changes (`LedgerStore.applyChanges`). */
export interface LedgerChanges {
  deltas: ReadonlyMap<string, Counters>;
  accounts: readonly Account[];
  /** A new transfer's entries. */
  entries?: { transferId: string; entries: readonly Entry[] };
  /** Pending transfers that resolve (or expire) to `status`. */
  resolved?: { ids: readonly string[]; status: TransferStatus };
  events: readonly LedgerEvent[];
}

export interface LedgerTransactions {
  /** One serializable transaction (retried on 40001); throws AmbiguousCommitError when COMMIT's outcome is unknown. */
  write<T>(name: string, work: (store: LedgerStore) => Promise<T>): Promise<T>;
  /** Single statements outside a transaction (each is consistent by itself). */
  read: LedgerStore;
  newId(): string;
}

/** Runs `attempt` again after an ambiguous commit (idempotent writes), at most `times` more times. */
async function withAmbiguityRetry<T>(attempt: (ambiguous: boolean) => Promise<T>, times = 3): Promise<T> {
  for (let tries = 0; ; tries += 1) {
    try {
      return await attempt(tries > 0);
    } catch (error) {
      if (!(error instanceof AmbiguousCommitError) || tries >= times) throw error;
    }
  }
}

const notFound = (thing: 'account' | 'transfer', id: string) => new HttpError(404, `${thing}_not_found`, `no ${thing} ${id}`);

export interface Ledger {
  openAccount(spec: AccountSpec): Promise<{ status: 200 | 201; account: ReturnType<typeof accountView> }>;
  getAccount(id: string): Promise<ReturnType<typeof accountView>>;
  createTransfer(request: TransferRequest): Promise<{ status: 200 | 201; transfer: TransferView }>;
  resolveTransfer(id: string, action: Action): Promise<TransferView>;
  getTransfer(id: string): Promise<TransferView>;
  trialBalance(): Promise<{ currencies: Array<{ currency: string; debitsMinor: number; creditsMinor: number }> }>;
  /** Expires pending transfers past their timeout, one transaction per batch; answers how many it expired. */
  expireTransfers(options?: { batchSize?: number; maxBatches?: number }): Promise<number>;
}

export function createLedger(transactions: LedgerTransactions): Ledger {
  return {
    async openAccount(spec) {
      return await withAmbiguityRetry(async () =>
        transactions.write('account.open', async (store) => {
          const inserted = await store.insertAccount(transactions.newId(), spec);
          const account = await store.accountByCode(spec.code);
          if (!account) throw new Error(`account ${spec.code} vanished after its insert`);
          if (!inserted && !matchesSpec(account, spec)) throw new HttpError(409, 'account_exists', `account ${spec.code} exists with another currency, type or allowNegative`);
          return { status: inserted ? 201 : 200, account: accountView(account) };
        }),
      );
    },

    async getAccount(id) {
      const account = await transactions.read.account(id);
      if (!account) throw notFound('account', id);
      return accountView(account);
    },

    async createTransfer(request) {
      return await withAmbiguityRetry(async (ambiguous) =>
        transactions.write('transfer.create', async (store) => {
          const header = await store.insertTransfer(request, request.pending ? 'pending' : 'posted');
          if (!header) {
            const existing = await store.transfer(request.id);
            if (!existing) throw new Error(`transfer ${request.id} exists but cannot be read`);
            if (!sameRequest(existing.transfer, request)) throw new HttpError(409, 'transfer_exists', `transfer ${request.id} exists with another body; a new transfer needs a new id`);
            // After an ambiguous COMMIT the transfer found is (as far as the caller can tell) this request's own.
            return { status: ambiguous ? 201 : 200, transfer: transferView(existing.transfer) };
          }
          const accountIds = [...new Set(request.entries.map((entry) => entry.accountId))];
          const accounts = await store.lockAccounts(accountIds);
          const byId = new Map(accounts.map((account) => [account.id, account]));
          const missing = accountIds.find((id) => !byId.has(id));
          if (missing) throw notFound('account', missing);
          const entries: Entry[] = request.entries.map((entry) => ({ ...entry, currency: byId.get(entry.accountId)?.currency ?? '' }));
          const unbalanced = unbalancedCurrencies(entries);
          if (unbalanced.length > 0) throw new HttpError(400, 'unbalanced', `entries must balance per currency: debits differ from credits in ${unbalanced.join(', ')}`);
          const deltas = countersDelta(entries, request.pending ? 'reserve' : 'post-at-once');
          const over = accountsOverLimit(accounts, deltas);
          if (over.length > 0) throw new HttpError(409, 'insufficient_funds', `insufficient funds in ${over.map((account) => account.code).join(', ')}`);
          const transfer: Transfer = { ...header, entries };
          await store.applyChanges({ deltas, accounts, entries: { transferId: request.id, entries }, events: [transferChangedEvent(transfer, transfer.createdAt)] });
          return { status: 201, transfer: transferView(transfer) };
        }),
      );
    },

    async resolveTransfer(id, action) {
      return await withAmbiguityRetry(async () =>
        transactions.write(`transfer.${action}`, async (store) => {
          const found = await store.transfer(id, { lock: true });
          if (!found) throw notFound('transfer', id);
          const outcome = resolve(found.transfer, action, found.pastTimeout);
          if (outcome.kind === 'refuse') throw new HttpError(outcome.status, outcome.code, outcome.message);
          if (outcome.kind === 'unchanged') return transferView(found.transfer);
          const accounts = await store.lockAccounts([...new Set(found.transfer.entries.map((entry) => entry.accountId))]);
          const transfer: Transfer = { ...found.transfer, status: outcome.status };
          await store.applyChanges({ deltas: countersDelta(found.transfer.entries, outcome.movement), accounts, resolved: { ids: [id], status: outcome.status }, events: [transferChangedEvent(transfer)] });
          return transferView(transfer);
        }),
      );
    },

    async getTransfer(id) {
      const found = await transactions.read.transfer(id);
      if (!found) throw notFound('transfer', id);
      return transferView(found.transfer);
    },

    async trialBalance() {
      return { currencies: await transactions.read.trialBalance() };
    },

    async expireTransfers(options = {}) {
      const batchSize = options.batchSize ?? 100;
      const maxBatches = options.maxBatches ?? 50;
      let expired = 0;
      for (let batch = 0; batch < maxBatches; batch += 1) {
        const count = await withAmbiguityRetry(async () =>
          transactions.write('transfer.expire', async (store) => {
            const claimed = await store.claimExpired(batchSize);
            if (claimed.length === 0) return 0;
            const entries = claimed.flatMap((transfer) => transfer.entries);
            const accounts = await store.lockAccounts([...new Set(entries.map((entry) => entry.accountId))]);
            await store.applyChanges({
              deltas: countersDelta(entries, 'release'),
              accounts,
              resolved: { ids: claimed.map((transfer) => transfer.id), status: 'expired' },
              events: claimed.map((transfer) => transferChangedEvent({ ...transfer, status: 'expired' })),
            });
            return claimed.length;
          }),
        );
        expired += count;
        if (count < batchSize) break;
      }
      return expired;
    },
  };
}
