/**
 * The payment saga: pending → screening → reserved → completed, or rejected / failed (terminal).
 *
 *   1. profile: both customers exist and are active        (missing → rejected customer_not_found, blocked → customer_blocked)
 *   2. rule-engine: the decision, stored on the payment     (reject → rejected rule_rejected)
 *   3. forex, across currencies: a quote, used once        (expired → failed quote_expired)
 *   4. ledger: a pending transfer reserving the payer's funds, id UUIDv5(payment id, "reserve")
 *                                                            (insufficient → rejected insufficient_funds)
 *   5. ledger: post (→ completed); an expired reservation → failed reservation_expired
 *
 * Every step is idempotent, so the saga may be re-run from the top at any point (a crashed worker, the
 * reconciler, two jobs at once): what a step learnt is stored on the payment, each status change is a
 * compare-and-set, the rule engine and the forex quote are idempotent by payment, and the ledger transfer's
 * id is derived from the payment. A step whose call fails is retried by the job (BullMQ attempts); on the
 * last attempt the saga gives up: it voids the reservation, if there may be one, and fails the payment with
 * `<step>_retries_exhausted`. Pure: it only talks to the ports.
 */
import type { Customers, Entry, Forex, Ledger, PaymentChanges, PaymentStore, Rules } from './ports.ts';
import { canTransition, isTerminal } from './payment.ts';
import type { Payment, PaymentStatus, Reason } from './payment.ts';
import { stepId } from './uuidv5.ts';

/** The steps, as named in failure codes and crash points. */
export type SagaStep = 'screening' | 'profile' | 'rules' | 'quote' | 'reserve' | 'post' | 'void';

/**
 * Where `PAYMENT_CRASH_AFTER` may stop the worker: after each step's effect committed (`rules`: the rule
 * engine's stored decision, an approval not yet on the payment), plus `reserve-call` and `post-call`, right
 * after the ledger answered and before the payment recorded it.
 */
export const crashPoints = ['screening', 'profile', 'rules', 'quote', 'reserve-call', 'reserve', 'post-call', 'post', 'void'] as const;
export type CrashPoint = (typeof crashPoints)[number];

export interface SagaPorts {
  store: PaymentStore;
  customers: Customers;
  rules: Rules;
  forex: Forex;
  ledger: Ledger;
}

export interface SagaOptions {
  /** The reservation's timeout; must exceed the reconciler's interval (settings.ts checks it). */
  reservationTimeoutSeconds: number;
  /** This is the job's last attempt: a failing step gives up instead of throwing for a retry. */
  lastAttempt: boolean;
  /** Called after each crash point; the worker's implementation may exit the process there (test only). */
  checkpoint?: (point: CrashPoint) => void | Promise<void>;
  /** Told when the saga gives up or a best-effort void fails. */
  warn?: (message: string, details: Record<string, unknown>) => void;
}

/** Thrown for a transition the state machine does not allow: a bug, never retried into something else. */
export class IllegalTransitionError extends Error {
  override name = 'IllegalTransitionError';
}

/** The reservation's id: UUIDv5 of the payment id and the step. */
export function reservationId(paymentId: string): string {
  return stepId(paymentId, 'reserve');
}

/** The platform account a cross-currency payment passes through, one per currency (the ledger's `fx:<CUR>`). */
export function fxAccountCode(currency: string): string {
  return `fx:${currency}`;
}

/**
 * The reservation's entries. One currency: payer debit, payee credit. Across currencies, each currency
 * balanced on its own through the fx accounts: payer debit CUR1, fx:CUR1 credit, fx:CUR2 debit, payee credit CUR2.
 */
export function reservationEntries(payment: Payment, fxAccounts?: { sell: string; buy: string }): Entry[] {
  if (payment.currency === payment.payeeCurrency) {
    return [
      { accountId: payment.payerAccountId, direction: 'debit', amountMinor: payment.amountMinor },
      { accountId: payment.payeeAccountId, direction: 'credit', amountMinor: payment.amountMinor },
    ];
  }
  if (!fxAccounts || payment.payeeAmountMinor === null) throw new Error(`payment ${payment.id} crosses currencies: it needs its quote and the fx accounts`);
  return [
    { accountId: payment.payerAccountId, direction: 'debit', amountMinor: payment.amountMinor },
    { accountId: fxAccounts.sell, direction: 'credit', amountMinor: payment.amountMinor },
    { accountId: fxAccounts.buy, direction: 'debit', amountMinor: payment.payeeAmountMinor },
    { accountId: payment.payeeAccountId, direction: 'credit', amountMinor: payment.payeeAmountMinor },
  ];
}

const reasons = {
  customerNotFound: (which: string): Reason => ({ code: 'customer_not_found', message: `the ${which} customer does not exist` }),
  customerBlocked: (which: string): Reason => ({ code: 'customer_blocked', message: `the ${which} customer is blocked` }),
  ruleRejected: (detail: string): Reason => ({ code: 'rule_rejected', message: detail ? `the rules rejected the payment: ${detail}` : 'the rules rejected the payment' }),
  quoteExpired: (): Reason => ({ code: 'quote_expired', message: 'the forex quote expired before it was used' }),
  quoteUsed: (): Reason => ({ code: 'quote_used', message: 'the forex quote was used by another payment' }),
  insufficientFunds: (): Reason => ({ code: 'insufficient_funds', message: "the payer wallet's available balance is lower than the amount" }),
  reservationExpired: (): Reason => ({ code: 'reservation_expired', message: 'the reservation of the funds expired before it was posted' }),
  retriesExhausted: (step: SagaStep, error: unknown): Reason => ({ code: `${step}_retries_exhausted`, message: `the ${step} step failed on every attempt: ${(error as Error)?.message ?? String(error)}` }),
};

/**
 * Runs the payment's saga from wherever it stands until it is terminal; answers the payment as it ends
 * (undefined when there is no such payment). Throws for a retry while `lastAttempt` is false.
 */
export async function runPaymentSaga(paymentId: string, ports: SagaPorts, options: SagaOptions): Promise<Payment | undefined> {
  const { store } = ports;
  const checkpoint = async (point: CrashPoint) => void (await options.checkpoint?.(point));
  let payment = await store.load(paymentId);
  let step: SagaStep = 'screening';

  /** A compare-and-set; a lost race (another run moved it) reloads and lets the loop look again. */
  const move = async (current: Payment, to: PaymentStatus, changes?: PaymentChanges): Promise<Payment | undefined> => {
    if (!canTransition(current.status, to)) throw new IllegalTransitionError(`payment ${current.id}: ${current.status} → ${to} is not a transition of the saga`);
    return (await store.transition(current, to, changes)) ?? (await store.load(current.id));
  };
  const record = async (current: Payment, changes: PaymentChanges) => (await store.record(current, changes)) ?? (await store.load(current.id));

  try {
    while (payment && !isTerminal(payment.status)) {
      const current: Payment = payment;
      if (current.status === 'pending') {
        step = 'screening';
        payment = await move(current, 'screening');
        await checkpoint('screening');
      } else if (current.status === 'screening') {
        payment = await screen(current);
      } else {
        step = 'post';
        payment = await postReservation(current);
      }
    }
    return payment;
  } catch (error) {
    if (!options.lastAttempt || error instanceof IllegalTransitionError) throw error;
    return await giveUp(step, error);
  }

  async function screen(current: Payment): Promise<Payment | undefined> {
    // An approval is written with the step's next write (the quote or the reservation), one transaction fewer:
    // a run that stops before it asks the rule engine again, which answers its stored decision (idempotent by
    // payment, counted once toward velocity).
    let learnt: PaymentChanges = {};
    if (!current.decision) {
      step = 'profile';
      const customers = await ports.customers.find([current.payerCustomerId, current.payeeCustomerId]);
      const [payer, payee] = [customers.get(current.payerCustomerId), customers.get(current.payeeCustomerId)];
      if (!payer || !payee) return await move(current, 'rejected', { reason: reasons.customerNotFound(!payer ? 'payer' : 'payee') });
      if (payer.status !== 'active' || payee.status !== 'active') return await move(current, 'rejected', { reason: reasons.customerBlocked(payer.status !== 'active' ? 'payer' : 'payee') });
      await checkpoint('profile');
      step = 'rules';
      const decision = await ports.rules.evaluate({
        paymentId: current.id,
        payerCustomerId: current.payerCustomerId,
        payeeCustomerId: current.payeeCustomerId,
        payerCountry: payer.country,
        payeeCountry: payee.country,
        amountMinor: current.amountMinor,
        currency: current.currency,
      });
      if (decision.outcome === 'reject') {
        const rejected = await move(current, 'rejected', { decision, reason: reasons.ruleRejected(decision.reasons.map((reason) => reason.message).join('; ')) });
        await checkpoint('rules');
        return rejected;
      }
      await checkpoint('rules');
      learnt = { decision };
    }
    if (current.currency !== current.payeeCurrency && !current.quoteId) {
      step = 'quote';
      const quote = await ports.forex.quote({ sellCurrency: current.currency, buyCurrency: current.payeeCurrency, sellAmountMinor: current.amountMinor, idempotencyKey: `payment-${current.id}-quote` });
      const used = await ports.forex.useQuote(quote.id, current.id);
      if (used === 'quote_expired') return await move(current, 'failed', { ...learnt, quoteId: quote.id, reason: reasons.quoteExpired() });
      if (used === 'quote_used') return await move(current, 'failed', { ...learnt, quoteId: quote.id, reason: reasons.quoteUsed() });
      const next = await record(current, { ...learnt, quoteId: quote.id, payeeAmountMinor: quote.buyAmountMinor });
      await checkpoint('quote');
      return next;
    }
    step = 'reserve';
    const transferId = reservationId(current.id);
    const created = await ports.ledger.createTransfer({ id: transferId, entries: await entriesFor(current), pending: true, timeoutSeconds: options.reservationTimeoutSeconds, reference: current.reference ?? `payment ${current.id}` });
    if (created === 'insufficient_funds') return await move(current, 'rejected', { ...learnt, reason: reasons.insufficientFunds() });
    // The same id with another body: an earlier run created it (with other settings); its status decides.
    const status = created === 'transfer_exists' ? (await ports.ledger.getTransfer(transferId))?.status : created.status;
    if (status === undefined) throw new Error(`the ledger reports transfer ${transferId} both existing and missing`);
    await checkpoint('reserve-call');
    if (status === 'expired' || status === 'voided') return await move(current, 'failed', { ...learnt, transferId, reason: reasons.reservationExpired() });
    const next = await move(current, 'reserved', { ...learnt, transferId });
    await checkpoint('reserve');
    return next;
  }

  async function entriesFor(current: Payment): Promise<Entry[]> {
    if (current.currency === current.payeeCurrency) return reservationEntries(current);
    const [sell, buy] = await Promise.all([
      ports.ledger.ensureAccount({ code: fxAccountCode(current.currency), currency: current.currency, type: 'equity', allowNegative: true }),
      ports.ledger.ensureAccount({ code: fxAccountCode(current.payeeCurrency), currency: current.payeeCurrency, type: 'equity', allowNegative: true }),
    ]);
    return reservationEntries(current, { sell: sell.id, buy: buy.id });
  }

  async function postReservation(current: Payment): Promise<Payment | undefined> {
    const transferId = current.transferId ?? reservationId(current.id);
    const posted = await ports.ledger.post(transferId);
    await checkpoint('post-call');
    let next: Payment | undefined;
    if (posted === 'posted') {
      next = await move(current, 'completed');
    } else {
      // Resolved otherwise, expired, or gone: the money did not move; whatever is left of the hold goes.
      const transfer = posted === 'transfer_not_found' ? undefined : await ports.ledger.getTransfer(transferId);
      if (transfer?.status === 'posted') next = await move(current, 'completed');
      else {
        if (transfer?.status === 'pending') await voidQuietly(transferId);
        next = await move(current, 'failed', { reason: reasons.reservationExpired() });
      }
    }
    await checkpoint('post');
    return next;
  }

  /** Voids the reservation; a void that cannot be made leaves it to expire by itself (its timeout). */
  async function voidQuietly(transferId: string): Promise<'voided' | 'posted' | 'none'> {
    let voided: Awaited<ReturnType<Ledger['void']>>;
    try {
      voided = await ports.ledger.void(transferId);
      if (voided === 'transfer_already_resolved') return (await ports.ledger.getTransfer(transferId))?.status === 'posted' ? 'posted' : 'none';
    } catch (error) {
      options.warn?.('the reservation could not be voided; it expires by itself after its timeout', { paymentId, transferId, err: error });
      return 'none';
    }
    await checkpoint('void');
    return voided === 'voided' ? 'voided' : 'none';
  }

  /** Out of attempts: release any reservation, then fail the payment naming the step (or complete it, if the post got through). */
  async function giveUp(failedStep: SagaStep, error: unknown): Promise<Payment | undefined> {
    options.warn?.('payment step out of retries; failing the payment', { paymentId, step: failedStep, err: error });
    let current = await store.load(paymentId);
    if (!current || isTerminal(current.status)) return current;
    const mayHoldReservation = current.status === 'reserved' || failedStep === 'reserve';
    if (mayHoldReservation) {
      const voided = await voidQuietly(current.transferId ?? reservationId(current.id));
      if (voided === 'posted' && current.status === 'reserved') return await move(current, 'completed');
      current = (await store.load(paymentId)) ?? current;
      if (isTerminal(current.status)) return current;
    }
    return await move(current, 'failed', { reason: reasons.retriesExhausted(failedStep, error) });
  }
}
