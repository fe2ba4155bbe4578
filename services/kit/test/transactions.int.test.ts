import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startPostgres } from '../../../test/support/peers.js';
import type { PostgresPeer } from '../../../test/support/peers.js';
import { createDatabase } from '../src/database.js';
import type { Database } from '../src/database.js';
import { connectionLostError, injectFaults, sqlStateError } from '../src/faults.js';
import { AmbiguousCommitError, TransactionRetriesExhaustedError, runStatement, runTransaction } from '../src/transactions.js';

// Real PostgreSQL SERIALIZABLE: write skew between two concurrent transactions is a 40001 that the retry
// resolves; 40003 is injected at the data-access layer around a real COMMIT.
let postgres: PostgresPeer;
let database: Database;

beforeAll(async () => {
  postgres = await startPostgres();
  database = createDatabase(await postgres.createDatabase('kit_transactions'));
  await database.query('CREATE TABLE doctors (name TEXT PRIMARY KEY, on_call BOOLEAN NOT NULL)');
  await database.query('CREATE TABLE transfers (id UUID PRIMARY KEY, amount_minor BIGINT NOT NULL)');
});

afterAll(async () => {
  await database?.close();
  await postgres?.stop();
});

beforeEach(async () => {
  await database.query('DELETE FROM doctors');
  await database.query("INSERT INTO doctors (name, on_call) VALUES ('alice', true), ('bob', true)");
  await database.query('DELETE FROM transfers');
});

/** Resolves once `parties` callers are waiting: both transactions have read before either writes. */
function barrier(parties: number) {
  let waiting = 0;
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return async () => {
    waiting += 1;
    if (waiting === parties) open();
    await opened;
  };
}

// The classic write skew: each doctor goes off call if someone else is still on call. Serially, one of the
// two must stay; under snapshot isolation both would leave.
async function goOffCall(name: string, bothRead: () => Promise<void>, options: { maxAttempts?: number } = {}) {
  return await runTransaction(
    database,
    async (tx) => {
      const [row] = await tx.query<{ count: string }>('SELECT count(*) AS count FROM doctors WHERE on_call');
      if (tx.attempt === 1) await bothRead();
      if (Number(row?.count) < 2) return { name, left: false, attempt: tx.attempt };
      await tx.query('UPDATE doctors SET on_call = false WHERE name = $1', [name]);
      return { name, left: true, attempt: tx.attempt };
    },
    options,
  );
}

describe('runTransaction on PostgreSQL', () => {
  it('resolves SERIALIZABLE write skew by retrying the transaction that got 40001', async () => {
    const bothRead = barrier(2);
    const outcomes = await Promise.all([goOffCall('alice', bothRead), goOffCall('bob', bothRead)]);
    const onCall = await database.query<{ name: string }>('SELECT name FROM doctors WHERE on_call');
    expect(onCall).toHaveLength(1);
    // One committed on its first attempt; the other was retried, then saw one doctor left and stayed.
    expect(outcomes.filter((outcome) => outcome.left)).toHaveLength(1);
    const retried = outcomes.find((outcome) => !outcome.left);
    expect(retried?.attempt).toBe(2);
    expect(onCall[0]?.name).toBe(retried?.name);
  });

  it('without retries the same skew surfaces as TransactionRetriesExhaustedError (40001), and nothing of it committed', async () => {
    const bothRead = barrier(2);
    const results = await Promise.allSettled([goOffCall('alice', bothRead, { maxAttempts: 1 }), goOffCall('bob', bothRead, { maxAttempts: 1 })]);
    const rejected = results.filter((result) => result.status === 'rejected');
    expect(rejected).toHaveLength(1);
    const reason = (rejected[0] as PromiseRejectedResult).reason as TransactionRetriesExhaustedError;
    expect(reason).toBeInstanceOf(TransactionRetriesExhaustedError);
    expect((reason.cause as { code: string }).code).toBe('40001');
    expect(await database.query('SELECT name FROM doctors WHERE on_call')).toHaveLength(1);
  });

  it('retries an injected 40001 and writes once', async () => {
    const faulty = injectFaults(database, [{ match: 'INSERT INTO transfers', when: 'after', error: () => sqlStateError('40001'), times: 2 }]);
    const id = '00000000-0000-4000-8000-000000000001';
    await runTransaction(faulty, async (tx) => void (await tx.query('INSERT INTO transfers (id, amount_minor) VALUES ($1, $2)', [id, 500])));
    expect(faulty.injected).toHaveLength(2);
    expect(await database.query('SELECT id FROM transfers')).toEqual([{ id }]);
  });

  it('40003 after a real COMMIT: AmbiguousCommitError, the write did commit, and an idempotent re-run after a re-read changes nothing', async () => {
    const faulty = injectFaults(database, [{ match: 'COMMIT', when: 'after', error: () => sqlStateError('40003') }]);
    const id = '00000000-0000-4000-8000-000000000002';
    const write = (target: Database) => runTransaction(target, async (tx) => void (await tx.query('INSERT INTO transfers (id, amount_minor) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING', [id, 700])));
    await expect(write(faulty)).rejects.toBeInstanceOf(AmbiguousCommitError);
    // "Maybe committed": here it did. The caller re-reads, or simply re-runs the idempotent write.
    expect(await database.query('SELECT amount_minor FROM transfers WHERE id = $1', [id])).toEqual([{ amount_minor: '700' }]);
    await write(faulty);
    expect(await database.query('SELECT id FROM transfers')).toHaveLength(1);
  });

  it('40003 before COMMIT reached the server: ambiguous too, and there the write did not commit', async () => {
    const faulty = injectFaults(database, [{ match: 'COMMIT', error: () => sqlStateError('40003') }]);
    const id = '00000000-0000-4000-8000-000000000003';
    await expect(runTransaction(faulty, async (tx) => void (await tx.query('INSERT INTO transfers (id, amount_minor) VALUES ($1, $2)', [id, 1])))).rejects.toBeInstanceOf(AmbiguousCommitError);
    expect(await database.query('SELECT id FROM transfers')).toEqual([]);
  });

  it('a connection lost during COMMIT is ambiguous; the pool stays usable', async () => {
    const faulty = injectFaults(database, [{ match: 'COMMIT', when: 'after', error: connectionLostError }]);
    await expect(runTransaction(faulty, async (tx) => void (await tx.query('SELECT 1')))).rejects.toBeInstanceOf(AmbiguousCommitError);
    expect(await runTransaction(database, async (tx) => (await tx.query<{ one: number }>('SELECT 1 AS one'))[0]?.one)).toBe(1);
  });

  it('an error thrown by fn rolls its writes back', async () => {
    const id = '00000000-0000-4000-8000-000000000004';
    await expect(
      runTransaction(database, async (tx) => {
        await tx.query('INSERT INTO transfers (id, amount_minor) VALUES ($1, $2)', [id, 5]);
        throw new Error('rule rejected');
      }),
    ).rejects.toThrow('rule rejected');
    expect(await database.query('SELECT id FROM transfers')).toEqual([]);
  });
});

describe('runStatement on PostgreSQL: one statement, its own implicit transaction', () => {
  const insert = 'INSERT INTO transfers (id, amount_minor) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING RETURNING id';

  it('writes in one round trip: no BEGIN, no COMMIT', async () => {
    const seen: string[] = [];
    const spy: Database = Object.assign(Object.create(database) as Database, { query: async (sql: string, parameters?: unknown[]) => (seen.push(sql), await database.query(sql, parameters)) });
    const id = '00000000-0000-4000-8000-000000000011';
    expect(await runStatement(spy, insert, [id, 10])).toEqual([{ id }]);
    expect(seen).toEqual([insert]);
    expect(await database.query('SELECT amount_minor FROM transfers WHERE id = $1', [id])).toEqual([{ amount_minor: '10' }]);
  });

  it('retries a 40001 (nothing committed) and writes once', async () => {
    const faulty = injectFaults(database, [{ match: 'INSERT INTO transfers', error: () => sqlStateError('40001'), times: 2 }]);
    const id = '00000000-0000-4000-8000-000000000012';
    expect(await runStatement(faulty, insert, [id, 20], { sleep: async () => undefined })).toEqual([{ id }]);
    expect(faulty.injected).toHaveLength(2);
    expect(await database.query('SELECT id FROM transfers')).toEqual([{ id }]);
  });

  it('a 40001 on every attempt: TransactionRetriesExhaustedError', async () => {
    const faulty = injectFaults(database, [{ match: 'INSERT INTO transfers', error: () => sqlStateError('40001'), times: 3 }]);
    await expect(runStatement(faulty, insert, ['00000000-0000-4000-8000-000000000013', 1], { maxAttempts: 3, sleep: async () => undefined })).rejects.toBeInstanceOf(TransactionRetriesExhaustedError);
    expect(await database.query('SELECT id FROM transfers')).toEqual([]);
  });

  it('a 40003 or a lost connection after the statement ran: AmbiguousCommitError, and it did commit; the idempotent re-run writes nothing', async () => {
    for (const [index, error] of [() => sqlStateError('40003'), connectionLostError].entries()) {
      const faulty = injectFaults(database, [{ match: 'INSERT INTO transfers', when: 'after', error }]);
      const id = `00000000-0000-4000-8000-00000000002${index}`;
      await expect(runStatement(faulty, insert, [id, 30])).rejects.toBeInstanceOf(AmbiguousCommitError);
      expect(await database.query('SELECT amount_minor FROM transfers WHERE id = $1', [id])).toEqual([{ amount_minor: '30' }]);
      expect(await runStatement(database, insert, [id, 30])).toEqual([]);
    }
  });

  it('rethrows any other error at once', async () => {
    await expect(runStatement(database, 'INSERT INTO transfers (id, amount_minor) VALUES ($1, NULL)', ['00000000-0000-4000-8000-000000000031'])).rejects.toMatchObject({ code: '23502' });
  });
});

describe('sessions on PostgreSQL', () => {
  it('an error PostgreSQL reports at COMMIT leaves the connection in the pool, reusable (no new connection)', async () => {
    // A deferred unique constraint fails at COMMIT, as SSI's 40001 often does: the server answered, the transaction is over.
    const single = createDatabase(await postgres.createDatabase('kit_transactions_commit'), { max: 1 });
    try {
      await single.query('CREATE TABLE codes (code TEXT, CONSTRAINT codes_unique UNIQUE (code) DEFERRABLE INITIALLY DEFERRED)');
      const [before] = await single.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      const failure = await runTransaction(single, async (tx) => {
        await tx.query("INSERT INTO codes (code) VALUES ('a'), ('a')");
      }).catch((error: unknown) => error);
      expect((failure as { code?: string }).code).toBe('23505');
      const [after] = await single.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      expect(after?.pid).toBe(before?.pid);
      expect(await single.query('SELECT code FROM codes')).toEqual([]);
      // And the kept connection runs the next transaction normally.
      await runTransaction(single, async (tx) => void (await tx.query("INSERT INTO codes (code) VALUES ('b')")));
      expect(await single.query('SELECT code FROM codes')).toEqual([{ code: 'b' }]);
    } finally {
      await single.close();
    }
  });

  it('forbid sequential scans where an index serves (SSI would lock whole tables)', async () => {
    const inTransaction = await runTransaction(database, async (tx) => (await tx.query<{ enable_seqscan: string }>('SHOW enable_seqscan'))[0]?.enable_seqscan);
    expect(inTransaction).toBe('off');
    const plan = await runTransaction(database, async (tx) => (await tx.query<{ 'QUERY PLAN': string }>("EXPLAIN SELECT * FROM doctors WHERE name = 'alice'")).map((row) => row['QUERY PLAN']).join('\n'));
    expect(plan).toMatch(/Index Scan using doctors_pkey/);
    expect((await database.query<{ enable_seqscan: string }>('SHOW enable_seqscan'))[0]?.enable_seqscan).toBe('off');
  });

  it('no JIT: a statement that must scan (costed 1e10 with enable_seqscan off) is not LLVM-compiled', async () => {
    expect((await database.query<{ jit: string }>('SHOW jit'))[0]?.jit).toBe('off');
    await database.query('CREATE TABLE IF NOT EXISTS unindexed (n INT)');
    const plan = await database.query<{ 'QUERY PLAN': string }>('EXPLAIN (ANALYZE) UPDATE unindexed SET n = n + 1 WHERE n > 0');
    expect(plan.map((row) => row['QUERY PLAN']).join('\n')).toMatch(/cost=10000000000/);
    expect(plan.map((row) => row['QUERY PLAN']).join('\n')).not.toMatch(/JIT/);
  });
});
