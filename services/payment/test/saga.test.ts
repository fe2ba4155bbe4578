import { describe, expect, it } from 'vitest';
import { allowedTransitions, canTransition, paymentStatuses } from '../src/domain/payment.js';
import type { Payment } from '../src/domain/payment.js';
import { crashPoints, reservationEntries, reservationId, runPaymentSaga } from '../src/domain/saga.js';
import type { CrashPoint, SagaOptions } from '../src/domain/saga.js';
import { FakeWorld, Unavailable } from './fake-world.js';

const options: SagaOptions = { reservationTimeoutSeconds: 120, lastAttempt: false };
const last: SagaOptions = { ...options, lastAttempt: true };

function statusesOf(world: FakeWorld, payment: Payment): string[] {
  return world.history.filter((entry) => entry.id === payment.id).map((entry) => entry.status);
}

/** Per currency, debits equal credits. */
function balancedPerCurrency(entries: Array<{ accountId: string; direction: string; amountMinor: number }>, currencyOf: (accountId: string) => string): boolean {
  const sums = new Map<string, number>();
  for (const entry of entries) sums.set(currencyOf(entry.accountId), (sums.get(currencyOf(entry.accountId)) ?? 0) + (entry.direction === 'debit' ? entry.amountMinor : -entry.amountMinor));
  return [...sums.values()].every((sum) => sum === 0);
}

describe('the state machine', () => {
  it('allows only the forward transitions of the contract; terminal statuses go nowhere', () => {
    expect(allowedTransitions).toEqual({ pending: ['screening', 'failed'], screening: ['reserved', 'rejected', 'failed'], reserved: ['completed', 'failed'], completed: [], rejected: [], failed: [] });
    expect(canTransition('reserved', 'rejected')).toBe(false);
    expect(canTransition('pending', 'completed')).toBe(false);
    expect(paymentStatuses).toHaveLength(6);
  });
});

describe('runPaymentSaga', () => {
  it('approves a payment in one currency: screening, reserved, completed; one posting; balanced entries', async () => {
    const world = new FakeWorld();
    const payment = world.addPayment();
    const done = await runPaymentSaga(payment.id, world.ports(), options);
    expect(done?.status).toBe('completed');
    expect(done?.transferId).toBe(reservationId(payment.id));
    expect(done?.decision).toEqual({ outcome: 'approve', reasons: [], ruleSetVersion: 3 });
    expect(statusesOf(world, payment)).toEqual(['pending', 'screening', 'reserved', 'completed']);
    expect(world.events.map((event) => `${event.from}→${event.to}`)).toEqual(['pending→screening', 'screening→reserved', 'reserved→completed']);
    expect(world.postings()).toBe(1);
    const transfer = world.transfers.get(reservationId(payment.id));
    expect(transfer?.entries).toEqual([
      { accountId: payment.payerAccountId, direction: 'debit', amountMinor: 1_000 },
      { accountId: payment.payeeAccountId, direction: 'credit', amountMinor: 1_000 },
    ]);
    expect(world.calls.get('forex.quote')).toBeUndefined();
    // One transaction per status change: the approval is written with the reservation, not on its own.
    expect(world.writes).toBe(3);
  });

  it('asks the rule engine again after a stop between its approval and the reservation, then stores that decision once', async () => {
    const world = new FakeWorld();
    const payment = world.addPayment();
    const stopAfterRules: SagaOptions = {
      ...options,
      checkpoint: (point) => {
        if (point === 'rules') throw new Unavailable('stopped after the rules');
      },
    };
    await expect(runPaymentSaga(payment.id, world.ports(), stopAfterRules)).rejects.toThrow('stopped after the rules');
    expect(world.payments.get(payment.id)?.status).toBe('screening');
    expect(world.payments.get(payment.id)?.decision).toBeUndefined();
    const done = await runPaymentSaga(payment.id, world.ports(), options);
    expect(done).toMatchObject({ status: 'completed', decision: { outcome: 'approve', ruleSetVersion: 3 } });
    expect(world.calls.get('rules.evaluate')).toBe(2);
    expect(world.postings()).toBe(1);
  });

  it('crosses currencies: a quote used once, the payee amount stored, fx accounts balancing each currency', async () => {
    const world = new FakeWorld();
    const payment = world.addPayment({ currency: 'EUR', payeeCurrency: 'USD', payeeAmountMinor: null });
    const done = await runPaymentSaga(payment.id, world.ports(), options);
    expect(done?.status).toBe('completed');
    expect(done?.payeeAmountMinor).toBe(1_080);
    expect(done?.quoteId).toBeDefined();
    expect([...world.quotesMade.values()]).toEqual([{ id: done?.quoteId, usedBy: payment.id }]);
    const entries = world.transfers.get(reservationId(payment.id))?.entries ?? [];
    const fxEur = world.accounts.get('fx:EUR') ?? '';
    const fxUsd = world.accounts.get('fx:USD') ?? '';
    expect(entries).toEqual([
      { accountId: payment.payerAccountId, direction: 'debit', amountMinor: 1_000 },
      { accountId: fxEur, direction: 'credit', amountMinor: 1_000 },
      { accountId: fxUsd, direction: 'debit', amountMinor: 1_080 },
      { accountId: payment.payeeAccountId, direction: 'credit', amountMinor: 1_080 },
    ]);
    const currencies = new Map([[payment.payerAccountId, 'EUR'], [fxEur, 'EUR'], [fxUsd, 'USD'], [payment.payeeAccountId, 'USD']]);
    expect(balancedPerCurrency(entries, (id) => currencies.get(id) ?? '?')).toBe(true);
  });

  it.each([
    ['the payer is missing', 'customer_not_found', (world: FakeWorld, payment: Payment) => world.customers.delete(payment.payerCustomerId)],
    ['the payee is missing', 'customer_not_found', (world: FakeWorld, payment: Payment) => world.customers.delete(payment.payeeCustomerId)],
    ['the payer is blocked', 'customer_blocked', (world: FakeWorld, payment: Payment) => world.customers.set(payment.payerCustomerId, { status: 'blocked', country: 'DE' })],
    ['the payee is blocked', 'customer_blocked', (world: FakeWorld, payment: Payment) => world.customers.set(payment.payeeCustomerId, { status: 'blocked', country: 'FR' })],
  ])('rejects when %s (%s), before the rules and without a reservation', async (_case, code, arrange) => {
    const world = new FakeWorld();
    const payment = world.addPayment();
    arrange(world, payment);
    const done = await runPaymentSaga(payment.id, world.ports(), options);
    expect(done?.status).toBe('rejected');
    expect(done?.reason?.code).toBe(code);
    expect(world.evaluations).toBe(0);
    expect(world.transfers.size).toBe(0);
    expect(statusesOf(world, payment)).toEqual(['pending', 'screening', 'rejected']);
  });

  it('rejects with rule_rejected and keeps the decision when the rules reject', async () => {
    const world = new FakeWorld();
    world.decision = { outcome: 'reject', reasons: [{ rule: 'max_amount', message: 'amount above 500 EUR' }], ruleSetVersion: 7 };
    const payment = world.addPayment();
    const done = await runPaymentSaga(payment.id, world.ports(), options);
    expect(done?.status).toBe('rejected');
    expect(done?.reason).toEqual({ code: 'rule_rejected', message: 'the rules rejected the payment: amount above 500 EUR' });
    expect(done?.decision).toEqual(world.decision);
    expect(world.transfers.size).toBe(0);
  });

  it('fails with quote_expired when the quote expired before its use, without a reservation', async () => {
    const world = new FakeWorld();
    world.quoteExpired = true;
    const payment = world.addPayment({ payeeCurrency: 'GBP', payeeAmountMinor: null });
    const done = await runPaymentSaga(payment.id, world.ports(), options);
    expect(done?.status).toBe('failed');
    expect(done?.reason?.code).toBe('quote_expired');
    expect(world.transfers.size).toBe(0);
  });

  it('rejects with insufficient_funds when the ledger refuses the reservation; nothing is held', async () => {
    const world = new FakeWorld();
    const payment = world.addPayment({ amountMinor: 50_000, payeeAmountMinor: 50_000 });
    const done = await runPaymentSaga(payment.id, world.ports(), options);
    expect(done?.status).toBe('rejected');
    expect(done?.reason?.code).toBe('insufficient_funds');
    expect(world.pendingTransfers()).toHaveLength(0);
    expect(statusesOf(world, payment)).toEqual(['pending', 'screening', 'rejected']);
  });

  it('fails with reservation_expired when the reservation timed out before the post', async () => {
    const world = new FakeWorld();
    world.expireOnPost = true;
    const payment = world.addPayment();
    const done = await runPaymentSaga(payment.id, world.ports(), options);
    expect(done?.status).toBe('failed');
    expect(done?.reason?.code).toBe('reservation_expired');
    expect(world.postings()).toBe(0);
    expect(world.pendingTransfers()).toHaveLength(0);
  });

  it('throws for a retry while attempts are left, and resumes where it stopped', async () => {
    const world = new FakeWorld();
    const payment = world.addPayment();
    world.fail('ledger.post', 2);
    await expect(runPaymentSaga(payment.id, world.ports(), options)).rejects.toThrow(Unavailable);
    await expect(runPaymentSaga(payment.id, world.ports(), options)).rejects.toThrow(Unavailable);
    expect(world.payments.get(payment.id)?.status).toBe('reserved');
    const done = await runPaymentSaga(payment.id, world.ports(), options);
    expect(done?.status).toBe('completed');
    expect(world.postings()).toBe(1);
    expect(world.evaluations).toBe(1);
  });

  it.each([
    ['profile', 'customers.find'],
    ['rules', 'rules.evaluate'],
    ['quote', 'forex.quote'],
    ['reserve', 'ledger.createTransfer'],
    ['post', 'ledger.post'],
  ])('out of retries at %s: fails with %s_retries_exhausted, voiding any reservation', async (step, method) => {
    const world = new FakeWorld();
    const payment = world.addPayment({ payeeCurrency: 'USD', payeeAmountMinor: null });
    // The reservation's answer is lost after the ledger made it: the give-up must still release it.
    world.fail(method, Number.POSITIVE_INFINITY, method === 'ledger.createTransfer');
    const done = await runPaymentSaga(payment.id, world.ports(), last);
    expect(done?.status).toBe('failed');
    expect(done?.reason?.code).toBe(`${step}_retries_exhausted`);
    expect(world.pendingTransfers()).toHaveLength(0);
    expect(world.postings()).toBe(0);
    if (step === 'reserve' || step === 'post') expect(world.transfers.get(reservationId(payment.id))?.status).toBe('voided');
  });

  it('fails a payment still pending when the move to screening runs out of retries (screening_retries_exhausted)', async () => {
    const world = new FakeWorld();
    const payment = world.addPayment();
    const ports = world.ports();
    const transition = ports.store.transition;
    let down = true;
    ports.store.transition = async (...args) => {
      if (down && args[1] === 'screening') {
        down = false;
        throw new Error('Connection terminated unexpectedly');
      }
      return transition(...args);
    };
    const done = await runPaymentSaga(payment.id, ports, last);
    expect(done?.status).toBe('failed');
    expect(done?.reason?.code).toBe('screening_retries_exhausted');
    expect(statusesOf(world, payment)).toEqual(['pending', 'failed']);
    expect(world.pendingTransfers()).toHaveLength(0);
  });

  it('completes instead of failing when the post went through but its answer was lost on the last attempt', async () => {
    const world = new FakeWorld();
    const payment = world.addPayment();
    world.fail('ledger.post', Number.POSITIVE_INFINITY, true);
    const done = await runPaymentSaga(payment.id, world.ports(), last);
    expect(done?.status).toBe('completed');
    expect(world.postings()).toBe(1);
  });

  it('fails the payment even when the void is unavailable too (the reservation then expires by itself)', async () => {
    const world = new FakeWorld();
    const payment = world.addPayment();
    world.fail('ledger.post');
    world.fail('ledger.void');
    const warnings: string[] = [];
    const done = await runPaymentSaga(payment.id, world.ports(), { ...last, warn: (message) => warnings.push(message) });
    expect(done?.status).toBe('failed');
    expect(done?.reason?.code).toBe('post_retries_exhausted');
    expect(warnings.some((message) => /expires by itself/.test(message))).toBe(true);
  });

  class Crash extends Error {}

  it.each(crashPoints.filter((point) => point !== 'void').flatMap((point) => [[point, 'EUR'] as const, [point, 'USD'] as const]))('resumes after a crash at %s (payee in %s) without a second posting', async (point, payeeCurrency) => {
    const world = new FakeWorld();
    const payment = world.addPayment({ payeeCurrency, payeeAmountMinor: payeeCurrency === 'EUR' ? 1_000 : null });
    let crashed = false;
    const crashAt = (at: CrashPoint) => {
      if (at === point && !crashed) {
        crashed = true;
        throw new Crash(at);
      }
    };
    const first = runPaymentSaga(payment.id, world.ports(), { ...options, checkpoint: crashAt });
    if (point === 'quote' && payeeCurrency === 'EUR') {
      await expect(first).resolves.toMatchObject({ status: 'completed' });
    } else {
      await expect(first).rejects.toThrow(Crash);
    }
    const done = await runPaymentSaga(payment.id, world.ports(), options);
    expect(done?.status).toBe('completed');
    expect(world.postings()).toBe(1);
    expect(world.transfers.size).toBe(1);
    expect(world.evaluations).toBeLessThanOrEqual(2);
    expect(new Set(statusesOf(world, payment)).size).toBe(statusesOf(world, payment).length);
  });

  it('resumes after a crash right after the give-up voided the reservation: failed, nothing held, nothing posted', async () => {
    const world = new FakeWorld();
    const payment = world.addPayment();
    world.fail('ledger.post', 5);
    await expect(
      runPaymentSaga(payment.id, world.ports(), {
        ...last,
        checkpoint: (at) => {
          if (at === 'void') throw new Crash(at);
        },
      }),
    ).rejects.toThrow(Crash);
    expect(world.payments.get(payment.id)?.status).toBe('reserved');
    world.failures.clear();
    const done = await runPaymentSaga(payment.id, world.ports(), options);
    expect(done?.status).toBe('failed');
    expect(world.postings()).toBe(0);
    expect(world.pendingTransfers()).toHaveLength(0);
  });

  it('two runs at once (a recovered job and the reconciler) end in one completion and one posting', async () => {
    const world = new FakeWorld();
    const payment = world.addPayment();
    const [first, second] = await Promise.all([runPaymentSaga(payment.id, world.ports(), options), runPaymentSaga(payment.id, world.ports(), options)]);
    expect(first?.status).toBe('completed');
    expect(second?.status).toBe('completed');
    expect(world.postings()).toBe(1);
    expect(world.events.filter((event) => event.to === 'completed')).toHaveLength(1);
  });

  it('leaves a terminal payment alone and answers undefined for an unknown one', async () => {
    const world = new FakeWorld();
    const payment = world.addPayment({ status: 'rejected' });
    expect((await runPaymentSaga(payment.id, world.ports(), options))?.status).toBe('rejected');
    expect(world.calls.size).toBe(0);
    expect(await runPaymentSaga('7a0c8a7e-2f4f-4d8e-9a51-3f1c1b2e6d10', world.ports(), options)).toBeUndefined();
  });

  it('reservationEntries refuses a cross-currency payment without its quote', () => {
    const world = new FakeWorld();
    const payment = world.addPayment({ payeeCurrency: 'USD', payeeAmountMinor: null });
    expect(() => reservationEntries(payment)).toThrow(/needs its quote/);
  });
});
