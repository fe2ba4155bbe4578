import { describe, expect, it } from 'vitest';
import { changesStatement } from '../src/data-access/ledger-store.js';
import type { Account } from '../src/domain/accounts.js';
import { countersDelta } from '../src/domain/transfers.js';
import type { Transfer } from '../src/domain/transfers.js';

const account = (id: string, allowNegative: boolean): Account => ({ id, code: `c-${id}`, currency: 'EUR', type: 'liability', allowNegative, postedDebitsMinor: 0, postedCreditsMinor: 0, pendingDebitsMinor: 0, pendingCreditsMinor: 0 });
const payer = account('00000000-0000-4000-8000-000000000001', false);
const settlement = account('00000000-0000-4000-8000-000000000002', true);
const entries = [
  { accountId: settlement.id, direction: 'debit' as const, amountMinor: 500, currency: 'EUR' },
  { accountId: payer.id, direction: 'credit' as const, amountMinor: 500, currency: 'EUR' },
];
const transfer: Transfer = { id: '00000000-0000-4000-8000-0000000000aa', status: 'posted', twoPhase: false, timeoutSeconds: null, entries, reference: 'top-up', createdAt: new Date('2026-12-02T06:00:00.000Z'), expiresAt: null };
const event = { topic: 'ledger.transfer-changed.v1', key: '00000000-0000-4000-8000-0000000000aa', id: '00000000-0000-4000-8000-0000000000bb', payload: new Uint8Array([1]) };

/** The tables a statement's data-modifying CTEs write. */
const written = (sql: string) => [...sql.matchAll(/(?<!DO )\b(?:INSERT INTO|UPDATE)\s+(\w+)/g)].map((match) => match[1]);

describe('changesStatement', () => {
  it('writes each table once (CockroachDB refuses two modifications of one table in a statement), with every value numbered', () => {
    const { sql, values } = changesStatement({ deltas: countersDelta(entries, 'post-at-once'), accounts: [payer, settlement], transfer }, event);
    const tables = written(sql);
    expect(tables.sort()).toEqual(['account_counter_shards', 'accounts', 'outbox', 'outbox_sequences', 'transfer_entries', 'transfers']);
    expect(new Set(tables).size).toBe(tables.length);
    const placeholders = new Set([...sql.matchAll(/\$(\d+)/g)].map((match) => Number(match[1])));
    expect(Math.max(...placeholders)).toBe(values.length);
    expect(placeholders.size).toBe(values.length);
    // A plain INSERT of the transfer: a taken id fails the whole statement instead of writing counters beside it.
    expect(sql).toMatch(/INSERT INTO transfers \([^)]*\)\s+VALUES \([^)]*\)\s+RETURNING id/);
  });

  it('a resolution is a compare-and-set on the status: every other write is gated on it, and the statement answers whether it matched', () => {
    const { sql, values } = changesStatement({ deltas: countersDelta(entries, 'release'), accounts: [payer, settlement], resolved: { ids: [event.key], status: 'voided' } }, event);
    expect(written(sql).sort()).toEqual(['account_counter_shards', 'accounts', 'outbox', 'outbox_sequences', 'transfers']);
    expect(sql).toMatch(/AND \(status \|\| ''\) = 'pending'\n/);
    expect(sql.match(/EXISTS \(SELECT 1 FROM applied\)/g)).toHaveLength(2);
    expect(sql).toContain('FROM applied\n       ON CONFLICT (event_key)');
    expect(sql).toMatch(/SELECT count\(\*\) AS applied FROM applied$/);
    expect(values).toContain(1);
    const post = changesStatement({ deltas: countersDelta(entries, 'post'), accounts: [payer, settlement], resolved: { ids: [event.key], status: 'posted', withinTimeout: true } }, event);
    expect(post.sql).toContain("= 'pending' AND (expires_at IS NULL OR expires_at > now())");
    expect(changesStatement({ deltas: new Map(), accounts: [] })).toEqual({ sql: 'SELECT 1', values: [] });
  });

  it('adds the deltas in account id order, whatever the entries order, so two statements lock shared rows alike', () => {
    const other = account('00000000-0000-4000-8000-000000000000', false);
    const reversed = [
      { accountId: payer.id, direction: 'debit' as const, amountMinor: 7, currency: 'EUR' },
      { accountId: other.id, direction: 'credit' as const, amountMinor: 7, currency: 'EUR' },
    ];
    const { values } = changesStatement({ deltas: countersDelta(reversed, 'reserve'), accounts: [payer, other] });
    expect(values[0]).toEqual([other.id, payer.id]);
  });
});
