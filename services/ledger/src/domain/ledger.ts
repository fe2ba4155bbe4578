/**
 * The ledger's use cases over a store port (data-access/ledger-store.ts implements it in SQL). A transfer's
 * create, post and void are each one statement (`LedgerTransactions.statements`: its own implicit
 * transaction, 40001 retried), and what that statement writes is right however statements interleave:
 * - create inserts the transfer (a second one with its id fails on the primary key, and is answered from the
 *   stored one), its entries, the counter deltas and its event; an account that may not go negative cannot
 *   be overdrawn because the database refuses the update (`accounts_available_non_negative`, migration 004);
 * - post and void change the transfer's status only while it is pending (and, for post, within its
 *   timeout), and move the counters and write the event only when that compare-and-set matched.
 * Counters only ever change by deltas added in the statement (never a value read earlier and written back),
 * and the attributes read first (an account's currency and limit, a transfer's entries) never change. The
 * expiry job claims a batch and releases it in one serializable transaction (`write`). A statement or COMMIT
 * whose outcome is unknown (40003, `AmbiguousCommitError`) is answered by running the use case again: every
 * write is idempotent by the client's transfer id (or the account code), so the re-run finds what committed
 * or does it once.
 */
import { HttpError } from '@innover/kit';
import { AmbiguousCommitError } from '@innover/kit/transactions';
import type { Account, AccountInfo, AccountSpec, Counters } from './accounts.ts';
import { accountView, matchesSpec, zeroCounters } from './accounts.ts';
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
  /** The transfer and whether it is past its timeout by the database clock. */
  transfer(id: string): Promise<{ transfer: Transfer; pastTimeout: boolean } | undefined>;
  /**
   * An expiry batch's effects in the caller's transaction: each delta added to its account's counters, the
   * transfers' status, and the events to the outbox (each of its own transfer).
   */
  applyChanges(changes: LedgerChanges): Promise<void>;
  /**
   * A new transfer as one statement (a single event): its row, entries, counter deltas and event. `exists`
   * when its id is taken, `insufficient_funds` when an account that may not go negative would be overdrawn;
   * either way nothing is written.
   */
  createTransfer(transfer: Transfer, changes: Pick<LedgerChanges, 'deltas' | 'accounts'>, event: LedgerEvent): Promise<'created' | 'exists' | 'insufficient_funds'>;
  /**
   * Resolves a pending transfer as one statement: its status, counter deltas and event, only while it is
   * still pending (and, with `withinTimeout`, not past its timeout); false when it no longer was.
   */
  resolvePending(id: string, status: TransferStatus, changes: Pick<LedgerChanges, 'deltas' | 'accounts'> & { withinTimeout: boolean }, event: LedgerEvent): Promise<boolean>;
  /** Up to `limit` pending transfers past their timeout, locked, skipping rows another transaction holds. */
  claimExpired(limit: number): Promise<Transfer[]>;
  trialBalance(): Promise<Array<{ currency: string; debitsMinor: number; creditsMinor: number }>>;
}

/** What one write changes (`LedgerStore.applyChanges`). */
export interface LedgerChanges {
  deltas: ReadonlyMap<string, Counters>;
  /** The accounts of the deltas (which of them may go negative decides where their counters live). */
  accounts: readonly AccountInfo[];
  /** Pending transfers that expire (or resolve) to `status`. */
  resolved: { ids: readonly string[]; status: TransferStatus };
  events: readonly LedgerEvent[];
}

export interface LedgerTransactions {
  /** One serializable transaction (retried on 40001); throws AmbiguousCommitError when COMMIT's outcome is unknown. */
  write<T>(name: string, work: (store: LedgerStore) => Promise<T>): Promise<T>;
  /** Single statements outside a transaction (each is consistent by itself). */
  read: LedgerStore;
  /** Single writes, each its own transaction: retried on 40001, AmbiguousCommitError when the outcome is unknown. */
  statements: LedgerStore;
  /** The accounts with these ids (missing ids are absent): what never changes about them, so it may be cached. */
  accountInfo(ids: readonly string[]): Promise<AccountInfo[]>;
  newId(): string;
  now(): Date;
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
      return await withAmbiguityRetry(async (ambiguous) => {
        // The stored transfer answers a request whose id is taken: the same body (a replay) or 409.
        const existingAnswer = async () => {
          const existing = await transactions.read.transfer(request.id);
          if (!existing) return undefined;
          if (!sameRequest(existing.transfer, request)) throw new HttpError(409, 'transfer_exists', `transfer ${request.id} exists with another body; a new transfer needs a new id`);
          // After an ambiguous outcome the transfer found is (as far as the caller can tell) this request's own.
          return { status: ambiguous ? (201 as const) : (200 as const), transfer: transferView(existing.transfer) };
        };
        const accountIds = [...new Set(request.entries.map((entry) => entry.accountId))];
        const accounts = await transactions.accountInfo(accountIds);
        const byId = new Map(accounts.map((account) => [account.id, account]));
        const missing = accountIds.find((id) => !byId.has(id));
        const entries: Entry[] = request.entries.map((entry) => ({ ...entry, currency: byId.get(entry.accountId)?.currency ?? '' }));
        const unbalanced = missing ? [] : unbalancedCurrencies(entries);
        if (missing || unbalanced.length > 0) {
          const answer = await existingAnswer();
          if (answer) return answer;
          if (missing) throw notFound('account', missing);
          throw new HttpError(400, 'unbalanced', `entries must balance per currency: debits differ from credits in ${unbalanced.join(', ')}`);
        }
        const createdAt = transactions.now();
        const transfer: Transfer = {
          id: request.id,
          status: request.pending ? 'pending' : 'posted',
          twoPhase: request.pending,
          timeoutSeconds: request.timeoutSeconds,
          entries,
          reference: request.reference,
          createdAt,
          expiresAt: request.timeoutSeconds === null ? null : new Date(createdAt.getTime() + request.timeoutSeconds * 1_000),
        };
        const deltas = countersDelta(entries, request.pending ? 'reserve' : 'post-at-once');
        const outcome = await transactions.statements.createTransfer(transfer, { deltas, accounts }, transferChangedEvent(transfer, createdAt));
        if (outcome === 'created') return { status: 201, transfer: transferView(transfer) };
        // Taken or refused: a replay of a stored transfer is answered as such even when its funds are gone now.
        const answer = await existingAnswer();
        if (answer) return answer;
        if (outcome === 'exists') throw new Error(`transfer ${request.id} exists but cannot be read`);
        // Named: the accounts over their limit now, or (when a concurrent transfer freed funds since) those it draws on.
        const current = (await Promise.all(accountIds.map(async (id) => await transactions.read.account(id)))).filter((account): account is Account => account !== undefined);
        const over = accountsOverLimit(current, deltas);
        const named = over.length > 0 ? over : accountsOverLimit(accounts.map((account) => ({ ...account, ...zeroCounters })), deltas);
        throw new HttpError(409, 'insufficient_funds', `insufficient funds in ${named.map((account) => account.code).join(', ')}`);
      });
    },

    async resolveTransfer(id, action) {
      return await withAmbiguityRetry(async () => {
        // Decided on what is stored, then applied only if the transfer is still as it was read; when another
        // writer resolved it (or its timeout passed) in between, decided again on what it is now.
        for (let attempt = 1; ; attempt += 1) {
          const found = await transactions.read.transfer(id);
          if (!found) throw notFound('transfer', id);
          const outcome = resolve(found.transfer, action, found.pastTimeout);
          if (outcome.kind === 'refuse') throw new HttpError(outcome.status, outcome.code, outcome.message);
          if (outcome.kind === 'unchanged') return transferView(found.transfer);
          const accounts = await transactions.accountInfo([...new Set(found.transfer.entries.map((entry) => entry.accountId))]);
          const transfer: Transfer = { ...found.transfer, status: outcome.status };
          const deltas = countersDelta(found.transfer.entries, outcome.movement);
          if (await transactions.statements.resolvePending(id, outcome.status, { deltas, accounts, withinTimeout: action === 'post' }, transferChangedEvent(transfer))) return transferView(transfer);
          // A transfer resolves once, so a second look finds it resolved; more means something is wrong.
          if (attempt >= 3) throw new Error(`transfer ${id} stayed pending but refused to resolve ${attempt} times`);
        }
      });
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
