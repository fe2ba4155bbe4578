/** All of the payment service's SQL (parameterised), over a kit `Queryable`: the pool or one transaction. */
import type { Database, Queryable } from '@innover/kit';
import { injectTraceContext } from '@innover/kit';
import { outboxStatementParts, outboxWritten } from '@innover/kit/outbox';
import { runStatement } from '@innover/kit/transactions';
import type { Decision, HistoryEntry, Payment, PaymentStatus } from '../domain/payment.ts';
import { inStatusOrder, nonTerminalStatuses } from '../domain/payment.ts';
import type { PaymentChanges, PaymentStore } from '../domain/ports.ts';
import { initiatedEvent, statusChangedEvent } from './payment-events.ts';

interface PaymentRow {
  id: string;
  status: PaymentStatus;
  payer_wallet_id: string;
  payee_wallet_id: string;
  payer_customer_id: string;
  payee_customer_id: string;
  payer_account_id: string;
  payee_account_id: string;
  amount_minor: string;
  currency: string;
  payee_amount_minor: string | null;
  payee_currency: string;
  quote_id: string | null;
  transfer_id: string | null;
  decision: Decision | null;
  reason_code: string | null;
  reason_message: string | null;
  reference: string | null;
  created_at: Date;
  updated_at: Date;
}

const columns = `id, status, payer_wallet_id, payee_wallet_id, payer_customer_id, payee_customer_id, payer_account_id, payee_account_id,
  amount_minor, currency, payee_amount_minor, payee_currency, quote_id, transfer_id, decision, reason_code, reason_message, reference, created_at, updated_at`;

/**
 * A column compared so no index can serve it (`(status || '')`), so the statement finds its row by the primary key
 * alone. Under SERIALIZABLE both engines track what a statement read: PostgreSQL's SSI predicate-locks the index
 * range a plan scans, CockroachDB refreshes the read spans. A plan through wallet_payments_by_check (status, ...),
 * which the planner picks when its statistics say a status is rare, reads every payment in that status, so each
 * concurrent saga step conflicted with all the others (40001 storms under load).
 */
const byIdOnly = (column: string) => `(${column} || '')`;

/** pg answers BIGINT as a string: convert, refusing anything JavaScript cannot hold exactly. */
export function toSafeInteger(value: string | number, column: string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number)) throw new Error(`${column} ${String(value)} is not a safe integer`);
  return number;
}

function toPayment(row: PaymentRow): Payment {
  return {
    id: row.id,
    status: row.status,
    payerWalletId: row.payer_wallet_id,
    payeeWalletId: row.payee_wallet_id,
    payerCustomerId: row.payer_customer_id,
    payeeCustomerId: row.payee_customer_id,
    payerAccountId: row.payer_account_id,
    payeeAccountId: row.payee_account_id,
    amountMinor: toSafeInteger(row.amount_minor, 'amount_minor'),
    currency: row.currency,
    payeeAmountMinor: row.payee_amount_minor === null ? null : toSafeInteger(row.payee_amount_minor, 'payee_amount_minor'),
    payeeCurrency: row.payee_currency,
    quoteId: row.quote_id ?? undefined,
    transferId: row.transfer_id ?? undefined,
    decision: row.decision ?? undefined,
    reason: row.reason_code !== null ? { code: row.reason_code, message: row.reason_message ?? '' } : undefined,
    reference: row.reference ?? undefined,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** What a new payment row holds: the stored payment's identity and amounts, before the saga learnt anything. */
export type NewPayment = Pick<
  Payment,
  'id' | 'payerWalletId' | 'payeeWalletId' | 'payerCustomerId' | 'payeeCustomerId' | 'payerAccountId' | 'payeeAccountId' | 'amountMinor' | 'currency' | 'payeeCurrency' | 'reference'
>;

/**
 * A new payment as it is stored: pending, created at `createdAt` (whole milliseconds, as JavaScript holds it, so the
 * list's keyset cursor is exact and the event carries the same instant).
 */
export function pendingPayment(input: NewPayment, createdAt: Date): Payment {
  return { ...input, status: 'pending', payeeAmountMinor: input.currency === input.payeeCurrency ? input.amountMinor : null, createdAt, updatedAt: createdAt };
}

/**
 * The payment row, its first history row and its `payment.initiated.v1` event as data-modifying CTEs (`inserted`,
 * `history` and the outbox's), written only `FROM gate` when there is one (the idempotency key's fenced update).
 * The row in `pending` is also the saga's enqueue intent: the reconciler re-enqueues one nobody picked up.
 */
export function insertPaymentParts(input: NewPayment, options: { firstParameter: number; gate?: string; createdAt?: Date }): { ctes: string; values: unknown[]; payment: Payment } {
  const payment = pendingPayment(input, options.createdAt ?? new Date());
  const { createdAt } = payment;
  const values = [input.id, input.payerWalletId, input.payeeWalletId, input.payerCustomerId, input.payeeCustomerId, input.payerAccountId, input.payeeAccountId, input.amountMinor, input.currency, payment.payeeAmountMinor, input.payeeCurrency, input.reference ?? null, createdAt, injectTraceContext()['traceparent'] ?? null];
  const casts = ['UUID', 'UUID', 'UUID', 'UUID', 'UUID', 'UUID', 'UUID', 'INT8', 'TEXT', 'INT8', 'TEXT', 'TEXT', 'TIMESTAMPTZ', 'TEXT'];
  const [id, payer, payee, payerCustomer, payeeCustomer, payerAccount, payeeAccount, amount, currency, payeeAmount, payeeCurrency, reference, at, traceparent] = casts.map((cast, index) => `$${options.firstParameter + index}::${cast}`);
  const event = outboxStatementParts(initiatedEvent(payment), { firstParameter: options.firstParameter + values.length, gate: 'inserted' });
  return {
    ctes: `inserted AS (
       INSERT INTO wallet_payments (id, status, payer_wallet_id, payee_wallet_id, payer_customer_id, payee_customer_id, payer_account_id, payee_account_id, amount_minor, currency, payee_amount_minor, payee_currency, reference, created_at, updated_at, traceparent)
       SELECT ${id}, 'pending', ${payer}, ${payee}, ${payerCustomer}, ${payeeCustomer}, ${payerAccount}, ${payeeAccount}, ${amount}, ${currency}, ${payeeAmount}, ${payeeCurrency}, ${reference}, ${at}, ${at}, ${traceparent}${options.gate ? ` FROM ${options.gate}` : ''}
       RETURNING ${columns}
     ), history AS (
       INSERT INTO wallet_payment_history (payment_id, status, at) SELECT id, status, created_at FROM inserted
     ), ${event.ctes}`,
    values: [...values, ...event.values],
    payment,
  };
}

/** `insertPaymentParts` as one statement in the caller's transaction; answers the stored payment and its history. */
export async function insertPayment(tx: Queryable, input: NewPayment): Promise<{ payment: Payment; history: HistoryEntry[] }> {
  const parts = insertPaymentParts(input, { firstParameter: 1 });
  const [row] = await tx.query<PaymentRow>(`WITH ${parts.ctes} SELECT ${columns} FROM inserted`, parts.values);
  if (!row) throw new Error('INSERT INTO wallet_payments returned no row');
  outboxWritten(tx);
  return { payment: toPayment(row), history: [{ status: 'pending', at: row.created_at }] };
}

export async function findPayment(database: Queryable, id: string): Promise<Payment | undefined> {
  const [row] = await database.query<PaymentRow>(`SELECT ${columns} FROM wallet_payments WHERE id = $1`, [id]);
  return row ? toPayment(row) : undefined;
}

/** The payment and its history in one statement (the history's columns as two arrays of the same order). */
export async function findPaymentWithHistory(database: Queryable, id: string): Promise<{ payment: Payment; history: HistoryEntry[] } | undefined> {
  const [row] = await database.query<PaymentRow & { history_statuses: PaymentStatus[]; history_at: Date[] }>(
    `SELECT ${columns},
       ARRAY(SELECT status FROM wallet_payment_history WHERE payment_id = $1 ORDER BY at, status) AS history_statuses,
       ARRAY(SELECT at FROM wallet_payment_history WHERE payment_id = $1 ORDER BY at, status) AS history_at
     FROM wallet_payments WHERE id = $1`,
    [id],
  );
  if (!row) return undefined;
  return { payment: toPayment(row), history: inStatusOrder(row.history_statuses.map((status, index) => ({ status, at: row.history_at[index] as Date }))) };
}

export async function findHistory(database: Queryable, id: string): Promise<HistoryEntry[]> {
  const rows = await database.query<{ status: PaymentStatus; at: Date }>('SELECT status, at FROM wallet_payment_history WHERE payment_id = $1', [id]);
  return inStatusOrder(rows.map((row) => ({ status: row.status, at: row.at })));
}

/** Histories of several payments at once (the list). */
export async function findHistories(database: Queryable, ids: string[]): Promise<Map<string, HistoryEntry[]>> {
  const histories = new Map<string, HistoryEntry[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return histories;
  const rows = await database.query<{ payment_id: string; status: PaymentStatus; at: Date }>('SELECT payment_id, status, at FROM wallet_payment_history WHERE payment_id = ANY($1::UUID[])', [ids]);
  for (const row of rows) histories.get(row.payment_id)?.push({ status: row.status, at: row.at });
  for (const [id, history] of histories) histories.set(id, inStatusOrder(history));
  return histories;
}

/** Keyset page, newest first: rows strictly before `after` (created_at, id). */
export async function listPaymentsOfPayer(database: Queryable, payerWalletId: string, limit: number, after?: { createdAt: string; id: string }): Promise<Payment[]> {
  const rows = after
    ? await database.query<PaymentRow>(
        `SELECT ${columns} FROM wallet_payments WHERE payer_wallet_id = $1 AND (created_at, id) < ($2::TIMESTAMPTZ, $3::UUID) ORDER BY created_at DESC, id DESC LIMIT $4`,
        [payerWalletId, after.createdAt, after.id, limit],
      )
    : await database.query<PaymentRow>(`SELECT ${columns} FROM wallet_payments WHERE payer_wallet_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`, [payerWalletId, limit]);
  return rows.map(toPayment);
}

function changeAssignments(changes: PaymentChanges, firstParameter: number): { sql: string; values: unknown[] } {
  const sets: string[] = [];
  const values: unknown[] = [];
  const set = (column: string, value: unknown, cast = '') => {
    values.push(value);
    sets.push(`${column} = $${firstParameter + values.length - 1}${cast}`);
  };
  if (changes.decision) set('decision', JSON.stringify(changes.decision), '::JSONB');
  if (changes.quoteId) set('quote_id', changes.quoteId, '::UUID');
  if (changes.payeeAmountMinor !== undefined) set('payee_amount_minor', changes.payeeAmountMinor, '::INT8');
  if (changes.transferId) set('transfer_id', changes.transferId, '::UUID');
  if (changes.reason) {
    set('reason_code', changes.reason.code);
    set('reason_message', changes.reason.message);
  }
  return { sql: sets.map((assignment) => `, ${assignment}`).join(''), values };
}

/** A statement and its values. */
interface Statement {
  sql: string;
  values: unknown[];
}

/**
 * The compare-and-set of the status with `changes`, its history row and its `payment.status-changed.v1` event as
 * one statement (data-modifying CTEs): one round trip, atomic. The event is encoded before, from `current` as the
 * change leaves it, stamped `at` like the row and the history; the history and the event are written only when
 * the UPDATE found the payment still in `current.status`. No row back: it was not.
 */
export function transitionStatement(current: Payment, to: PaymentStatus, changes: PaymentChanges = {}, at = new Date()): Statement {
  const assignments = changeAssignments(changes, 5);
  const event = outboxStatementParts(statusChangedEvent({ ...current, ...changes, status: to, updatedAt: at }, current.status), { firstParameter: 5 + assignments.values.length, gate: 'moved' });
  return {
    sql: `WITH moved AS (
       UPDATE wallet_payments SET status = $3, updated_at = $4::TIMESTAMPTZ, checked_at = now()${assignments.sql} WHERE id = $1 AND ${byIdOnly('status')} = $2 RETURNING ${columns}
     ), history AS (
       INSERT INTO wallet_payment_history (payment_id, status, at) SELECT id, status, updated_at FROM moved ON CONFLICT (payment_id, status) DO NOTHING
     ), ${event.ctes}
     SELECT ${columns} FROM moved`,
    values: [current.id, current.status, to, at, ...assignments.values, ...event.values],
  };
}

/** Stores step results while the payment stays in `status` (compare-and-set on it), as one statement. No row back: it moved on. */
export function recordStatement(id: string, status: PaymentStatus, changes: PaymentChanges, at = new Date()): Statement {
  const assignments = changeAssignments(changes, 4);
  return {
    sql: `UPDATE wallet_payments SET updated_at = $3::TIMESTAMPTZ, checked_at = now()${assignments.sql} WHERE id = $1 AND ${byIdOnly('status')} = $2 RETURNING ${columns}`,
    values: [id, status, at, ...assignments.values],
  };
}

/**
 * The reconciler's claim: non-terminal payments nobody touched for `olderThanMs`, locked with
 * `FOR UPDATE SKIP LOCKED` so two replicas never take the same row, their `run` bumped and `checked_at`
 * moved on so the next round leaves them alone for another `olderThanMs`. Answers (id, run) for the job ids.
 */
export async function claimStalledPayments(database: Queryable, olderThanMs: number, limit: number): Promise<Array<{ id: string; run: number; traceparent: string | undefined }>> {
  const rows = await database.query<{ id: string; run: string; traceparent: string | null }>(
    `UPDATE wallet_payments SET run = run + 1, checked_at = now()
     WHERE id IN (
       SELECT id FROM wallet_payments WHERE status = ANY($1::TEXT[]) AND checked_at < now() - $2::INT8 * INTERVAL '1 millisecond'
       ORDER BY checked_at LIMIT $3 FOR UPDATE SKIP LOCKED
     ) AND checked_at < now() - $2::INT8 * INTERVAL '1 millisecond'
     RETURNING id, run, traceparent`,
    [nonTerminalStatuses, olderThanMs, limit],
  );
  return rows.map((row) => ({ id: row.id, run: toSafeInteger(row.run, 'run'), traceparent: row.traceparent ?? undefined }));
}

/**
 * The saga's store. Each write is one statement, its own implicit transaction (kit runStatement: 40001 retried,
 * a lost connection reported as maybe committed): compare-and-set on the status, so a lost race or a re-run after
 * an ambiguous outcome writes nothing and the saga reloads.
 */
export function createPaymentStore(database: Database): PaymentStore {
  return {
    load: (id) => findPayment(database, id),
    async transition(current, to, changes) {
      const { sql, values } = transitionStatement(current, to, changes);
      const [row] = await runStatement<PaymentRow>(database, sql, values, { name: `payment.${to}` });
      if (!row) return undefined;
      outboxWritten();
      return toPayment(row);
    },
    async record(current, changes) {
      const { sql, values } = recordStatement(current.id, current.status, changes);
      const [row] = await runStatement<PaymentRow>(database, sql, values, { name: 'payment.record' });
      return row ? toPayment(row) : undefined;
    },
  };
}
