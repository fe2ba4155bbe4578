import { describe, expect, it } from 'vitest';
import { completionMs, firstPollDelay, paymentAmountMinor, permissiveRules, planPayments, pollInterval, runLoad } from '../../src/payments/load.js';
import type { LoadProgress } from '../../src/payments/load.js';
import { fakeFlowClient } from './fake-flow-client.js';

const options = { count: 20, concurrency: 4, crossCurrency: 0.3, timeoutMs: 30_000, pollMs: 1, settleTimeoutMs: 1_000, runId: 'test' };

describe('runLoad against an in-memory flow', () => {
  it('with --rate, starts payment i no earlier than i / rate seconds after the first (open loop)', async () => {
    const flow = fakeFlowClient();
    const posts: number[] = [];
    const createPayment = flow.createPayment.bind(flow);
    flow.createPayment = async (...args) => {
      posts.push(performance.now());
      return await createPayment(...args);
    };
    const report = await runLoad(flow, { ...options, count: 6, concurrency: 6, crossCurrency: 0, ratePerSecond: 50 });
    expect(report.ok).toBe(true);
    const first = posts[0] ?? 0;
    // Lower bounds only: a slow machine starts them later, never earlier.
    posts.forEach((at, index) => expect(at - first).toBeGreaterThanOrEqual(index * 20 - 2));
  });

  it('sets permissive rules, makes a pair per lane, funds each payer exactly, and reports every invariant true', async () => {
    const flow = fakeFlowClient();
    const progress: LoadProgress[] = [];
    const phases: string[] = [];
    const report = await runLoad(flow, options, { onProgress: (value) => progress.push(value), onPhase: (phase) => phases.push(phase) });

    expect(flow.rules).toEqual([permissiveRules()]);
    expect(permissiveRules().blockedCountries).toEqual([]);
    expect(flow.customers).toBe(8);
    // Each lane: a payer in EUR, a payee in EUR, USD and GBP.
    expect([...flow.wallets.values()].map((wallet) => wallet.currency).sort()).toEqual([...Array(8).fill('EUR'), ...Array(4).fill('GBP'), ...Array(4).fill('USD')].sort());
    const funded = [...flow.topUps.values()].reduce((sum, amount) => sum + amount, 0);
    expect(funded).toBe(Array.from({ length: 20 }, (_, index) => paymentAmountMinor(index)).reduce((sum, amount) => sum + amount, 0));
    expect(flow.posts.size).toBe(20);

    expect(phases).toEqual(['setup', 'payments', 'invariants']);
    expect(progress.at(-1)).toEqual({ accepted: 20, completed: 20, failed: 0, total: 20 });
    expect(report).toMatchObject({ count: 20, concurrency: 4, accepted: 20, completed: 20, notAccepted: 0, unfinished: 0, statuses: { completed: 20 }, reasons: {}, httpErrors: {}, ok: true });
    expect(report.setup).toMatchObject({ customers: 8, wallets: 16, fundedMinor: funded, currency: 'EUR' });
    expect(report.acceptLatencyMs.count).toBe(20);
    expect(report.completeLatencyMs.count).toBe(20);
    expect(report.throughputPerSecond).toBeGreaterThan(0);
    expect(report.invariants.results.map((result) => [result.name, result.ok])).toEqual([
      ['every payment is terminal', true],
      ['each completed payment has exactly one posted transfer', true],
      ['no money made or lost', true],
      ['no pending transfer remains', true],
      ['wallet balances equal their ledger accounts', true],
      ['trial balance is equal', true],
    ]);
  });

  it('plans the cross-currency share in turn to USD and GBP, lanes round-robin', () => {
    const plan = planPayments(10, 3, 0.4);
    expect(plan.filter((payment) => payment.payeeCurrency !== 'EUR').map((payment) => payment.payeeCurrency)).toEqual(['USD', 'GBP', 'USD', 'GBP']);
    expect(plan.map((payment) => payment.lane)).toEqual([0, 1, 2, 0, 1, 2, 0, 1, 2, 0]);
    expect(planPayments(5, 5, 0).every((payment) => payment.payeeCurrency === 'EUR')).toBe(true);
  });

  it('polls a young payment every pollMs, an older one every half of its age, at most every second', () => {
    expect(pollInterval(25, 0)).toBe(25);
    expect(pollInterval(25, 40)).toBe(25);
    expect(pollInterval(25, 1_000)).toBe(500);
    expect(pollInterval(25, 60_000)).toBe(1_000);
    expect(pollInterval(1_500, 60_000)).toBe(1_500);
  });

  it('waits before the first poll the third quartile of the recent completion times, from pollMs to 1 s', () => {
    expect(firstPollDelay(25, [])).toBe(25);
    expect(firstPollDelay(25, [10, 12, 8])).toBe(25);
    expect(firstPollDelay(25, [900, 1_100, 1_000, 5_000])).toBe(1_000);
    expect(firstPollDelay(25, [300, 200, 100, 400, 500])).toBe(400);
    expect(firstPollDelay(25, [4_000, 6_000, 5_000])).toBe(1_000);
  });

  it("takes accepted → completed from the payment's own history, else from what it observed", () => {
    const payment = (history: Array<{ status: string; at: string }>) => ({ createdAt: '2026-12-01T10:00:00.000Z', history }) as unknown as Parameters<typeof completionMs>[0];
    expect(completionMs(payment([{ status: 'pending', at: '2026-12-01T10:00:00.000Z' }, { status: 'screening', at: '2026-12-01T10:00:00.010Z' }, { status: 'completed', at: '2026-12-01T10:00:00.087Z' }]), 400)).toBe(87);
    expect(completionMs(payment([{ status: 'rejected', at: '2026-12-01T10:00:00.020Z' }]), 400)).toBe(20);
    expect(completionMs(payment([]), 400)).toBe(400);
  });

  it('retries a refused POST with the same key and counts the error by code', async () => {
    const flow = fakeFlowClient({ firstPostStatus: 503 });
    const report = await runLoad(flow, { ...options, crossCurrency: 0 });
    expect([...flow.posts.values()]).toEqual(Array(20).fill(2));
    expect(report.httpErrors).toEqual({ 'POST /payments 503 unavailable': 20 });
    expect(report).toMatchObject({ accepted: 20, completed: 20, ok: true });
  });

  it('an invariant failure makes the report not ok', async () => {
    const report = await runLoad(fakeFlowClient({ doubleDebit: 1 }), options);
    expect(report.completed).toBe(20);
    expect(report.ok).toBe(false);
    expect(report.invariants.ok).toBe(false);
    expect(report.invariants.results.filter((result) => !result.ok).map((result) => result.name)).toEqual(['no money made or lost']);
  });

  it('payments not terminal within the timeout are unfinished and make the report not ok', async () => {
    const report = await runLoad(fakeFlowClient({ neverComplete: true }), { ...options, count: 4, concurrency: 2, timeoutMs: 50, settleTimeoutMs: 50 });
    // Two lanes: two payments in flight when the time is up, two never sent.
    expect(report).toMatchObject({ accepted: 2, completed: 0, unfinished: 2, notAccepted: 2, statuses: { reserved: 2 }, ok: false });
    expect(report.invariants.results[0]).toMatchObject({ name: 'every payment is terminal', ok: false });
  });

  it('counts rejected payments by reason code', async () => {
    const report = await runLoad(fakeFlowClient({ rejectCrossCurrency: 'rule_rejected' }), options);
    expect(report).toMatchObject({ completed: 14, statuses: { completed: 14, rejected: 6 }, reasons: { rule_rejected: 6 }, ok: true });
  });
});
