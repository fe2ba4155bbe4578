/**
 * The use case behind `innover load payments`: the reference payment flow's demo and load generator.
 * It sets a permissive rule set, creates one payer and one payee per concurrency lane (EUR wallets,
 * plus USD and GBP payee wallets when some payments cross currencies), funds each payer with exactly
 * what its payments need, runs the payments with a fixed number in flight, and checks the flow's
 * invariants over the wallets it created. It knows nothing of the CLI: the caller gives it a
 * FlowClient (direct or through the gateway) and draws the progress it reports.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { FlowCallError, terminalStatuses } from './flow-client.js';
import type { FlowClient, NewPaymentBody, Payment, PaymentStatus, Wallet } from './flow-client.js';
import { checkInvariants, mapLimit, settle } from './invariants.js';
import type { InvariantResult, WalletUnderTest } from './invariants.js';
import { countBy, isCrossCurrency, summarizeLatencies, throughputPerSecond } from './load-stats.js';
import type { LatencySummary } from './load-stats.js';

/** The payers' currency. */
export const loadCurrency = 'EUR';
/** The payee currencies of cross-currency payments, taken in turn. */
export const loadCrossCurrencies = ['USD', 'GBP'] as const;

export interface LoadOptions {
  /** Payments to run (≥ 1). */
  count: number;
  /** Payments in flight at once (1..count); also the number of payer/payee pairs. */
  concurrency: number;
  /** Fraction 0..1 of the payments whose payee wallet is in another currency. */
  crossCurrency: number;
  /** How long the payments may take, from the first POST until the last is terminal. */
  timeoutMs: number;
  /**
   * Open loop: payment i starts at i / rate seconds (never more than `concurrency` in flight), so latencies are
   * measured at a chosen load instead of at saturation. Default: each lane starts its next payment at once.
   */
  ratePerSecond?: number;
  /**
   * The shortest interval between two GETs of one accepted payment; default 25 ms. The first GET waits for
   * about the time recent payments took (firstPollDelay), then the interval grows with the payment's age (half
   * of it, at most 1 s), so a slow, saturated stack is not slowed further by the generator's own polling; the
   * completion time itself comes from the payment's history (completionMs), however seldom it polls.
   */
  pollMs?: number;
  /** How long the invariant check waits for stragglers and the wallet projection; default 60 s. */
  settleTimeoutMs?: number;
  /** Names this run's customers and idempotency keys; default random. */
  runId?: string;
  signal?: AbortSignal;
}

export interface LoadProgress {
  /** Payments the payment API accepted (202). */
  accepted: number;
  /** Payments seen `completed`. */
  completed: number;
  /** Payments seen `rejected` or `failed`, or refused by the API. */
  failed: number;
  total: number;
}

export interface LoadHooks {
  /** After setup and after each payment's state change; the caller throttles its drawing. */
  onProgress?(progress: LoadProgress): void;
  /** A phase begins: `setup`, `payments`, `invariants`. */
  onPhase?(phase: LoadPhase): void;
}

export type LoadPhase = 'setup' | 'payments' | 'invariants';

export interface LoadReport {
  runId: string;
  count: number;
  concurrency: number;
  crossCurrency: number;
  setup: { customers: number; wallets: number; fundedMinor: number; currency: string; ms: number };
  /** From the first POST until the last payment seen terminal (or the timeout). */
  elapsedMs: number;
  /** Completed payments per second over `elapsedMs`. */
  throughputPerSecond: number;
  /** POST /payments → its 202, retries included. */
  acceptLatencyMs: LatencySummary;
  /** The 202 → the first GET seeing a terminal status. */
  completeLatencyMs: LatencySummary;
  accepted: number;
  completed: number;
  /** Payments the API refused for good, or never accepted before the timeout. */
  notAccepted: number;
  /** Accepted payments not terminal when the timeout passed (or the run was interrupted). */
  unfinished: number;
  /** Status of each accepted payment when the run phase ended. */
  statuses: Record<string, number>;
  /** `reason.code` of the payments that ended rejected or failed. */
  reasons: Record<string, number>;
  /** Answers other than success, by call and code (`network` for no answer, `timeout`). */
  httpErrors: Record<string, number>;
  invariants: { ok: boolean; results: InvariantResult[] };
  /** Every invariant holds and every payment finished within the timeout. */
  ok: boolean;
}

interface PlannedPayment {
  index: number;
  lane: number;
  body: NewPaymentBody;
}

interface Lane {
  payer: Wallet;
  payees: Map<string, Wallet>;
  fundedMinor: number;
}

type Outcome =
  | { kind: 'terminal'; payment: Payment; acceptMs: number; completeMs: number }
  | { kind: 'unfinished'; payment: Payment; acceptMs: number }
  | { kind: 'not-accepted' };

/** A permissive rule set: limits far above anything load sends, a velocity that never trips, no blocked country. */
export function permissiveRules(): { maxAmountMinor: Record<string, number>; velocity: { windowHours: number; maxCount: number; maxAmountMinor: Record<string, number> }; blockedCountries: string[] } {
  const currencies = [loadCurrency, ...loadCrossCurrencies];
  const high = (amount: number) => Object.fromEntries(currencies.map((currency) => [currency, amount]));
  return { maxAmountMinor: high(1_000_000_000_000), velocity: { windowHours: 1, maxCount: 1_000_000_000, maxAmountMinor: high(1_000_000_000_000_000) }, blockedCountries: [] };
}

/** An amount from 1.00 to 9.99 that varies from one payment to the next. */
export function paymentAmountMinor(index: number): number {
  return 100 + ((index * 37) % 900);
}

/** Which lane and payee currency each payment gets; pure, so the plan is tested apart from HTTP. */
export function planPayments(count: number, concurrency: number, crossCurrency: number): Array<{ index: number; lane: number; payeeCurrency: string; amountMinor: number }> {
  let crossed = 0;
  return Array.from({ length: count }, (_, index) => {
    const cross = isCrossCurrency(index, count, crossCurrency);
    const payeeCurrency = cross ? (loadCrossCurrencies[crossed++ % loadCrossCurrencies.length] ?? loadCurrency) : loadCurrency;
    return { index, lane: index % concurrency, payeeCurrency, amountMinor: paymentAmountMinor(index) };
  });
}

/** The wait before the next GET of a payment accepted `ageMs` ago: half its age, from `minimumMs` to 1 s. */
export function pollInterval(minimumMs: number, ageMs: number): number {
  return Math.max(minimumMs, Math.min(1_000, ageMs / 2));
}

/** How many recent completion times the first poll's delay is taken from. */
export const recentCompletions = 32;

/**
 * The wait before the first GET of a just-accepted payment: the third quartile of the recent payments'
 * accepted → terminal times (`recent`, their histories' figures), at least `minimumMs`, at most 1 s. On a
 * saturated stack payments take about as long as the ones before them, and a GET before that only finds
 * them still running. The generator's GETs are load on the stack it measures (each costs the payment API,
 * PostgreSQL and the generator about 1.5 ms of CPU): from a little under the median, a payment took 3 GETs;
 * from the third quartile, about 1.5. The latency reported comes from the payment's history, so a later
 * first look does not lengthen it.
 */
export function firstPollDelay(minimumMs: number, recent: readonly number[]): number {
  if (recent.length === 0) return minimumMs;
  const sorted = [...recent].sort((a, b) => a - b);
  const thirdQuartile = sorted[Math.floor((sorted.length - 1) * 0.75)] ?? 0;
  return Math.max(minimumMs, Math.min(1_000, Math.floor(thirdQuartile)));
}

/**
 * Accepted → terminal from the payment's own history (the payment service's clock: its `pending` row, written
 * inside the POST, to its terminal row), so the figure is exact however seldom the generator polls; the time
 * the generator saw it terminal when the history lacks either row.
 */
export function completionMs(payment: Payment, observedMs: number): number {
  const started = payment.history.find((entry) => entry.status === 'pending')?.at ?? payment.createdAt;
  const ended = payment.history.find((entry) => terminalStatuses.includes(entry.status))?.at;
  if (!started || !ended) return observedMs;
  const ms = Date.parse(ended) - Date.parse(started);
  return Number.isFinite(ms) && ms >= 0 ? ms : observedMs;
}

/** The status and code of a failed call, as the report counts it. */
function errorCode(error: unknown): string {
  if (error instanceof FlowCallError) return `${error.status} ${error.code}`;
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'timeout';
  return 'network';
}

export async function runLoad(client: FlowClient, options: LoadOptions, hooks: LoadHooks = {}): Promise<LoadReport> {
  const { count, concurrency, crossCurrency, timeoutMs, signal } = options;
  const pollMs = options.pollMs ?? 25;
  const runId = options.runId ?? randomBytes(4).toString('hex');
  const httpErrors: Record<string, number> = {};
  const failedCall = (call: string, code: string) => void (httpErrors[`${call} ${code}`] = (httpErrors[`${call} ${code}`] ?? 0) + 1);

  // 1. Setup: rules, customers and wallets, funding.
  hooks.onPhase?.('setup');
  const setupStarted = performance.now();
  await client.putRules(permissiveRules());
  const planned = planPayments(count, concurrency, crossCurrency);
  const payeeCurrencies = [...new Set(planned.map((payment) => payment.payeeCurrency))];
  const lanes: Lane[] = await mapLimit(
    Array.from({ length: concurrency }, (_, lane) => lane),
    Math.min(concurrency, 8),
    async (lane): Promise<Lane> => {
      const payerCustomer = await client.createCustomer({ displayName: `load ${runId} payer ${lane}`, email: `load-${runId}-payer-${lane}@load.innover.example`, country: 'DE' });
      const payeeCustomer = await client.createCustomer({ displayName: `load ${runId} payee ${lane}`, email: `load-${runId}-payee-${lane}@load.innover.example`, country: 'FR' });
      const payer = await client.openWallet({ customerId: payerCustomer.id, currency: loadCurrency });
      const payees = new Map<string, Wallet>();
      for (const currency of payeeCurrencies) payees.set(currency, await client.openWallet({ customerId: payeeCustomer.id, currency }));
      // Exactly what the lane's payments move: every one can complete, and an extra debit would show.
      const fundedMinor = planned.filter((payment) => payment.lane === lane).reduce((sum, payment) => sum + payment.amountMinor, 0);
      if (fundedMinor > 0) await client.topUp(payer.id, fundedMinor, `load-${runId}-top-up-${lane}`);
      return { payer, payees, fundedMinor };
    },
  );
  const payments: PlannedPayment[] = planned.map((payment) => {
    const lane = lanes[payment.lane] as Lane;
    const payee = lane.payees.get(payment.payeeCurrency) as Wallet;
    return {
      index: payment.index,
      lane: payment.lane,
      body: { payerWalletId: lane.payer.id, payeeWalletId: payee.id, amountMinor: payment.amountMinor, currency: loadCurrency, reference: `load ${runId} #${payment.index + 1}` },
    };
  });
  const wallets: WalletUnderTest[] = lanes.flatMap((lane) => [
    { walletId: lane.payer.id, ledgerAccountId: lane.payer.ledgerAccountId, currency: lane.payer.currency, fundedMinor: lane.fundedMinor },
    ...[...lane.payees.values()].map((wallet) => ({ walletId: wallet.id, ledgerAccountId: wallet.ledgerAccountId, currency: wallet.currency, fundedMinor: 0 })),
  ]);
  // The funding settles before the clock starts: the top-ups' events reach the wallet projection (the ledger's
  // relay, the broker, the wallet worker), so that work is not measured as the first payments' latency. A
  // projection slower than the settle timeout only starts the payments anyway: funds are checked by the ledger.
  const funded = lanes.filter((lane) => lane.fundedMinor > 0);
  await settle(Date.now() + (options.settleTimeoutMs ?? 60_000), 100, signal, async () => {
    const views = await mapLimit(funded, 8, async (lane) => await client.getWallet(lane.payer.id).catch(() => undefined));
    return { done: views.every((view, index) => view !== undefined && view.balance.postedMinor === funded[index]?.fundedMinor), value: undefined };
  });
  const setupMs = Math.round(performance.now() - setupStarted);

  // 2. The payments, `concurrency` in flight, each from its POST until a GET sees it terminal.
  hooks.onPhase?.('payments');
  const progress: LoadProgress = { accepted: 0, completed: 0, failed: 0, total: count };
  const report = () => hooks.onProgress?.({ ...progress });
  report();
  const started = performance.now();
  const deadline = started + timeoutMs;
  let lastTerminalAt = started;
  const stopped = () => signal?.aborted === true;
  const pause = (ms: number) => sleep(ms, undefined, signal ? { signal } : {}).catch(() => undefined);
  // The last `recentCompletions` accepted → terminal times, for the first poll's delay.
  const recent: number[] = [];
  let recentAt = 0;

  const runOne = async (item: PlannedPayment): Promise<Outcome> => {
    const key = `load-${runId}-payment-${item.index}`;
    const postedAt = performance.now();
    let payment: Payment | undefined;
    // A retry reuses the key: a POST whose answer was lost still makes exactly one payment.
    for (let attempt = 0; payment === undefined; attempt += 1) {
      try {
        const answer = await client.createPayment(item.body, key, signal);
        if (answer.status >= 200 && answer.status < 300) {
          payment = answer.body as Payment;
          break;
        }
        const code = (answer.body as { error?: unknown } | undefined)?.error;
        failedCall('POST /payments', `${answer.status} ${typeof code === 'string' ? code : `http_${answer.status}`}`);
        if (answer.status < 500 && answer.status !== 409 && answer.status !== 429) return { kind: 'not-accepted' };
      } catch (error) {
        failedCall('POST /payments', errorCode(error));
      }
      if (stopped() || performance.now() >= deadline) return { kind: 'not-accepted' };
      await pause(Math.min(1_000, 50 * 2 ** attempt));
    }
    const acceptedAt = performance.now();
    const acceptMs = acceptedAt - postedAt;
    progress.accepted += 1;
    report();
    for (let polls = 0; !terminalStatuses.includes(payment.status); polls += 1) {
      if (stopped() || performance.now() >= deadline) return { kind: 'unfinished', payment, acceptMs };
      await pause(polls === 0 ? firstPollDelay(pollMs, recent) : pollInterval(pollMs, performance.now() - acceptedAt));
      try {
        payment = await client.getPayment(payment.id, signal);
      } catch (error) {
        if (!stopped()) failedCall('GET /payments/:id', errorCode(error));
      }
    }
    const seenAt = performance.now();
    lastTerminalAt = Math.max(lastTerminalAt, seenAt);
    const completeMs = completionMs(payment, seenAt - acceptedAt);
    recent[recentAt++ % recentCompletions] = completeMs;
    return { kind: 'terminal', payment, acceptMs, completeMs };
  };

  const outcomes: Outcome[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < payments.length) {
        const item = payments[next++] as PlannedPayment;
        const startAt = options.ratePerSecond === undefined ? 0 : started + (item.index * 1_000) / options.ratePerSecond;
        // setTimeout truncates its delay and may fire a millisecond early: wait until the start really is due.
        while (startAt > performance.now() && !stopped()) await pause(Math.ceil(startAt - performance.now()));
        const outcome = stopped() || performance.now() >= deadline ? ({ kind: 'not-accepted' } as const) : await runOne(item);
        outcomes[item.index] = outcome;
        if (outcome.kind === 'terminal' && outcome.payment.status === 'completed') progress.completed += 1;
        else if (outcome.kind !== 'unfinished') progress.failed += 1;
        report();
      }
    }),
  );
  const ended = performance.now();
  const anyUnfinished = outcomes.some((outcome) => outcome.kind === 'unfinished');
  const elapsedMs = Math.round((anyUnfinished ? ended : lastTerminalAt) - started);

  // 3. The invariants, over the wallets this run created and the payments the API accepted.
  hooks.onPhase?.('invariants');
  const acceptedPayments = outcomes.flatMap((outcome) => (outcome.kind === 'not-accepted' ? [] : [outcome.payment]));
  const invariants = await checkInvariants(client, {
    wallets,
    paymentIds: acceptedPayments.map((payment) => payment.id),
    settleTimeoutMs: options.settleTimeoutMs ?? 60_000,
    ...(signal ? { signal } : {}),
  });

  const terminal = outcomes.filter((outcome) => outcome.kind === 'terminal');
  const completed = terminal.filter((outcome) => outcome.payment.status === 'completed').length;
  const notAccepted = outcomes.filter((outcome) => outcome.kind === 'not-accepted').length;
  const unfinished = outcomes.filter((outcome) => outcome.kind === 'unfinished').length;
  return {
    runId,
    count,
    concurrency,
    crossCurrency,
    setup: { customers: lanes.length * 2, wallets: wallets.length, fundedMinor: lanes.reduce((sum, lane) => sum + lane.fundedMinor, 0), currency: loadCurrency, ms: setupMs },
    elapsedMs,
    throughputPerSecond: throughputPerSecond(completed, elapsedMs),
    acceptLatencyMs: summarizeLatencies(outcomes.flatMap((outcome) => (outcome.kind === 'not-accepted' ? [] : [outcome.acceptMs]))),
    completeLatencyMs: summarizeLatencies(terminal.map((outcome) => outcome.completeMs)),
    accepted: acceptedPayments.length,
    completed,
    notAccepted,
    unfinished,
    statuses: countBy<PaymentStatus>(acceptedPayments.map((payment) => payment.status), (status) => status),
    reasons: countBy(
      terminal.filter((outcome) => outcome.payment.status !== 'completed'),
      (outcome) => outcome.payment.reason?.code ?? 'none',
    ),
    httpErrors,
    invariants: { ok: invariants.ok, results: invariants.results },
    ok: invariants.ok && notAccepted === 0 && unfinished === 0,
  };
}
