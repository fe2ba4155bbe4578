import { describe, expect, it } from 'vitest';
import { insertPaymentParts, pendingPayment, transitionStatement } from '../src/data-access/payments.js';

const input = {
  id: '00000000-0000-4000-8000-000000000001',
  payerWalletId: '00000000-0000-4000-8000-000000000002',
  payeeWalletId: '00000000-0000-4000-8000-000000000003',
  payerCustomerId: '00000000-0000-4000-8000-000000000004',
  payeeCustomerId: '00000000-0000-4000-8000-000000000005',
  payerAccountId: '00000000-0000-4000-8000-000000000006',
  payeeAccountId: '00000000-0000-4000-8000-000000000007',
  amountMinor: 1_250,
  currency: 'EUR',
  payeeCurrency: 'EUR',
};

/** The tables a statement's data-modifying CTEs write (CockroachDB refuses two modifications of one table in one statement). */
const written = (sql: string) => [...sql.matchAll(/(?<!DO )\b(?:INSERT INTO|UPDATE)\s+(\w+)/g)].map((match) => match[1]);
const numbered = (sql: string) => new Set([...sql.matchAll(/\$(\d+)/g)].map((match) => Number(match[1])));

describe('the payment statements', () => {
  it('a transition writes the payment, its history and its event, each table once, every value numbered', () => {
    const { sql, values } = transitionStatement(pendingPayment(input, new Date('2026-12-02T00:00:00Z')), 'screening', { reason: { code: 'x', message: 'y' } });
    expect(written(sql).sort()).toEqual(['outbox', 'outbox_sequences', 'wallet_payment_history', 'wallet_payments']);
    expect(numbered(sql).size).toBe(values.length);
    expect(Math.max(...numbered(sql))).toBe(values.length);
  });

  it('the stored payment behind a gate: every write reads FROM the gate or from what it wrote, numbered after the caller’s values', () => {
    const parts = insertPaymentParts(input, { firstParameter: 6, gate: 'key_recorded' });
    expect(written(parts.ctes).sort()).toEqual(['outbox', 'outbox_sequences', 'wallet_payment_history', 'wallet_payments']);
    expect(parts.ctes).toContain('FROM key_recorded');
    expect(Math.min(...numbered(parts.ctes))).toBe(6);
    expect(Math.max(...numbered(parts.ctes))).toBe(5 + parts.values.length);
    expect(parts.payment).toMatchObject({ status: 'pending', payeeAmountMinor: 1_250 });
  });
});
