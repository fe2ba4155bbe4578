import { describe, expect, it } from 'vitest';
import { changesStatement } from '../src/data-access/ledger-store.js';
import type { Account } from '../src/domain/accounts.js';
import { countersDelta } from '../src/domain/transfers.js';

const account = (id: string, allowNegative: boolean): Account => ({ id, code: `c-${id}`, currency: 'EUR', type: 'liability', allowNegative, postedDebitsMinor: 0, postedCreditsMinor: 0, pendingDebitsMinor: 0, pendingCreditsMinor: 0 });
const payer = account('00000000-0000-4000-8000-000000000001', false);
const settlement = account('00000000-0000-4000-8000-000000000002', true);
const entries = [
  { accountId: settlement.id, direction: 'debit' as const, amountMinor: 500, currency: 'EUR' },
  { accountId: payer.id, direction: 'credit' as const, amountMinor: 500, currency: 'EUR' },
];
const event = { topic: 'ledger.transfer-changed.v1', key: '00000000-0000-4000-8000-0000000000aa', id: '00000000-0000-4000-8000-0000000000bb', payload: new Uint8Array([1]) };

/** The tables a statement's data-modifying CTEs write. */
const written = (sql: string) => [...sql.matchAll(/(?<!DO )\b(?:INSERT INTO|UPDATE)\s+(\w+)/g)].map((match) => match[1]);

describe('changesStatement', () => {
  it('writes each table once (CockroachDB refuses two modifications of one table in a statement), with every value numbered', () => {
    const { sql, values } = changesStatement({ deltas: countersDelta(entries, 'post-at-once'), accounts: [payer, settlement], entries: { transferId: event.key, entries } }, event);
    const tables = written(sql);
    expect(tables.sort()).toEqual(['account_counter_shards', 'accounts', 'outbox', 'outbox_sequences', 'transfer_entries']);
    expect(new Set(tables).size).toBe(tables.length);
    const placeholders = new Set([...sql.matchAll(/\$(\d+)/g)].map((match) => Number(match[1])));
    expect(Math.max(...placeholders)).toBe(values.length);
    expect(placeholders.size).toBe(values.length);
  });

  it('a resolution writes the status instead of the entries; nothing to change is no write', () => {
    const { sql } = changesStatement({ deltas: countersDelta(entries, 'release'), accounts: [payer, settlement], resolved: { ids: [event.key], status: 'voided' } }, event);
    expect(written(sql).sort()).toEqual(['account_counter_shards', 'accounts', 'outbox', 'outbox_sequences', 'transfers']);
    expect(changesStatement({ deltas: new Map(), accounts: [] })).toEqual({ sql: 'SELECT 1', values: [] });
  });
});
