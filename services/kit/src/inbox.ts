/**
 * The consumer inbox: a consumer records each event id it handled in `inbox`, in the same transaction as its
 * effect, so a redelivered event (the outbox relay publishes at least once; Kafka redelivers after a crash)
 * changes nothing. Table: migrations/kit_inbox_001.sql.
 */
import type { Database, Queryable } from './database.ts';
import { runTransaction } from './transactions.ts';
import type { Transaction, TransactionOptions } from './transactions.ts';

/**
 * The inbox row as a data-modifying CTE of a caller's single statement (`runStatement`): `inbox_fresh` has one
 * row the first time this consumer sees `eventId`, none on a redelivery, so the statement's effect gates on it
 * (`WHERE EXISTS (SELECT 1 FROM inbox_fresh)`). Parameters are numbered from `firstParameter`.
 */
export function inboxStatementParts(event: { eventId: string; consumer: string }, options: { firstParameter: number }): { cte: string; values: unknown[] } {
  const [consumer, eventId] = [`$${options.firstParameter}`, `$${options.firstParameter + 1}`];
  return {
    cte: `inbox_fresh AS (INSERT INTO inbox (consumer, event_id) VALUES (${consumer}::TEXT, ${eventId}::TEXT) ON CONFLICT (consumer, event_id) DO NOTHING RETURNING event_id)`,
    values: [event.consumer, event.eventId],
  };
}

/**
 * Records `eventId` for `consumer` in `tx` and answers true the first time, false when it was handled
 * already (then apply nothing). Two deliveries racing: the second waits on the first's row and sees it once
 * that commits (or, under SERIALIZABLE, fails with 40001 and its retry sees it).
 */
export async function handleOnce(tx: Queryable, eventId: string, consumer: string): Promise<boolean> {
  const { cte, values } = inboxStatementParts({ eventId, consumer }, { firstParameter: 1 });
  const rows = await tx.query(`WITH ${cte} SELECT event_id FROM inbox_fresh`, values);
  return rows.length === 1;
}

/**
 * `handleOnce` and the effect in one serializable transaction (with the 40001 retry): `effect` runs only for
 * an event this consumer has not handled. Answers whether it ran.
 */
export async function consumeOnce(database: Database, event: { eventId: string; consumer: string }, effect: (tx: Transaction) => Promise<void>, options: TransactionOptions = {}): Promise<boolean> {
  return await runTransaction(
    database,
    async (tx) => {
      if (!(await handleOnce(tx, event.eventId, event.consumer))) return false;
      await effect(tx);
      return true;
    },
    { name: `inbox ${event.consumer}`, ...options },
  );
}

/** The outbox's `event-id` header of a received event (events.ts `ReceivedEvent.headers`). */
export function eventIdOf(headers: Record<string, string>): string | undefined {
  return headers['event-id'];
}

/** Deletes inbox rows older than `olderThanMs` (default 7 days, longer than any redelivery), at most `limit` per call. */
export async function purgeInbox(database: Queryable, options: { olderThanMs?: number; limit?: number } = {}): Promise<number> {
  const rows = await database.query(
    `DELETE FROM inbox WHERE (consumer, event_id) IN (
       SELECT consumer, event_id FROM inbox WHERE received_at < now() - $1::INT8 * INTERVAL '1 millisecond' LIMIT $2
     ) RETURNING event_id`,
    [options.olderThanMs ?? 7 * 86_400_000, options.limit ?? 1_000],
  );
  return rows.length;
}
