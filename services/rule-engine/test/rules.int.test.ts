import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres } from '../../../test/support/peers.js';
import type { PostgresPeer } from '../../../test/support/peers.js';
import { injectFaults, sqlStateError } from '@innover/kit/faults';
import type { FaultyDatabase } from '@innover/kit/faults';
import { ruleEngine } from '../src/service.js';
import { startServiceApp } from '../../../test/support/service-app.js';
import type { ServiceApp } from '../../../test/support/service-app.js';

// The rule-engine contract of issue 10 through HTTP, over real PostgreSQL.
let postgres: PostgresPeer;
let app: ServiceApp;
let databaseUrl: string;

beforeAll(async () => {
  postgres = await startPostgres();
  databaseUrl = await postgres.createDatabase('rule_engine');
  app = await startServiceApp('rule-engine', ruleEngine, databaseUrl);
});

afterAll(async () => {
  await app?.close();
  await postgres?.stop();
});

const rules = { maxAmountMinor: { EUR: 10_000 }, velocity: { windowHours: 24, maxCount: 3, maxAmountMinor: { EUR: 20_000 } }, blockedCountries: ['KP', 'IR'] };

function payment(overrides: Record<string, unknown> = {}) {
  return { paymentId: randomUUID(), payerCustomerId: randomUUID(), payeeCustomerId: randomUUID(), payerCountry: 'DE', payeeCountry: 'FR', amountMinor: 1_000, currency: 'EUR', ...overrides };
}

async function evaluate(body: Record<string, unknown>) {
  const answer = await app.call('POST', '/evaluations', body);
  expect(answer.status, JSON.stringify(answer.json)).toBe(200);
  return answer.json as { decision: string; reasons: Array<{ rule: string; message: string }>; ruleSetVersion: number };
}

async function putRules(body: unknown) {
  const answer = await app.call('PUT', '/rules', body);
  expect(answer.status, JSON.stringify(answer.json)).toBe(200);
  return answer.json;
}

describe('rule-engine: rules', () => {
  it('GET /rules answers the seeded default rule set as version 1', async () => {
    expect(await app.call('GET', '/rules')).toMatchObject({
      status: 200,
      json: {
        version: 1,
        maxAmountMinor: { EUR: 1_000_000, USD: 1_000_000, GBP: 1_000_000, JPY: 1_500_000 },
        velocity: { windowHours: 24, maxCount: 20, maxAmountMinor: { EUR: 2_500_000, USD: 2_500_000, GBP: 2_500_000, JPY: 3_750_000 } },
        blockedCountries: ['IR', 'KP'],
      },
    });
  });

  it('PUT /rules stores the next version; GET answers it; an invalid body is a 400 naming the field', async () => {
    expect(await putRules(rules)).toEqual({ version: 2, ...rules, blockedCountries: ['IR', 'KP'] });
    expect((await app.call('GET', '/rules')).json).toMatchObject({ version: 2, velocity: { maxCount: 3 } });
    const versions = await Promise.all(Array.from({ length: 4 }, () => putRules(rules)));
    expect(versions.map((body) => body['version']).sort()).toEqual([3, 4, 5, 6]);
    expect((await app.call('PUT', '/rules', { ...rules, version: 9 })).json).toMatchObject({ error: 'invalid_request', issues: [{ path: '(body)' }] });
    expect((await app.call('PUT', '/rules', { ...rules, maxAmountMinor: { EUR: -1 } })).json).toMatchObject({ error: 'invalid_request', issues: [{ path: 'maxAmountMinor.EUR' }] });
    expect((await app.call('PUT', '/rules', { ...rules, velocity: { windowHours: 0, maxCount: 1, maxAmountMinor: {} } })).json).toMatchObject({ error: 'invalid_request', issues: [{ path: 'velocity.windowHours' }] });
    expect((await app.call('GET', '/rules')).json['version']).toBe(6);
  });
});

describe('rule-engine: evaluations', () => {
  it('approves a payment no rule refuses, with the version of the rules it used', async () => {
    const { version } = await putRules(rules);
    expect(await evaluate(payment())).toEqual({ decision: 'approve', reasons: [], ruleSetVersion: version });
  });

  it('max amount per currency', async () => {
    await putRules(rules);
    expect(await evaluate(payment({ amountMinor: 10_000 }))).toMatchObject({ decision: 'approve' });
    expect(await evaluate(payment({ amountMinor: 10_001 }))).toMatchObject({ decision: 'reject', reasons: [{ rule: 'max_amount', message: expect.any(String) }] });
    expect(await evaluate(payment({ amountMinor: 10_001, currency: 'USD' }))).toMatchObject({ decision: 'approve' });
  });

  it('blocked payer and payee countries', async () => {
    await putRules(rules);
    expect(await evaluate(payment({ payerCountry: 'KP' }))).toMatchObject({ decision: 'reject', reasons: [{ rule: 'blocked_payer_country' }] });
    expect(await evaluate(payment({ payeeCountry: 'IR' }))).toMatchObject({ decision: 'reject', reasons: [{ rule: 'blocked_payee_country' }] });
  });

  it('velocity count per payer and currency: the evaluated payment counts, rejected ones do not', async () => {
    await putRules(rules);
    const payerCustomerId = randomUUID();
    const outcomes: string[] = [];
    for (let n = 0; n < 4; n += 1) outcomes.push((await evaluate(payment({ payerCustomerId, amountMinor: 100 }))).decision);
    expect(outcomes).toEqual(['approve', 'approve', 'approve', 'reject']);
    expect((await evaluate(payment({ payerCustomerId, amountMinor: 100 }))).reasons.map((reason) => reason.rule)).toEqual(['velocity_count']);
    expect(await evaluate(payment({ payerCustomerId, amountMinor: 100, currency: 'GBP' }))).toMatchObject({ decision: 'approve' });
  });

  it('velocity amount per payer and currency', async () => {
    await putRules(rules);
    const payerCustomerId = randomUUID();
    expect(await evaluate(payment({ payerCustomerId, amountMinor: 10_000 }))).toMatchObject({ decision: 'approve' });
    expect(await evaluate(payment({ payerCustomerId, amountMinor: 10_000 }))).toMatchObject({ decision: 'approve' });
    expect(await evaluate(payment({ payerCustomerId, amountMinor: 1 }))).toMatchObject({ decision: 'reject', reasons: [{ rule: 'velocity_amount' }] });
  });

  it('the velocity window slides: evaluations older than windowHours no longer count', async () => {
    await putRules({ ...rules, velocity: { ...rules.velocity, windowHours: 2 } });
    const payerCustomerId = randomUUID();
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    for (const paymentId of ids) expect(await evaluate(payment({ paymentId, payerCustomerId, amountMinor: 100 }))).toMatchObject({ decision: 'approve' });
    expect(await evaluate(payment({ payerCustomerId, amountMinor: 100 }))).toMatchObject({ decision: 'reject' });
    // Age the first one past the 2 h window (instead of waiting): one slot is free again, then none.
    await app.database.query("UPDATE evaluations SET evaluated_at = now() - INTERVAL '121 minutes' WHERE payment_id = $1", [ids[0]]);
    expect(await evaluate(payment({ payerCustomerId, amountMinor: 100 }))).toMatchObject({ decision: 'approve' });
    expect(await evaluate(payment({ payerCustomerId, amountMinor: 100 }))).toMatchObject({ decision: 'reject' });
  });

  it('is idempotent by paymentId: a repeat answers the stored decision and counts once', async () => {
    const first = await putRules(rules);
    const payerCustomerId = randomUUID();
    const repeated = payment({ payerCustomerId, amountMinor: 100 });
    const decision = await evaluate(repeated);
    for (let n = 0; n < 3; n += 1) expect(await evaluate(repeated)).toEqual(decision);
    // New rules change later decisions, not the stored one.
    await putRules({ ...rules, blockedCountries: ['DE'] });
    expect(await evaluate(repeated)).toEqual({ decision: 'approve', reasons: [], ruleSetVersion: first['version'] });
    await putRules(rules);
    expect(await evaluate(payment({ payerCustomerId, amountMinor: 100 }))).toMatchObject({ decision: 'approve' });
    expect(await evaluate(payment({ payerCustomerId, amountMinor: 100 }))).toMatchObject({ decision: 'approve' });
    expect(await evaluate(payment({ payerCustomerId, amountMinor: 100 }))).toMatchObject({ decision: 'reject', reasons: [{ rule: 'velocity_count' }] });
  });

  it('concurrent payments of one payer cannot all slip under the velocity limits', async () => {
    await putRules({ ...rules, velocity: { windowHours: 24, maxCount: 5, maxAmountMinor: { EUR: 1_000_000 } } });
    const payerCustomerId = randomUUID();
    const bodies = Array.from({ length: 20 }, () => payment({ payerCustomerId, amountMinor: 100 }));
    // Each payment sent twice at once: duplicates count once.
    const answers = await Promise.all([...bodies, ...bodies].map((body) => evaluate(body)));
    expect(answers.filter((answer) => answer.decision === 'approve')).toHaveLength(10);
    const [row] = await app.database.query<{ approved: string }>("SELECT count(*) AS approved FROM evaluations WHERE payer_customer_id = $1 AND decision = 'approve'", [payerCustomerId]);
    expect(row?.approved).toBe('5');

    await putRules({ ...rules, velocity: { windowHours: 24, maxCount: 100, maxAmountMinor: { EUR: 2_500 } } });
    const amountPayer = randomUUID();
    const byAmount = await Promise.all(Array.from({ length: 12 }, () => evaluate(payment({ payerCustomerId: amountPayer, amountMinor: 1_000 }))));
    expect(byAmount.filter((answer) => answer.decision === 'approve')).toHaveLength(2);
  });

  it('a serialization failure is retried, and an ambiguous commit (40003) re-runs the evaluation: decided once, counted once', async () => {
    await putRules({ ...rules, velocity: { windowHours: 24, maxCount: 2, maxAmountMinor: {} } });
    let faulty: FaultyDatabase | undefined;
    const faults = [
      // The first evaluation's COMMIT: 40001, not committed, runTransaction retries it.
      { match: 'COMMIT', error: () => sqlStateError('40001') },
      // The second's COMMIT runs, then the acknowledgement is lost: committed, yet the caller hears 40003.
      { match: 'COMMIT', when: 'after' as const, error: () => sqlStateError('40003') },
    ];
    const faultyApp = await startServiceApp('rule-engine', ruleEngine, databaseUrl, { wrapDatabase: (database) => (faulty = injectFaults(database, faults)) });
    try {
      const payerCustomerId = randomUUID();
      const first = await faultyApp.call('POST', '/evaluations', payment({ payerCustomerId }));
      expect(first).toMatchObject({ status: 200, json: { decision: 'approve' } });
      const second = payment({ payerCustomerId });
      expect(await faultyApp.call('POST', '/evaluations', second)).toMatchObject({ status: 200, json: { decision: 'approve' } });
      expect(faulty?.injected).toEqual(['COMMIT', 'COMMIT']);
      const [row] = await app.database.query<{ evaluations: string }>('SELECT count(*) AS evaluations FROM evaluations WHERE payer_customer_id = $1', [payerCustomerId]);
      expect(row?.evaluations).toBe('2');
      expect(await evaluate(payment({ payerCustomerId }))).toMatchObject({ decision: 'reject', reasons: [{ rule: 'velocity_count' }] });
    } finally {
      await faultyApp.close();
    }
  });

  it('an invalid request is a 400 naming the field; the sample body is one', async () => {
    expect((await app.call('POST', '/evaluations', payment({ paymentId: 'p-1' }))).json).toMatchObject({ error: 'invalid_request', issues: [{ path: 'paymentId' }] });
    expect((await app.call('POST', '/evaluations', payment({ amountMinor: 0 }))).json).toMatchObject({ error: 'invalid_request', issues: [{ path: 'amountMinor' }] });
    expect((await app.call('POST', '/evaluations', { amountMinor: 100, currency: 'EUR', country: 'KP' })).status).toBe(400);
  });
});
