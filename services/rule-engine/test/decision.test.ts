import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decide, windowStart } from '../src/domain/decision.js';
import type { EvaluationRequest } from '../src/domain/decision.js';
import { evaluatePayment } from '../src/domain/evaluations.js';
import type { EvaluationStore } from '../src/domain/evaluations.js';
import { normalizeRules, ruleSetSchema } from '../src/domain/rule-set.js';
import type { RuleSet, Rules } from '../src/domain/rule-set.js';
import { evaluationRequest } from '../src/entry-points/routes.js';

const rules: Rules = { maxAmountMinor: { EUR: 10_000, JPY: 1_000 }, velocity: { windowHours: 24, maxCount: 3, maxAmountMinor: { EUR: 25_000 } }, blockedCountries: ['IR', 'KP'] };
const payment: EvaluationRequest = {
  paymentId: '11111111-1111-4111-8111-111111111111',
  payerCustomerId: '22222222-2222-4222-8222-222222222222',
  payeeCustomerId: '33333333-3333-4333-8333-333333333333',
  payerCountry: 'DE',
  payeeCountry: 'FR',
  amountMinor: 5_000,
  currency: 'EUR',
};
const none = { count: 0, amountMinor: 0n };
const rulesOf = (request: EvaluationRequest, velocity = none) => decide(request, rules, velocity).reasons.map((reason) => reason.rule);

describe('decide', () => {
  it('approves a payment no rule refuses, with no reasons', () => {
    expect(decide(payment, rules, none)).toEqual({ decision: 'approve', reasons: [] });
  });

  it('max amount per currency: above rejects, equal passes, an unlisted currency has no limit', () => {
    expect(rulesOf({ ...payment, amountMinor: 10_001 })).toEqual(['max_amount']);
    expect(rulesOf({ ...payment, amountMinor: 10_000 })).toEqual([]);
    expect(rulesOf({ ...payment, currency: 'JPY', amountMinor: 1_001 })).toEqual(['max_amount']);
    expect(rulesOf({ ...payment, currency: 'USD', amountMinor: 9_000_000 })).toEqual([]);
  });

  it('velocity count: the payment being evaluated counts', () => {
    expect(rulesOf(payment, { count: 2, amountMinor: 0n })).toEqual([]);
    expect(rulesOf(payment, { count: 3, amountMinor: 0n })).toEqual(['velocity_count']);
  });

  it('velocity amount: the total with this payment may reach the limit, not pass it', () => {
    expect(rulesOf(payment, { count: 0, amountMinor: 20_000n })).toEqual([]);
    expect(rulesOf(payment, { count: 0, amountMinor: 20_001n })).toEqual(['velocity_amount']);
    expect(rulesOf({ ...payment, currency: 'USD' }, { count: 0, amountMinor: 2n ** 60n })).toEqual([]);
    expect(rulesOf(payment, { count: 0, amountMinor: 2n ** 60n })).toEqual(['velocity_amount']);
  });

  it('blocked countries: payer and payee each; every failing rule is a reason, and any rejects', () => {
    expect(rulesOf({ ...payment, payerCountry: 'KP' })).toEqual(['blocked_payer_country']);
    expect(rulesOf({ ...payment, payeeCountry: 'IR' })).toEqual(['blocked_payee_country']);
    const all = decide({ ...payment, amountMinor: 30_000, payerCountry: 'IR', payeeCountry: 'KP' }, rules, { count: 5, amountMinor: 0n });
    expect(all.decision).toBe('reject');
    expect(all.reasons.map((reason) => reason.rule)).toEqual(['max_amount', 'velocity_count', 'velocity_amount', 'blocked_payer_country', 'blocked_payee_country']);
    for (const reason of all.reasons) expect(reason.message.length).toBeGreaterThan(10);
  });

  it('the window slides: it starts windowHours before now', () => {
    expect(windowStart(new Date('2026-03-02T12:00:00Z'), 24).toISOString()).toBe('2026-03-01T12:00:00.000Z');
    expect(windowStart(new Date('2026-03-02T12:00:00Z'), 1).toISOString()).toBe('2026-03-02T11:00:00.000Z');
  });
});

/** A store over an array, with the same window semantics as the SQL (after `since`, approved only). */
function memoryStore(ruleSet: RuleSet) {
  const rows: Array<{ request: EvaluationRequest; decision: 'approve' | 'reject'; reasons: Array<{ rule: string; message: string }>; ruleSetVersion: number; at: Date }> = [];
  const locks: string[] = [];
  const store: EvaluationStore = {
    async lockPayer(payer, currency) {
      locks.push(`${payer}/${currency}`);
    },
    async findDecision(paymentId) {
      const row = rows.find((candidate) => candidate.request.paymentId === paymentId);
      return row && { decision: row.decision, reasons: row.reasons, ruleSetVersion: row.ruleSetVersion };
    },
    async evaluationInputs(request, evaluatedAt) {
      const since = windowStart(evaluatedAt, ruleSet.velocity.windowHours);
      const counted = rows.filter((row) => row.request.payerCustomerId === request.payerCustomerId && row.request.currency === request.currency && row.decision === 'approve' && row.at > since);
      return {
        decision: await store.findDecision(request.paymentId),
        ruleSet,
        velocity: { count: counted.length, amountMinor: counted.reduce((sum, row) => sum + BigInt(row.request.amountMinor), 0n) },
      };
    },
    async insertDecision(request, decision, at) {
      if (rows.some((row) => row.request.paymentId === request.paymentId)) return false;
      rows.push({ request, ...decision, at });
      return true;
    },
  };
  return { store, rows, locks, transaction: <T>(work: (inner: EvaluationStore) => Promise<T>) => work(store) };
}

describe('evaluatePayment', () => {
  const ruleSet: RuleSet = { version: 7, ...rules };
  const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

  it('locks the payer first, persists the decision and answers a repeat from the store, counted once', async () => {
    const memory = memoryStore(ruleSet);
    const at = new Date('2026-03-02T12:00:00Z');
    expect(await evaluatePayment(memory.transaction, payment, () => at)).toEqual({ decision: 'approve', reasons: [], ruleSetVersion: 7 });
    expect(await evaluatePayment(memory.transaction, payment, () => at)).toEqual({ decision: 'approve', reasons: [], ruleSetVersion: 7 });
    expect(memory.rows).toHaveLength(1);
    expect(memory.locks).toEqual([`${payment.payerCustomerId}/EUR`, `${payment.payerCustomerId}/EUR`]);
  });

  it('counts approved payments inside the sliding window only', async () => {
    const memory = memoryStore(ruleSet);
    const hour = 3_600_000;
    const start = Date.parse('2026-03-02T00:00:00Z');
    const at = (hours: number) => () => new Date(start + hours * hour);
    // Three approved at hours 0, 1 and 2: the fourth within 24 h is over the count.
    for (const n of [0, 1, 2]) expect((await evaluatePayment(memory.transaction, { ...payment, paymentId: id(n), amountMinor: 100 }, at(n))).decision).toBe('approve');
    expect((await evaluatePayment(memory.transaction, { ...payment, paymentId: id(3), amountMinor: 100 }, at(23))).reasons.map((reason) => reason.rule)).toEqual(['velocity_count']);
    // A rejected payment does not count: at hour 24 the one of hour 0 has left the window (exactly 24 h old).
    expect((await evaluatePayment(memory.transaction, { ...payment, paymentId: id(4), amountMinor: 100 }, at(24))).decision).toBe('approve');
    expect((await evaluatePayment(memory.transaction, { ...payment, paymentId: id(5), amountMinor: 100 }, at(24.5))).decision).toBe('reject');
    // Another currency and another payer have windows of their own.
    expect((await evaluatePayment(memory.transaction, { ...payment, paymentId: id(6), currency: 'JPY', amountMinor: 100 }, at(24.5))).decision).toBe('approve');
    expect((await evaluatePayment(memory.transaction, { ...payment, paymentId: id(7), payerCustomerId: id(99), amountMinor: 100 }, at(24.5))).decision).toBe('approve');
  });
});

describe('rule sets', () => {
  it('validate every field: currencies, countries, positive safe limits, a window of 1 h to a year', () => {
    expect(ruleSetSchema.safeParse(rules).success).toBe(true);
    const paths = (body: unknown) => ruleSetSchema.safeParse(body).error?.issues.map((issue) => issue.path.join('.'));
    expect(paths({ ...rules, maxAmountMinor: { eur: 1 } })).toEqual(['maxAmountMinor.eur']);
    expect(paths({ ...rules, maxAmountMinor: { EUR: 0 } })).toEqual(['maxAmountMinor.EUR']);
    expect(paths({ ...rules, maxAmountMinor: { EUR: 1.5 } })).toEqual(['maxAmountMinor.EUR']);
    expect(paths({ ...rules, velocity: { ...rules.velocity, windowHours: 0 } })).toEqual(['velocity.windowHours']);
    expect(paths({ ...rules, velocity: { ...rules.velocity, maxCount: 0 } })).toEqual(['velocity.maxCount']);
    expect(paths({ ...rules, blockedCountries: ['kp'] })).toEqual(['blockedCountries.0']);
    expect(paths({ ...rules, version: 3 })).toEqual(['']);
    expect(normalizeRules({ ...rules, blockedCountries: ['KP', 'IR', 'KP'] }).blockedCountries).toEqual(['IR', 'KP']);
  });

  it('the seeded default rule set is valid', () => {
    const seed = readFileSync(new URL('../migrations/002_seed_default_rule_set.sql', import.meta.url), 'utf8');
    const json = /\(1, '(\{.*\})'\)/.exec(seed)?.[1];
    expect(ruleSetSchema.parse(JSON.parse(json ?? 'null'))).toMatchObject({ velocity: { windowHours: 24, maxCount: 20 }, blockedCountries: ['IR', 'KP'] });
  });

  it('evaluation requests need UUIDs, countries, a positive safe amount and a currency', () => {
    expect(evaluationRequest.safeParse(payment).success).toBe(true);
    const paths = (body: unknown) => evaluationRequest.safeParse(body).error?.issues.map((issue) => issue.path.join('.'));
    expect(paths({ ...payment, paymentId: 'p-1' })).toEqual(['paymentId']);
    expect(paths({ ...payment, payerCountry: 'DEU' })).toEqual(['payerCountry']);
    expect(paths({ ...payment, amountMinor: 0 })).toEqual(['amountMinor']);
    expect(paths({ ...payment, amountMinor: 2 ** 53 })).toEqual(['amountMinor']);
    expect(paths({ ...payment, currency: 'euro' })).toEqual(['currency']);
    expect(paths({ ...payment, country: 'DE' })).toEqual(['']);
  });
});
