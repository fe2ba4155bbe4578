import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import type { QueryResultRow } from 'pg';
import type { Logger } from 'pino';
import { SpanKind, withSpan } from './tracing.ts';

/** Anything that runs parameterised SQL: a pooled `Database` or one `Transaction` (data-access functions take this). */
export interface Queryable {
  query<Row extends QueryResultRow = QueryResultRow>(sql: string, parameters?: unknown[]): Promise<Row[]>;
}

/** One pooled connection, held until `release` (transactions.ts runs a transaction on one). */
export interface Session extends Queryable {
  /**
   * Like `query`, but answers the command tag (`COMMIT`, `ROLLBACK`, `UPDATE` ...) and the row count, and makes no
   * span: it is for transaction control (BEGIN, COMMIT, ROLLBACK), which the transaction's own span covers.
   */
  run(sql: string, parameters?: unknown[]): Promise<{ command: string; rowCount: number }>;
  /** Returns the connection to the pool; `destroy` closes it instead (after a lost connection or a failed ROLLBACK). */
  release(destroy?: boolean): void;
}

/** The SQL access services get: parameterised queries, each in a CLIENT span. */
export interface Database extends Queryable {
  /** A connection of its own, for statements that must share one (BEGIN ... COMMIT); see `runTransaction`. */
  connect(): Promise<Session>;
  close(): Promise<void>;
}

type RawQuery = (sql: string, parameters: unknown[]) => Promise<pg.QueryResult>;

/** How many distinct statements get a name; past it (SQL built with a varying shape) they run unnamed. */
export const preparedStatementLimit = 512;
const statementNames = new Map<string, string>();

/**
 * The query config for `sql`: a parameterised statement gets a name derived from its text, so each connection
 * parses and plans it once (PostgreSQL and CockroachDB keep a session's prepared statements) and later runs send
 * Bind and Execute only: less parsing on the database and on the wire, on every statement of every transaction.
 * The same text always has the same name, which is what node-postgres requires of a name. Statements without
 * parameters (migrations, BEGIN, COMMIT) stay unnamed.
 */
export function queryConfig(sql: string, parameters: unknown[]): pg.QueryConfig {
  if (parameters.length === 0) return { text: sql, values: parameters };
  let name = statementNames.get(sql);
  if (name === undefined && statementNames.size < preparedStatementLimit) {
    name = `innover_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
    statementNames.set(sql, name);
  }
  return name === undefined ? { text: sql, values: parameters } : { name, text: sql, values: parameters };
}

function traced(database: string, raw: RawQuery): RawQuery {
  return async (sql, parameters) => {
    const operation = sql.trimStart().split(/\s+/, 1)[0]?.toUpperCase() ?? 'SQL';
    return await withSpan(`${operation} ${database}`, { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'postgresql', 'db.namespace': database, 'db.operation.name': operation, 'db.query.text': sql } }, async () => await raw(sql, parameters));
  };
}

/**
 * A pg pool over the service's own database. CockroachDB speaks the PostgreSQL wire protocol,
 * so the same pool serves both; connection attempts time out quickly so readiness stays responsive.
 */
/** The startup parameters of every connection to PostgreSQL (see createDatabase). */
export const postgresSessionOptions = '-c enable_seqscan=off -c jit=off';

export function createDatabase(url: string, options: { max?: number } = {}): Database {
  const database = new URL(url).pathname.slice(1);
  // PostgreSQL's serializable isolation (SSI) predicate-locks a whole table for a sequential scan, which the planner
  // prefers on small tables, so every concurrent writer of that table then conflicts (40001 storms under load). Its
  // docs advise encouraging index scans: every connection to PostgreSQL starts with enable_seqscan off (a startup
  // parameter), so an index serves wherever one can. CockroachDB tracks the key spans a statement read instead, and
  // needs nothing. The engine is asked once, on a connection of its own, before the pool exists.
  // And JIT off: enable_seqscan=off adds 1e10 to the cost of a plan that has to scan (a 16-row lease table has
  // no other path), far above jit_above_cost, so PostgreSQL LLVM-compiled every such statement: 160 ms of CPU for
  // the relay's lease renewal, a few rows read. These statements are all short; JIT only costs them.
  let pool: Promise<pg.Pool> | undefined;
  const ready = (): Promise<pg.Pool> => {
    pool ??= (async () => {
      const probe = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
      probe.on('error', () => undefined);
      let postgres: boolean;
      try {
        await probe.connect();
        const result = await probe.query<{ version: string }>('SELECT version() AS version');
        postgres = !/cockroachdb/i.test(result.rows[0]?.version ?? '');
      } finally {
        await probe.end().catch(() => undefined);
      }
      const opened = new pg.Pool({ connectionString: url, max: options.max ?? 10, connectionTimeoutMillis: 2_000, idleTimeoutMillis: 30_000, ...(postgres ? { options: postgresSessionOptions } : {}) });
      // An idle client losing its server emits 'error' on the pool; without a listener that would crash the process.
      opened.on('error', () => undefined);
      return opened;
    })().catch((error: unknown) => {
      pool = undefined;
      throw error;
    });
    return pool;
  };
  const poolQuery = traced(database, async (sql, parameters) => await (await ready()).query(queryConfig(sql, parameters)));
  return {
    async query<Row extends QueryResultRow>(sql: string, parameters: unknown[] = []) {
      return (await poolQuery(sql, parameters)).rows as Row[];
    },
    async connect() {
      const client = await (await ready()).connect();
      // A checked-out client that loses its server emits 'error' on itself; the failing query reports it.
      const onError = (): undefined => undefined;
      client.on('error', onError);
      const clientQuery = traced(database, async (sql, parameters) => await client.query(queryConfig(sql, parameters)));
      let released = false;
      return {
        async query<Row extends QueryResultRow>(sql: string, parameters: unknown[] = []) {
          return (await clientQuery(sql, parameters)).rows as Row[];
        },
        async run(sql: string, parameters: unknown[] = []) {
          // Untraced: two spans per transaction (BEGIN, COMMIT) that only repeated its span's start and end.
          const result = await client.query(sql, parameters);
          return { command: result.command, rowCount: result.rowCount ?? 0 };
        },
        release(destroy = false) {
          if (released) return;
          released = true;
          client.off('error', onError);
          client.release(destroy ? true : undefined);
        },
      };
    },
    async close() {
      const current = pool;
      pool = Promise.reject(new Error('the database was closed'));
      pool.catch(() => undefined);
      await (await current?.catch(() => undefined))?.end();
    },
  };
}

/** Splits a migration file at semicolons that end a line; `--` comments are dropped. Keep literals free of `;\n`. */
export function splitStatements(sql: string): string[] {
  return sql
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n')
    .split(/;\s*$/m)
    .map((statement) => statement.trim())
    .filter((statement) => statement.length > 0);
}

/**
 * Applies `*.sql` files from `directory` in name order, each once, recording them in `schema_migrations`.
 * Files are idempotent (`IF NOT EXISTS`, `ON CONFLICT DO NOTHING`) so a file that stopped halfway runs again
 * cleanly; the SQL must be accepted by CockroachDB and PostgreSQL alike (test/migrations.test.ts keeps both).
 * Not a lock: one API per service runs them at start, and the worker never does.
 */
export async function runMigrations(database: Database, directory: string, logger: Logger, select: (file: string) => boolean = () => true): Promise<string[]> {
  await database.query('CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())');
  const files = (await readdir(directory).catch(() => [] as string[])).filter((file) => file.endsWith('.sql') && select(file)).sort();
  const applied = new Set((await database.query<{ name: string }>('SELECT name FROM schema_migrations')).map((row) => row.name));
  const ran: string[] = [];
  for (const file of files) {
    if (applied.has(file)) continue;
    // One statement per round trip: CockroachDB runs a multi-statement string as one implicit transaction,
    // and mixing schema changes with writes there is what it is least happy with.
    for (const statement of splitStatements(await readFile(join(directory, file), 'utf8'))) await database.query(statement);
    await database.query('INSERT INTO schema_migrations (name) VALUES ($1) ON CONFLICT (name) DO NOTHING', [file]);
    logger.info({ migration: file }, 'migration applied');
    ran.push(file);
  }
  return ran;
}

/** The kit's own tables: `outbox` (outbox.ts), `inbox` (inbox.ts), `idempotency` (idempotency.ts). */
export type KitTable = 'outbox' | 'inbox' | 'idempotency';

/** services/kit/migrations, next to src/ and dist/ (the service image copies it). */
export const kitMigrationsDirectory = join(import.meta.dirname, '..', 'migrations');

/** Applies the kit's migrations for `tables` (files `kit_<table>_NNN.sql`), recorded in `schema_migrations` like a service's. */
export async function runKitMigrations(database: Database, tables: KitTable[], logger: Logger): Promise<string[]> {
  return await runMigrations(database, kitMigrationsDirectory, logger, (file) => tables.some((table) => file.startsWith(`kit_${table}_`)));
}
