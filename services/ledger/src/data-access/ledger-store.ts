/**
 * All of the ledger's SQL (parameterised; the same statements run on PostgreSQL and CockroachDB), behind the
 * domain's `LedgerStore` port. Amounts are BIGINT columns; node-postgres hands them over as strings, which
 * `minorUnits` converts with a check instead of trusting `Number`.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { Database, Queryable } from '@innover/kit';
import { enqueueEvent, outboxStatementParts, outboxWritten } from '@innover/kit/outbox';
import { runTransaction, sqlState, statementRunner } from '@innover/kit/transactions';
import type { TransactionOptions } from '@innover/kit/transactions';
import type { Account, AccountInfo, AccountSpec, AccountType, Direction } from '../domain/accounts.ts';
import type { LedgerChanges, LedgerStore, LedgerTransactions } from '../domain/ledger.ts';
import type { LedgerEvent } from '../domain/transfer-events.ts';
import type { Transfer, TransferStatus } from '../domain/transfers.ts';

/** A BIGINT/NUMERIC value as a JavaScript integer, or an error when it is not exactly representable. */
export function minorUnits(value: string | number | null): number {
  const number = typeof value === 'number' ? value : Number(value ?? 0);
  if (!Number.isSafeInteger(number)) throw new Error(`amount ${String(value)} is not a safe integer of minor units`);
  return number;
}

interface AccountRow {
  id: string;
  code: string;
  currency: string;
  account_type: string;
  allow_negative: boolean;
  posted_debits_minor: string;
  posted_credits_minor: string;
  pending_debits_minor: string;
  pending_credits_minor: string;
}

const accountColumns = 'id, code, currency, account_type, allow_negative, posted_debits_minor, posted_credits_minor, pending_debits_minor, pending_credits_minor';

/** Shard rows per account that may go negative (migration 003); a transfer writes one, picked at random. */
export const counterShards = 16;

/** An account with its counters: its own columns plus its shard rows (which only accounts allowed negative have). */
const accountWithShards = `SELECT a.id, a.code, a.currency, a.account_type, a.allow_negative,
    a.posted_debits_minor + COALESCE(s.posted_debits, 0) AS posted_debits_minor,
    a.posted_credits_minor + COALESCE(s.posted_credits, 0) AS posted_credits_minor,
    a.pending_debits_minor + COALESCE(s.pending_debits, 0) AS pending_debits_minor,
    a.pending_credits_minor + COALESCE(s.pending_credits, 0) AS pending_credits_minor
  FROM accounts a LEFT JOIN (
    SELECT account_id, SUM(posted_debits_minor) AS posted_debits, SUM(posted_credits_minor) AS posted_credits,
      SUM(pending_debits_minor) AS pending_debits, SUM(pending_credits_minor) AS pending_credits
    FROM account_counter_shards WHERE account_id = (SELECT id FROM accounts WHERE {key} = $1) GROUP BY account_id
  ) s ON s.account_id = a.id
  WHERE a.{key} = $1`;

function toAccount(row: AccountRow): Account {
  return {
    id: row.id,
    code: row.code,
    currency: row.currency,
    type: row.account_type as AccountType,
    allowNegative: row.allow_negative,
    postedDebitsMinor: minorUnits(row.posted_debits_minor),
    postedCreditsMinor: minorUnits(row.posted_credits_minor),
    pendingDebitsMinor: minorUnits(row.pending_debits_minor),
    pendingCreditsMinor: minorUnits(row.pending_credits_minor),
  };
}

interface TransferRow {
  id: string;
  status: string;
  two_phase: boolean;
  timeout_seconds: number | null;
  reference: string | null;
  created_at: Date;
  expires_at: Date | null;
}

interface EntryRow {
  transfer_id: string;
  account_id: string;
  direction: string;
  amount_minor: string;
  currency: string;
}

const transferColumns = 'id, status, two_phase, timeout_seconds, reference, created_at, expires_at';

function toHeader(row: TransferRow): Omit<Transfer, 'entries'> {
  return { id: row.id, status: row.status as TransferStatus, twoPhase: row.two_phase, timeoutSeconds: row.timeout_seconds, reference: row.reference, createdAt: row.created_at, expiresAt: row.expires_at };
}

function toTransfer(row: TransferRow, entries: readonly EntryRow[]): Transfer {
  return {
    ...toHeader(row),
    entries: entries.map((entry) => ({ accountId: entry.account_id, direction: entry.direction as Direction, amountMinor: minorUnits(entry.amount_minor), currency: entry.currency })),
  };
}

async function entriesOf(db: Queryable, ids: readonly string[]): Promise<Map<string, EntryRow[]>> {
  const rows = await db.query<EntryRow>('SELECT transfer_id, account_id, direction, amount_minor, currency FROM transfer_entries WHERE transfer_id = ANY($1::UUID[]) ORDER BY transfer_id, entry_index', [ids]);
  const byTransfer = new Map<string, EntryRow[]>();
  for (const row of rows) byTransfer.set(row.transfer_id, [...(byTransfer.get(row.transfer_id) ?? []), row]);
  return byTransfer;
}

/** The values of a statement being composed: `add` answers each value's placeholder. */
function parameters() {
  const values: unknown[] = [];
  return { values, add: (value: unknown, cast = '') => `$${values.push(value)}${cast}` };
}

/** What one statement writes (`changesStatement`). */
export interface StatementChanges extends Pick<LedgerChanges, 'deltas' | 'accounts'> {
  /** A new transfer: its row (a plain INSERT, so a taken id fails the whole statement) and its entries. */
  transfer?: Transfer;
  /**
   * Pending transfers that resolve to `status`. The statement's other writes happen only when every one of
   * them still was pending (and, with `withinTimeout`, not past its timeout): a compare-and-set on the status.
   */
  resolved?: { ids: readonly string[]; status: TransferStatus; withinTimeout?: boolean };
}

/**
 * A write as one statement of data-modifying CTEs, each on a table of its own: the transfer's row and entries
 * or its status, the counter deltas (shard rows of accounts allowed negative, the account row of the others,
 * in id order so two statements lock shared rows in the same order), and `event`'s outbox rows. One table
 * each, because CockroachDB refuses two modifications of one table in one statement
 * (`sql.multiple_modifications_of_table.enabled`): a second event is a statement of its own. With `resolved`,
 * the statement answers `applied` (1 when the compare-and-set matched, else 0 and nothing else written).
 */
export function changesStatement(changes: StatementChanges, event?: LedgerEvent): { sql: string; values: unknown[] } {
  const { deltas, accounts, transfer, resolved } = changes;
  const parameter = parameters();
  const ctes: string[] = [];
  const unlimited = new Set(accounts.filter((account) => account.allowNegative).map((account) => account.id));
  const ids = [...deltas.keys()].sort();
  const sharded = ids.filter((id) => unlimited.has(id));
  const limited = ids.filter((id) => !unlimited.has(id));
  const deltaColumns = (of: string[]) =>
    [of, of.map((id) => deltas.get(id)?.postedDebitsMinor), of.map((id) => deltas.get(id)?.postedCreditsMinor), of.map((id) => deltas.get(id)?.pendingDebitsMinor), of.map((id) => deltas.get(id)?.pendingCreditsMinor)]
      .map((column, index) => parameter.add(column, index === 0 ? '::UUID[]' : '::INT8[]'))
      .join(', ');
  if (transfer) {
    ctes.push(`new_transfer AS (
       INSERT INTO transfers (id, status, two_phase, timeout_seconds, reference, created_at, expires_at)
       VALUES (${parameter.add(transfer.id, '::UUID')}, ${parameter.add(transfer.status, '::TEXT')}, ${parameter.add(transfer.twoPhase, '::BOOLEAN')}, ${parameter.add(transfer.timeoutSeconds, '::INT8')}, ${parameter.add(transfer.reference, '::TEXT')}, ${parameter.add(transfer.createdAt, '::TIMESTAMPTZ')}, ${parameter.add(transfer.expiresAt, '::TIMESTAMPTZ')})
       RETURNING id
     )`);
    ctes.push(`new_entries AS (
       INSERT INTO transfer_entries (transfer_id, entry_index, account_id, direction, amount_minor, currency)
       SELECT ${parameter.add(transfer.id, '::UUID')}, x.ordinality - 1, x.account_id, x.direction, x.amount_minor, x.currency
       FROM unnest(${[
         transfer.entries.map((entry) => entry.accountId),
         transfer.entries.map((entry) => entry.direction),
         transfer.entries.map((entry) => entry.amountMinor),
         transfer.entries.map((entry) => entry.currency),
       ]
         .map((column, index) => parameter.add(column, ['::UUID[]', '::TEXT[]', '::INT8[]', '::TEXT[]'][index]))
         .join(', ')}) WITH ORDINALITY AS x(account_id, direction, amount_minor, currency, ordinality)
       RETURNING entry_index
     )`);
  }
  // The compare-and-set first: every other write below is gated on `applied`, one row when it matched.
  const gate = resolved ? 'applied' : undefined;
  const gated = gate ? ` EXISTS (SELECT 1 FROM ${gate})` : '';
  if (resolved) {
    // `(status || '')`: found by the primary key alone, never through transfers_status_expires_at. Under SERIALIZABLE
    // (the expiry job's transaction) a plan through that index reads (and PostgreSQL's SSI locks) every pending
    // transfer, so each expiry conflicted with every concurrent reservation.
    ctes.push(`resolved AS (
       UPDATE transfers SET status = ${parameter.add(resolved.status, '::TEXT')}, resolved_at = now()
       WHERE id = ANY(${parameter.add(resolved.ids, '::UUID[]')}) AND (status || '') = 'pending'${resolved.withinTimeout ? ' AND (expires_at IS NULL OR expires_at > now())' : ''}
       RETURNING id
     )`);
    ctes.push(`applied AS (SELECT 1 AS one FROM (SELECT count(*) AS n FROM resolved) AS r WHERE r.n = ${parameter.add(resolved.ids.length, '::INT8')})`);
  }
  if (sharded.length > 0)
    ctes.push(`shard_deltas AS (
       INSERT INTO account_counter_shards (account_id, shard, posted_debits_minor, posted_credits_minor, pending_debits_minor, pending_credits_minor)
       SELECT d.id, ${parameter.add(randomInt(counterShards), '::INT8')}, d.posted_debits, d.posted_credits, d.pending_debits, d.pending_credits
       FROM unnest(${deltaColumns(sharded)}) AS d(id, posted_debits, posted_credits, pending_debits, pending_credits)${gated ? `\n       WHERE${gated}` : ''}
       ON CONFLICT (account_id, shard) DO UPDATE SET
         posted_debits_minor = account_counter_shards.posted_debits_minor + excluded.posted_debits_minor,
         posted_credits_minor = account_counter_shards.posted_credits_minor + excluded.posted_credits_minor,
         pending_debits_minor = account_counter_shards.pending_debits_minor + excluded.pending_debits_minor,
         pending_credits_minor = account_counter_shards.pending_credits_minor + excluded.pending_credits_minor
       RETURNING account_id
     )`);
  if (limited.length > 0)
    // Deltas added to what the row holds when the statement writes it, never a value read earlier: a concurrent
    // writer of the row makes this one wait, and accounts_available_non_negative (migration 004) refuses an overdraft.
    ctes.push(`account_deltas AS (
       UPDATE accounts AS a SET
         posted_debits_minor = a.posted_debits_minor + d.posted_debits,
         posted_credits_minor = a.posted_credits_minor + d.posted_credits,
         pending_debits_minor = a.pending_debits_minor + d.pending_debits,
         pending_credits_minor = a.pending_credits_minor + d.pending_credits
       FROM unnest(${deltaColumns(limited)}) AS d(id, posted_debits, posted_credits, pending_debits, pending_credits)
       WHERE a.id = d.id${gated ? ` AND${gated}` : ''}
       RETURNING a.id
     )`);
  if (event) {
    const parts = outboxStatementParts(event, { firstParameter: parameter.values.length + 1, ...(gate ? { gate } : {}) });
    parameter.values.push(...parts.values);
    ctes.push(parts.ctes);
  }
  const answer = gate ? `SELECT count(*) AS applied FROM ${gate}` : 'SELECT 1';
  if (ctes.length === 0) return { sql: answer, values: [] };
  return { sql: `WITH ${ctes.join(',\n     ')}\n     ${answer}`, values: parameter.values };
}

/** The store over one `Queryable`: a transaction's or the pool's. */
export function ledgerStore(db: Queryable): LedgerStore {
  return {
    async insertAccount(id: string, spec: AccountSpec) {
      const rows = await db.query('INSERT INTO accounts (id, code, currency, account_type, allow_negative) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (code) DO NOTHING RETURNING id', [id, spec.code, spec.currency, spec.type, spec.allowNegative]);
      return rows.length > 0;
    },

    async accountByCode(code: string) {
      const [row] = await db.query<AccountRow>(accountWithShards.replaceAll('{key}', 'code'), [code]);
      return row ? toAccount(row) : undefined;
    },

    async account(id: string) {
      const [row] = await db.query<AccountRow>(accountWithShards.replaceAll('{key}', 'id'), [id]);
      return row ? toAccount(row) : undefined;
    },

    async lockAccounts(ids: readonly string[]) {
      if (ids.length === 0) return [];
      // ORDER BY id under FOR UPDATE: rows are locked in id order, as the write statements lock them.
      // Accounts allowed negative are read without a lock: their counters live in shard rows (changesStatement).
      const limited = await db.query<AccountRow>(`SELECT ${accountColumns} FROM accounts WHERE id = ANY($1::UUID[]) AND NOT allow_negative ORDER BY id FOR UPDATE`, [ids]);
      const unlimited = limited.length === ids.length ? [] : await db.query<AccountRow>(`SELECT ${accountColumns} FROM accounts WHERE id = ANY($1::UUID[]) AND allow_negative`, [ids]);
      return [...limited, ...unlimited].map(toAccount);
    },

    async transfer(id: string) {
      // The header and its entries in one statement (every transfer has entries: they commit with it).
      const rows = await db.query<TransferRow & EntryRow & { past_timeout: boolean }>(
        `SELECT ${transferColumns.split(', ').map((column) => `t.${column}`).join(', ')}, (t.expires_at IS NOT NULL AND t.expires_at <= now()) AS past_timeout,
           e.transfer_id, e.account_id, e.direction, e.amount_minor, e.currency
         FROM transfers t JOIN transfer_entries e ON e.transfer_id = t.id
         WHERE t.id = $1 ORDER BY e.entry_index`,
        [id],
      );
      const [row] = rows;
      if (!row) return undefined;
      return { transfer: toTransfer(row, rows), pastTimeout: row.past_timeout };
    },

    async applyChanges(changes) {
      // The first event rides in the statement; the others (an expiry batch's) follow, one statement each.
      const [first, ...others] = changes.events;
      const { sql, values } = changesStatement(changes, first);
      await db.query(sql, values);
      for (const event of others) await enqueueEvent(db, event);
      if (first) outboxWritten(db);
    },

    async createTransfer(transfer, changes, event) {
      const { sql, values } = changesStatement({ ...changes, transfer }, event);
      try {
        await db.query(sql, values);
      } catch (error) {
        // The statement is atomic: either refusal wrote nothing. A unique violation can only be the transfer's id
        // (its row or its entries' key); a check violation only the available balance, since the entries' amounts
        // and the counters' signs are checked before (CockroachDB names no constraint for a CHECK).
        if (sqlState(error) === '23505') return 'exists';
        if (sqlState(error) === '23514') return 'insufficient_funds';
        throw error;
      }
      outboxWritten(db);
      return 'created';
    },

    async resolvePending(id, status, changes, event) {
      const { sql, values } = changesStatement({ ...changes, resolved: { ids: [id], status, withinTimeout: changes.withinTimeout } }, event);
      const [row] = await db.query<{ applied: string | number }>(sql, values);
      const applied = Number(row?.applied ?? 0) > 0;
      if (applied) outboxWritten(db);
      return applied;
    },

    async claimExpired(limit: number) {
      // SKIP LOCKED: replicas running the job at once take disjoint batches (CockroachDB ≥ 23.1, PostgreSQL ≥ 9.5).
      const rows = await db.query<TransferRow>(`SELECT ${transferColumns} FROM transfers WHERE status = 'pending' AND expires_at <= now() ORDER BY expires_at, id LIMIT $1 FOR UPDATE SKIP LOCKED`, [limit]);
      if (rows.length === 0) return [];
      const entries = await entriesOf(
        db,
        rows.map((row) => row.id),
      );
      return rows.map((row) => toTransfer(row, entries.get(row.id) ?? []));
    },

    async trialBalance() {
      // One statement, so one consistent snapshot: a transfer's entries and its status commit together.
      const rows = await db.query<{ currency: string; debits: string; credits: string }>(
        `SELECT e.currency,
           SUM(CASE WHEN e.direction = 'debit' THEN e.amount_minor ELSE 0 END) AS debits,
           SUM(CASE WHEN e.direction = 'credit' THEN e.amount_minor ELSE 0 END) AS credits
         FROM transfer_entries e JOIN transfers t ON t.id = e.transfer_id
         WHERE t.status = 'posted'
         GROUP BY e.currency ORDER BY e.currency`,
      );
      return rows.map((row) => ({ currency: row.currency, debitsMinor: minorUnits(row.debits), creditsMinor: minorUnits(row.credits) }));
    },
  };
}

/**
 * Serializable retries for a hot account: many transfers on one account (a wallet funded once, spent
 * concurrently; `settlement:<CUR>` under top-ups) conflict on its row, and each commit fails every transaction
 * waiting on the row with 40001. More attempts with a lower ceiling than the kit's defaults let them through.
 */
export const transferTransactionOptions: TransactionOptions = { maxAttempts: 30, baseDelayMs: 2, maxDelayMs: 100 };

/** How many accounts' immutable attributes a process keeps (`accountInfo`); past it the cache starts over. */
export const accountInfoCacheSize = 10_000;

export function ledgerTransactions(database: Database, options: TransactionOptions = transferTransactionOptions): LedgerTransactions {
  // An account's code, currency, type and limit never change once it is open, so what one read found serves
  // every later transfer on that account: a wallet's create and post cost no read of its attributes.
  const known = new Map<string, AccountInfo>();
  return {
    write: async (name, work) => await runTransaction(database, async (tx) => await work(ledgerStore(tx)), { ...options, name }),
    read: ledgerStore(database),
    statements: ledgerStore(statementRunner(database, options)),
    async accountInfo(ids) {
      const missing = ids.filter((id) => !known.has(id));
      if (missing.length > 0) {
        const rows = await database.query<Pick<AccountRow, 'id' | 'code' | 'currency' | 'account_type' | 'allow_negative'>>('SELECT id, code, currency, account_type, allow_negative FROM accounts WHERE id = ANY($1::UUID[])', [missing]);
        if (known.size + rows.length > accountInfoCacheSize) known.clear();
        for (const row of rows) known.set(row.id, { id: row.id, code: row.code, currency: row.currency, type: row.account_type as AccountType, allowNegative: row.allow_negative });
      }
      return ids.flatMap((id) => known.get(id) ?? []);
    },
    newId: () => randomUUID(),
    now: () => new Date(),
  };
}
