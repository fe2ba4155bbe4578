/**
 * Serializable transactions with CockroachDB-style client-side retries, over a `Database` (database.ts).
 *
 * CockroachDB's transaction-retry guide: a transaction that fails with SQLSTATE 40001 ("restart transaction",
 * a serialization failure) did not commit and is retried from the start by the client, with a bounded number
 * of attempts and exponential backoff with jitter. SQLSTATE 40003 ("statement completion unknown", CockroachDB's
 * "result is ambiguous") on COMMIT, or a connection lost while COMMIT was in flight, means the transaction
 * MAY have committed: it is never retried blindly. `runTransaction` throws `AmbiguousCommitError` and the
 * caller re-reads (every money-moving write in innover is idempotent by a client-chosen id, so re-running the
 * use case after a re-read is safe). PostgreSQL's SERIALIZABLE raises the same 40001 on write skew, so the
 * same code runs on both engines.
 */
import type { QueryResultRow } from 'pg';
import type { Database, Queryable, Session } from './database.ts';
import { withSpan } from './tracing.ts';

export type IsolationLevel = 'serializable' | 'read committed';

export interface TransactionOptions {
  /** Default `serializable`: every money-moving write uses it. */
  isolation?: IsolationLevel;
  /** Attempts in all, the first included (default 8); a 40001 on the last one throws `TransactionRetriesExhaustedError`. */
  maxAttempts?: number;
  /** Backoff before attempt n+1 is uniform in [0, min(maxDelayMs, baseDelayMs * 2^(n-1))] ("full jitter"). Default 5 ms. */
  baseDelayMs?: number;
  /** Default 500 ms. */
  maxDelayMs?: number;
  /** Span name suffix, e.g. `transfer.create` gives the span `transaction transfer.create`. */
  name?: string;
  /** Seams for tests; default Math.random and a timer. */
  random?: () => number;
  sleep?: (milliseconds: number) => Promise<void>;
}

/** What `fn` gets: the statements of one attempt, on one connection. */
export interface Transaction extends Queryable {
  /** 1 for the first attempt; a function with side effects outside the database must be idempotent across attempts. */
  readonly attempt: number;
  /**
   * Runs `callback` once this attempt has committed (not after a rollback, a retried attempt or an ambiguous
   * COMMIT); the same callback registered twice runs once. For hints such as waking the outbox relay: a
   * callback must not throw, and what it starts must not be needed for correctness.
   */
  afterCommit?(callback: () => void): void;
}

/** COMMIT's outcome is unknown (SQLSTATE 40003, or the connection died while COMMIT was in flight): maybe committed. */
export class AmbiguousCommitError extends Error {
  override name = 'AmbiguousCommitError';
  readonly code = '40003';
  override readonly cause: unknown;
  constructor(cause: unknown) {
    super(`transaction outcome unknown, it may have committed: ${(cause as Error).message ?? String(cause)}`);
    this.cause = cause;
  }
}

/** Every attempt failed with a retryable error (40001 or a connection lost before COMMIT); nothing committed. */
export class TransactionRetriesExhaustedError extends Error {
  override name = 'TransactionRetriesExhaustedError';
  readonly attempts: number;
  override readonly cause: unknown;
  constructor(attempts: number, cause: unknown) {
    super(`transaction failed after ${attempts} attempt(s): ${(cause as Error).message ?? String(cause)}`);
    this.attempts = attempts;
    this.cause = cause;
  }
}

/** The SQLSTATE of a database error (node-postgres's `code`), if it is one. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * SQLSTATE 40001: serialization failure (PostgreSQL) / "restart transaction" (CockroachDB); or 40P01, PostgreSQL's
 * deadlock_detected, which rolls the transaction back the same way. Never committed, so running it again is safe.
 */
export function isSerializationFailure(error: unknown): boolean {
  const state = sqlState(error);
  return state === '40001' || state === '40P01';
}

/** SQLSTATE 40003: statement completion unknown. */
export function isAmbiguousResult(error: unknown): boolean {
  return sqlState(error) === '40003';
}

const socketCodes = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTCONN', 'EHOSTUNREACH']);

/**
 * The connection is gone: class 08 (connection exception), 57P01..57P03 (server shutting down / restarting),
 * a socket error, or node-postgres's own "Connection terminated" (which carries no code).
 */
export function isConnectionError(error: unknown): boolean {
  const code = sqlState(error);
  if (code !== undefined && (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || socketCodes.has(code))) return true;
  const message = (error as Error | null)?.message ?? '';
  return /connection terminated|connection (was )?closed|client has encountered a connection error|not queryable/i.test(message);
}

/**
 * node-postgres's pool handed out no connection within its `connectionTimeoutMillis` (every connection busy, or
 * the server slow to accept): the attempt never began, so it is retried like a lost connection. Without this a
 * busy pool (a burst of requests on a loaded machine) turned into 500s after 2 s.
 */
export function isPoolCheckoutTimeout(error: unknown): boolean {
  return /^timeout exceeded when trying to connect/i.test((error as Error | null)?.message ?? '');
}

/** Full-jitter exponential backoff for the wait after `attempt` failed. */
export function backoffDelay(attempt: number, options: { baseDelayMs?: number; maxDelayMs?: number; random?: () => number } = {}): number {
  const ceiling = Math.min(options.maxDelayMs ?? 500, (options.baseDelayMs ?? 5) * 2 ** Math.max(0, attempt - 1));
  return Math.floor((options.random ?? Math.random)() * ceiling);
}

const beginStatement: Record<IsolationLevel, string> = {
  serializable: 'BEGIN TRANSACTION ISOLATION LEVEL SERIALIZABLE',
  'read committed': 'BEGIN TRANSACTION ISOLATION LEVEL READ COMMITTED',
};

const defaultSleep = (milliseconds: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, milliseconds));

/** Thrown inside an attempt when the failure happened at COMMIT (so the retry loop can tell it apart). */
class CommitFailure extends Error {
  override readonly cause: unknown;
  constructor(cause: unknown) {
    super('commit failed');
    this.cause = cause;
  }
}

/**
 * Runs `fn(tx)` in one transaction on one pooled connection and commits; retries the whole function on
 * SQLSTATE 40001, on a connection lost before COMMIT and when the pool gave no connection in time, up to `maxAttempts`, with jittered exponential
 * backoff. Throws `AmbiguousCommitError` when COMMIT's outcome is unknown, and rethrows anything `fn`
 * throws (after ROLLBACK). Each attempt is one span (`transaction <name>`, attribute `db.transaction.attempt`).
 * `fn` may run more than once: keep side effects other than SQL out of it, or make them idempotent.
 */
export async function runTransaction<T>(database: Database, fn: (tx: Transaction) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
  const isolation = options.isolation ?? 'serializable';
  const maxAttempts = Math.max(1, options.maxAttempts ?? 8);
  const sleep = options.sleep ?? defaultSleep;
  const spanName = options.name ? `transaction ${options.name}` : 'transaction';
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await withSpan(spanName, { attributes: { 'db.transaction.attempt': attempt, 'db.transaction.isolation': isolation } }, async () => await attemptOnce(database, fn, isolation, attempt));
    } catch (error) {
      if (error instanceof CommitFailure) {
        const cause = error.cause;
        // A serialization failure reported by COMMIT is definite: nothing was written.
        if (!isSerializationFailure(cause)) throw isAmbiguousResult(cause) || isConnectionError(cause) ? new AmbiguousCommitError(cause) : cause;
        if (attempt >= maxAttempts) throw new TransactionRetriesExhaustedError(attempt, cause);
      } else if (error instanceof AmbiguousCommitError) {
        // fn itself ran a nested runTransaction (or rethrew one): the outcome is unknown either way.
        throw error;
      } else if (isSerializationFailure(error) || isConnectionError(error) || isPoolCheckoutTimeout(error) || isAmbiguousResult(error)) {
        // Before COMMIT, even a 40003 on a single statement leaves the transaction uncommitted: retry.
        if (attempt >= maxAttempts) throw new TransactionRetriesExhaustedError(attempt, error);
      } else {
        throw error;
      }
      await sleep(backoffDelay(attempt, options));
    }
  }
}

/**
 * One statement as its own implicit transaction: one round trip instead of BEGIN, the statement and COMMIT. For
 * a write that is a single statement whose correctness rests on row locks and unique constraints alone (a
 * compare-and-set `UPDATE … WHERE status = $from`, `INSERT … ON CONFLICT`, data-modifying CTEs that combine
 * them): the statement is atomic on both engines, serializable on CockroachDB and read committed on PostgreSQL,
 * where a concurrent writer of the same row makes it wait and re-check its WHERE clause. A write that reads rows
 * to decide (a balance check) belongs in `runTransaction`.
 *
 * Retries like `runTransaction`: 40001 (CockroachDB can raise it for an implicit transaction), a pool that gave
 * no connection in time. A lost connection or a 40003 while the statement ran is `AmbiguousCommitError`: an
 * implicit transaction commits with its statement, so it may have.
 */
export async function runStatement<Row extends QueryResultRow = QueryResultRow>(database: Database, sql: string, parameters: unknown[], options: Omit<TransactionOptions, 'isolation'> = {}): Promise<Row[]> {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 8);
  const sleep = options.sleep ?? defaultSleep;
  const spanName = options.name ? `statement ${options.name}` : 'statement';
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await withSpan(spanName, { attributes: { 'db.transaction.attempt': attempt } }, async () => await database.query<Row>(sql, parameters));
    } catch (error) {
      if (isAmbiguousResult(error) || isConnectionError(error)) throw new AmbiguousCommitError(error);
      if (!isSerializationFailure(error) && !isPoolCheckoutTimeout(error)) throw error;
      if (attempt >= maxAttempts) throw new TransactionRetriesExhaustedError(attempt, error);
      await sleep(backoffDelay(attempt, options));
    }
  }
}

/** A `Queryable` whose every statement is `runStatement`: hands a one-statement store function its retries. */
export function statementRunner(database: Database, options: Omit<TransactionOptions, 'isolation'> = {}): Queryable {
  return { query: async <Row extends QueryResultRow>(sql: string, parameters: unknown[] = []) => await runStatement<Row>(database, sql, parameters, options) };
}

async function attemptOnce<T>(database: Database, fn: (tx: Transaction) => Promise<T>, isolation: IsolationLevel, attempt: number): Promise<T> {
  const session = await database.connect();
  let destroy = false;
  const committed = new Set<() => void>();
  try {
    await session.run(beginStatement[isolation]);
    const tx: Transaction = {
      attempt,
      query: async <Row extends QueryResultRow>(sql: string, parameters?: unknown[]) => await session.query<Row>(sql, parameters),
      afterCommit: (callback) => void committed.add(callback),
    };
    let result: T;
    try {
      result = await fn(tx);
    } catch (error) {
      destroy = !(await rollbackQuietly(session)) || isConnectionError(error);
      throw error;
    }
    let commit: { command: string };
    try {
      commit = await session.run('COMMIT');
    } catch (error) {
      // The server answered COMMIT with an error (under load, mostly a 40001 of SSI, which PostgreSQL reports at
      // COMMIT): the transaction is over and the connection is sound. It goes back to the pool once a ROLLBACK on it
      // succeeds (a no-op then), instead of a new connection (TCP, SCRAM) for the retry. A lost connection, an
      // unknown outcome (40003) or an error without a SQLSTATE still closes it.
      destroy = isConnectionError(error) || isAmbiguousResult(error) || !answeredByServer(error) || !(await rollbackQuietly(session));
      throw new CommitFailure(error);
    }
    // PostgreSQL answers COMMIT of an aborted transaction (fn swallowed a failed statement) with ROLLBACK.
    if (commit.command === 'ROLLBACK') throw new Error('transaction was rolled back: a statement failed inside it and the error was caught');
    for (const callback of committed) {
      try {
        callback();
      } catch {
        // Committed already: a failing hint must not turn the commit into an error (and a retry).
      }
    }
    return result;
  } catch (error) {
    if (isConnectionError(error)) destroy = true;
    throw error;
  } finally {
    session.release(destroy);
  }
}

/** An error the server sent (it carries a five-character SQLSTATE), as opposed to one of the client or the socket. */
function answeredByServer(error: unknown): boolean {
  const code = sqlState(error);
  return code !== undefined && /^[0-9A-Z]{5}$/.test(code) && !socketCodes.has(code);
}

async function rollbackQuietly(session: Session): Promise<boolean> {
  try {
    await session.run('ROLLBACK');
    return true;
  } catch {
    return false;
  }
}
