/**
 * A fault-injection seam for the data-access layer: wraps a `Database` so chosen statements fail with a
 * pg-shaped error (an Error with a SQLSTATE `code`), deterministically, before or after the real statement
 * ran. Tests use it to prove the 40001 retry and the 40003 "maybe committed" path; services may wire it
 * behind a test-only switch. Nothing here runs unless a caller wraps its database.
 */
import type { QueryResultRow } from 'pg';
import type { Database, Session } from './database.ts';

export interface Fault {
  /** Which statements: a RegExp tested against the SQL, or a string the SQL starts with (case-insensitive). */
  match: RegExp | string;
  /**
   * `before` (default): the statement never reaches the server. `after`: it runs, then the error replaces its
   * result — `COMMIT` + `after` is the lost acknowledgement: committed, yet the caller hears 40003.
   */
  when?: 'before' | 'after';
  error: () => Error;
  /** How many matching statements fail (default 1); later matches run normally. */
  times?: number;
  /** Let this many matching statements through first (default 0): e.g. skip 1 to fail the second COMMIT. */
  skip?: number;
}

/** An Error shaped like node-postgres's DatabaseError: `code` is the SQLSTATE. */
export function sqlStateError(code: string, message = defaultMessages[code] ?? `injected SQLSTATE ${code}`): Error & { code: string } {
  return Object.assign(new Error(message), { code, severity: 'ERROR' });
}

const defaultMessages: Record<string, string> = {
  '40001': 'restart transaction: TransactionRetryWithProtoRefreshError: injected serialization failure',
  '40003': 'result is ambiguous: injected statement completion unknown',
};

/** What node-postgres throws when the socket closes under a query (no SQLSTATE). */
export function connectionLostError(): Error {
  return new Error('Connection terminated unexpectedly');
}

export interface FaultyDatabase extends Database {
  /** Statements that matched a fault and failed, in order (for assertions). */
  readonly injected: string[];
}

/** Wraps `database` (its pool and every session it hands out) so the listed faults fire, each `times` times. */
export function injectFaults(database: Database, faults: Fault[]): FaultyDatabase {
  const remaining = faults.map((fault) => ({ ...fault, left: fault.times ?? 1, skipLeft: fault.skip ?? 0 }));
  const injected: string[] = [];
  const pick = (sql: string, when: 'before' | 'after') => {
    const fault = remaining.find((candidate) => candidate.left > 0 && (candidate.when ?? 'before') === when && (typeof candidate.match === 'string' ? sql.trimStart().toUpperCase().startsWith(candidate.match.toUpperCase()) : candidate.match.test(sql)));
    if (!fault) return undefined;
    if (fault.skipLeft > 0) {
      fault.skipLeft -= 1;
      return undefined;
    }
    fault.left -= 1;
    injected.push(sql);
    return fault.error();
  };
  const around = async <T>(sql: string, run: () => Promise<T>): Promise<T> => {
    const before = pick(sql, 'before');
    if (before) throw before;
    const result = await run();
    const after = pick(sql, 'after');
    if (after) throw after;
    return result;
  };
  return {
    injected,
    async query<Row extends QueryResultRow>(sql: string, parameters?: unknown[]) {
      return await around(sql, () => database.query<Row>(sql, parameters));
    },
    async connect(): Promise<Session> {
      const session = await database.connect();
      return {
        query: async <Row extends QueryResultRow>(sql: string, parameters?: unknown[]) => await around(sql, () => session.query<Row>(sql, parameters)),
        run: async (sql: string, parameters?: unknown[]) => await around(sql, () => session.run(sql, parameters)),
        release: (destroy?: boolean) => session.release(destroy),
      };
    },
    close: () => database.close(),
  };
}
