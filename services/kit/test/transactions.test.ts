import { context, propagation, trace } from '@opentelemetry/api';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTelemetry } from '../src/telemetry.js';
import type { Telemetry } from '../src/telemetry.js';
import type { QueryResultRow } from 'pg';
import type { Database } from '../src/database.js';
import { connectionLostError, injectFaults, sqlStateError } from '../src/faults.js';
import { AmbiguousCommitError, TransactionRetriesExhaustedError, backoffDelay, isConnectionError, isPoolCheckoutTimeout, runTransaction } from '../src/transactions.js';

// A database that only records statements: enough to see what runTransaction sends and how it retries.
function recordingDatabase(options: { commitAnswers?: string } = {}) {
  const log: string[] = [];
  const releases: boolean[] = [];
  const database: Database = {
    async query<Row extends QueryResultRow>(sql: string) {
      log.push(`pool: ${sql}`);
      return [] as Row[];
    },
    async connect() {
      return {
        async query<Row extends QueryResultRow>(sql: string) {
          log.push(sql);
          return [] as Row[];
        },
        async run(sql: string) {
          log.push(sql);
          return { command: sql === 'COMMIT' && options.commitAnswers ? options.commitAnswers : (sql.split(' ')[0] ?? ''), rowCount: 0 };
        },
        release(destroy = false) {
          releases.push(destroy);
        },
      };
    },
    async close() {},
  };
  return { database, log, releases };
}

const ended: ReadableSpan[] = [];
const collector: SpanProcessor = { onStart: () => undefined, onEnd: (span) => void ended.push(span), forceFlush: async () => undefined, shutdown: async () => undefined };
let telemetry: Telemetry;

beforeAll(async () => {
  telemetry = await startTelemetry({ serviceName: 'kit-test', serviceVersion: '0', endpoint: undefined, extraProcessors: [collector] });
});

afterAll(async () => {
  await telemetry.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
});

const noSleep = { sleep: async () => undefined, random: () => 0.5 };

describe('runTransaction', () => {
  it('runs fn between BEGIN TRANSACTION ISOLATION LEVEL SERIALIZABLE and COMMIT on one connection', async () => {
    const { database, log, releases } = recordingDatabase();
    const result = await runTransaction(database, async (tx) => {
      await tx.query('UPDATE accounts SET x = 1');
      return tx.attempt;
    });
    expect(result).toBe(1);
    expect(log).toEqual(['BEGIN TRANSACTION ISOLATION LEVEL SERIALIZABLE', 'UPDATE accounts SET x = 1', 'COMMIT']);
    expect(releases).toEqual([false]);
  });

  it('retries a 40001 from any statement, re-running fn from the start, and succeeds', async () => {
    const { database, log } = recordingDatabase();
    const faulty = injectFaults(database, [{ match: 'UPDATE', error: () => sqlStateError('40001'), times: 2 }]);
    const attempts: number[] = [];
    const slept: number[] = [];
    await runTransaction(
      faulty,
      async (tx) => {
        attempts.push(tx.attempt);
        await tx.query('UPDATE accounts SET x = 1');
      },
      { sleep: async (ms) => void slept.push(ms), random: () => 0.999, baseDelayMs: 10, maxDelayMs: 15 },
    );
    expect(attempts).toEqual([1, 2, 3]);
    expect(log.filter((sql) => sql === 'ROLLBACK')).toHaveLength(2);
    expect(log.at(-1)).toBe('COMMIT');
    // Jittered exponential backoff, capped: 0.999 × min(15, 10·2^(n-1)).
    expect(slept).toEqual([9, 14]);
  });

  it('retries a 40001 reported by COMMIT (definitely not committed)', async () => {
    const { database } = recordingDatabase();
    const faulty = injectFaults(database, [{ match: 'COMMIT', error: () => sqlStateError('40001') }]);
    let runs = 0;
    await runTransaction(faulty, async () => void (runs += 1), noSleep);
    expect(runs).toBe(2);
  });

  it('keeps the connection after a 40001 at COMMIT once a ROLLBACK on it succeeds, so the retry opens none', async () => {
    const { database, log, releases } = recordingDatabase();
    const faulty = injectFaults(database, [{ match: 'COMMIT', error: () => sqlStateError('40001') }]);
    await runTransaction(faulty, async () => undefined, noSleep);
    expect(log).toEqual(['BEGIN TRANSACTION ISOLATION LEVEL SERIALIZABLE', 'ROLLBACK', 'BEGIN TRANSACTION ISOLATION LEVEL SERIALIZABLE', 'COMMIT']);
    expect(releases).toEqual([false, false]);
  });

  it('closes the connection after a 40001 at COMMIT when the ROLLBACK after it fails', async () => {
    const { database, releases } = recordingDatabase();
    const faulty = injectFaults(database, [
      { match: 'COMMIT', error: () => sqlStateError('40001') },
      { match: 'ROLLBACK', error: connectionLostError },
    ]);
    await runTransaction(faulty, async () => undefined, noSleep);
    expect(releases).toEqual([true, false]);
  });

  it('closes the connection after a COMMIT failure without a SQLSTATE', async () => {
    const { database, releases } = recordingDatabase();
    const faulty = injectFaults(database, [{ match: 'COMMIT', error: () => new Error('something odd') }]);
    await expect(runTransaction(faulty, async () => undefined, noSleep)).rejects.toThrow('something odd');
    expect(releases).toEqual([true]);
  });

  it('stops after maxAttempts with TransactionRetriesExhaustedError carrying the last 40001', async () => {
    const { database } = recordingDatabase();
    const faulty = injectFaults(database, [{ match: 'SELECT', error: () => sqlStateError('40001'), times: 99 }]);
    let runs = 0;
    const failure = await runTransaction(
      faulty,
      async (tx) => {
        runs += 1;
        await tx.query('SELECT 1');
      },
      { ...noSleep, maxAttempts: 4 },
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TransactionRetriesExhaustedError);
    expect((failure as TransactionRetriesExhaustedError).attempts).toBe(4);
    expect(((failure as TransactionRetriesExhaustedError).cause as { code: string }).code).toBe('40001');
    expect(runs).toBe(4);
  });

  it('throws AmbiguousCommitError on 40003 at COMMIT, without retrying', async () => {
    const { database, releases } = recordingDatabase();
    const faulty = injectFaults(database, [{ match: 'COMMIT', when: 'after', error: () => sqlStateError('40003') }]);
    let runs = 0;
    const failure = await runTransaction(faulty, async () => void (runs += 1), noSleep).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AmbiguousCommitError);
    expect((failure as AmbiguousCommitError).message).toMatch(/may have committed/);
    expect(runs).toBe(1);
    // The connection that saw an unknown COMMIT outcome is not reused.
    expect(releases).toEqual([true]);
  });

  it('treats a connection lost during COMMIT as ambiguous, but one lost before COMMIT as retryable', async () => {
    const lostAtCommit = injectFaults(recordingDatabase().database, [{ match: 'COMMIT', error: connectionLostError }]);
    await expect(runTransaction(lostAtCommit, async () => undefined, noSleep)).rejects.toBeInstanceOf(AmbiguousCommitError);

    const lostBefore = injectFaults(recordingDatabase().database, [{ match: 'INSERT', error: connectionLostError }]);
    let runs = 0;
    await runTransaction(
      lostBefore,
      async (tx) => {
        runs += 1;
        await tx.query('INSERT INTO t VALUES (1)');
      },
      noSleep,
    );
    expect(runs).toBe(2);
  });

  it('retries when the pool gave no connection in time (all busy): the attempt never began', async () => {
    const { database, log } = recordingDatabase();
    let checkouts = 0;
    const busy: Database = {
      ...database,
      async connect() {
        checkouts += 1;
        if (checkouts < 3) throw new Error('timeout exceeded when trying to connect');
        return await database.connect();
      },
    };
    expect(isPoolCheckoutTimeout(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(await runTransaction(busy, async () => 'done', noSleep)).toBe('done');
    expect(checkouts).toBe(3);
    expect(log.filter((line) => line.endsWith('COMMIT'))).toHaveLength(1);
  });

  it('rolls back and rethrows any other error from fn, once', async () => {
    const { database, log } = recordingDatabase();
    let runs = 0;
    await expect(
      runTransaction(database, async () => {
        runs += 1;
        throw new Error('insufficient funds');
      }),
    ).rejects.toThrow('insufficient funds');
    expect(runs).toBe(1);
    expect(log).toEqual(['BEGIN TRANSACTION ISOLATION LEVEL SERIALIZABLE', 'ROLLBACK']);
  });

  it('refuses to report success when COMMIT answered ROLLBACK (fn swallowed a failed statement)', async () => {
    const { database } = recordingDatabase({ commitAnswers: 'ROLLBACK' });
    await expect(runTransaction(database, async () => 'ok')).rejects.toThrow(/rolled back/);
  });

  it('can run READ COMMITTED when asked', async () => {
    const { database, log } = recordingDatabase();
    await runTransaction(database, async () => undefined, { isolation: 'read committed' });
    expect(log[0]).toBe('BEGIN TRANSACTION ISOLATION LEVEL READ COMMITTED');
  });
});

describe('runTransaction spans', () => {
  it('puts each attempt in its own span, with the attempt number, failed attempts marked as errors', async () => {
    ended.length = 0;
    const { database } = recordingDatabase();
    const faulty = injectFaults(database, [{ match: 'UPDATE', error: () => sqlStateError('40001') }]);
    await runTransaction(faulty, async (tx) => void (await tx.query('UPDATE wallets SET x = 1')), { ...noSleep, name: 'wallet.top-up' });
    const attempts = ended.filter((span) => span.name === 'transaction wallet.top-up');
    expect(attempts.map((span) => [span.attributes['db.transaction.attempt'], span.status.code])).toEqual([
      [1, 2],
      [2, 0],
    ]);
  });
});

describe('backoffDelay and error classes', () => {
  it('grows exponentially under the cap, with full jitter', () => {
    expect([1, 2, 3, 4, 5].map((attempt) => backoffDelay(attempt, { baseDelayMs: 10, maxDelayMs: 50, random: () => 1 }))).toEqual([10, 20, 40, 50, 50]);
    expect(backoffDelay(3, { random: () => 0 })).toBe(0);
  });

  it('recognises lost connections', () => {
    expect(isConnectionError(connectionLostError())).toBe(true);
    expect(isConnectionError(sqlStateError('08006'))).toBe(true);
    expect(isConnectionError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isConnectionError(sqlStateError('23505'))).toBe(false);
  });
});
