import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createFlowClient, httpTransport, FlowCallError, terminalStatuses } from '../payments/flow-client.js';
import type { FlowClient, FlowService, FlowTransport, Payment } from '../payments/flow-client.js';
import { checkInvariants } from '../payments/invariants.js';
import type { WalletUnderTest } from '../payments/invariants.js';
import { CheckFailure, newTraceparent } from './checks.js';

/**
 * The payment rows of `innover smoke`: one real payment through the six services (README "Payment flow"),
 * straight to each service's published port. `sendSmokePayment` creates two customers and their EUR wallets,
 * tops the payer up, sends the payment with a fresh `traceparent` and waits for a terminal status; the
 * `payment` row judges its outcome and the balances, the `payment trace` row finds its one trace in Jaeger.
 * Both rows share the one payment. The rule set is the team's and is left alone: the amount is one the
 * default rules (rule-engine migration 002) approve, and a new payer has no velocity yet.
 */

/** What the payer is funded with and what it pays, in EUR minor units. */
export const smokeFundingMinor = 1_000;
export const smokeAmountMinor = 250;
const smokeCurrency = 'EUR';

/** The payment smoke sent and how it ended (terminal, or the last status seen when the wait ran out). */
export interface SmokePayment {
  client: FlowClient;
  payment: Payment;
  traceId: string;
  wallets: [WalletUnderTest, WalletUnderTest];
  /** Accepted → completed by the payment's own history; undefined unless completed. */
  completedInMs: number | undefined;
}

export interface SmokePaymentOptions {
  baseUrl(service: FlowService): string;
  /** The Authorization header (the smoke client's token) when the services check tokens. */
  authorization?: () => Promise<string | undefined>;
  transport?: FlowTransport;
  /** How long the payment may take to reach a terminal status. */
  waitMs: number;
  pollMs?: number;
}

function reason(error: unknown): string {
  if (error instanceof FlowCallError || error instanceof CheckFailure) return error.message;
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error && cause.message ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}

/** Runs `work`, turning any error into a CheckFailure naming the step. */
async function step<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new CheckFailure(`${what}: ${reason(error)}`.split('\n')[0]);
  }
}

/**
 * Sets up two customers with EUR wallets, funds the payer and sends one payment carrying a fresh trace
 * context, then polls it until it is terminal. Throws a CheckFailure naming the step that failed.
 */
export async function sendSmokePayment(options: SmokePaymentOptions, signal: AbortSignal): Promise<SmokePayment> {
  const { traceId, traceparent } = newTraceparent();
  const base = options.transport ?? httpTransport;
  // Every call ends with the run; the payment (only) carries the trace smoke looks for afterwards.
  const transport: FlowTransport = {
    send: (request, requestSignal) => {
      const headers = request.method === 'POST' && request.url.endsWith('/payments') ? { ...request.headers, traceparent } : request.headers;
      return base.send({ ...request, headers }, AbortSignal.any([requestSignal, signal]));
    },
  };
  const client = createFlowClient({ baseUrl: (service) => options.baseUrl(service), transport, ...(options.authorization ? { authorization: options.authorization } : {}) });
  const run = randomUUID();

  const [payer, payee] = await step('create the customers', () =>
    Promise.all(
      (['payer', 'payee'] as const).map((role) => client.createCustomer({ displayName: `innover smoke ${role}`, email: `smoke-${role}-${run}@example.com`, country: 'DE' })),
    ),
  );
  const [payerWallet, payeeWallet] = await step('open the EUR wallets', () =>
    Promise.all([payer, payee].map((customer) => client.openWallet({ customerId: customer?.id ?? '', currency: smokeCurrency }))),
  );
  if (!payerWallet || !payeeWallet) throw new CheckFailure('open the EUR wallets: no wallet came back');
  await step(`top up wallet ${payerWallet.id}`, () => client.topUp(payerWallet.id, smokeFundingMinor, `smoke-top-up-${run}`));

  const accepted = await step('POST /payments', () =>
    client.createPayment({ payerWalletId: payerWallet.id, payeeWalletId: payeeWallet.id, amountMinor: smokeAmountMinor, currency: smokeCurrency, reference: 'innover smoke' }, `smoke-payment-${run}`, signal),
  );
  if (accepted.status !== 202 || !('id' in accepted.body)) {
    const body = accepted.body as { error?: string; message?: string } | undefined;
    throw new CheckFailure(`POST /payments answered ${accepted.status} ${body?.error ?? ''}${body?.message ? `: ${body.message}` : ''}`.trim());
  }

  let payment: Payment = accepted.body;
  const deadline = Date.now() + options.waitMs;
  while (!terminalStatuses.includes(payment.status) && Date.now() < deadline && !signal.aborted) {
    await sleep(options.pollMs ?? 100, undefined, { signal }).catch(() => undefined);
    payment = await step(`GET /payments/${payment.id}`, () => client.getPayment(payment.id, signal));
  }
  const completedAt = payment.history.find((entry) => entry.status === 'completed')?.at;
  return {
    client,
    payment,
    traceId,
    wallets: [
      { walletId: payerWallet.id, ledgerAccountId: payerWallet.ledgerAccountId, currency: smokeCurrency, fundedMinor: smokeFundingMinor },
      { walletId: payeeWallet.id, ledgerAccountId: payeeWallet.ledgerAccountId, currency: smokeCurrency, fundedMinor: 0 },
    ],
    completedInMs: completedAt ? Date.parse(completedAt) - Date.parse(payment.createdAt) : undefined,
  };
}

/** Fails unless the payment completed: its status and reason, or how long it waited. */
function requireCompleted(sent: SmokePayment, waitMs: number): void {
  const { payment } = sent;
  if (payment.status === 'completed') return;
  if (!terminalStatuses.includes(payment.status)) {
    throw new CheckFailure(`payment ${payment.id} still ${payment.status} after ${Math.round(waitMs / 1_000)} s (are the payment, ledger and wallet workers running?)`);
  }
  const why = payment.reason ? `${payment.reason.code}: ${payment.reason.message}` : 'no reason given';
  const rules = payment.reason?.code === 'rule_rejected' ? ' (smoke pays 2.50 EUR from a new payer; see GET /rules)' : '';
  throw new CheckFailure(`payment ${payment.id} ${payment.status}, ${why}${rules}`);
}

/**
 * The `payment` row: the payment completed, both wallets hold what the ledger says (the projection is
 * polled up to `settleTimeoutMs`), the transfer is posted once, nothing stays pending, the trial balance
 * is equal (checkInvariants).
 */
export async function checkPayment(sent: SmokePayment, options: { waitMs: number; settleTimeoutMs: number }, signal: AbortSignal): Promise<string> {
  requireCompleted(sent, options.waitMs);
  const { payment } = sent;
  const report = await step('invariants', () => checkInvariants(sent.client, { wallets: sent.wallets, paymentIds: [payment.id], settleTimeoutMs: options.settleTimeoutMs, concurrency: 2, signal }));
  const broken = report.results.find((result) => !result.ok);
  if (broken) throw new CheckFailure(`payment ${payment.id} completed, but ${broken.name} fails: ${broken.detail}`);
  const took = sent.completedInMs === undefined ? '' : ` in ${sent.completedInMs} ms`;
  return `payment ${payment.id} of ${payment.amountMinor} ${payment.currency} (minor units) completed${took}; wallets ${smokeFundingMinor - payment.amountMinor} and ${payment.amountMinor}, as in the ledger; trial balance equal`;
}

interface JaegerTrace {
  spans?: { operationName?: string; processID?: string }[];
  processes?: Record<string, { serviceName?: string }>;
}

/** The services the payment's trace must span, in the order of the flow. */
export const tracedServices = ['payment', 'rule-engine', 'ledger', 'wallet'] as const;

/**
 * The `payment trace` row: polls Jaeger's query API (`GET /api/traces/<id>`) until the payment's one trace
 * holds spans of payment, rule-engine, ledger and wallet, one of wallet's being the consumer of a ledger
 * event: so the context crossed HTTP, the saga's job, the ledger's outbox row and the event.
 */
export async function checkPaymentTrace(sent: SmokePayment, options: { jaegerUrl: string; waitMs: number; paymentWaitMs: number; pollMs?: number }, signal: AbortSignal): Promise<string> {
  try {
    requireCompleted(sent, options.paymentWaitMs);
  } catch (error) {
    throw new CheckFailure(`no completed payment to trace: ${reason(error)}`);
  }
  const { traceId } = sent;
  const deadline = Date.now() + options.waitMs;
  let last = 'not in Jaeger yet';
  while (!signal.aborted) {
    try {
      const response = await fetch(`${options.jaegerUrl}/api/traces/${traceId}`, { signal: AbortSignal.any([signal, AbortSignal.timeout(5_000)]) });
      if (response.status === 200) {
        const body = (await response.json()) as { data?: JaegerTrace[] | null };
        const spans = (body.data ?? []).flatMap((trace) => (trace.spans ?? []).map((span) => ({ service: trace.processes?.[span.processID ?? '']?.serviceName ?? '', operation: span.operationName ?? '' })));
        const counts = new Map<string, number>();
        for (const span of spans) counts.set(span.service, (counts.get(span.service) ?? 0) + 1);
        const consumed = spans.find((span) => span.service === 'wallet' && /^ledger\.\S+ process$/.test(span.operation));
        const missing: string[] = tracedServices.filter((service) => !counts.has(service));
        if (!consumed && !missing.includes('wallet')) missing.push('wallet consuming a ledger event');
        const has = tracedServices.filter((service) => counts.has(service)).map((service) => `${service} ${counts.get(service)}`);
        if (missing.length === 0) return `trace ${traceId} of payment ${sent.payment.id}: spans of ${has.join(', ')} (wallet ran ${consumed?.operation})`;
        last = `lacks ${missing.join(', ')}; has ${has.join(', ') || 'no span of those'}`;
      } else {
        await response.body?.cancel();
        last = response.status === 404 ? 'not in Jaeger yet' : `Jaeger answered ${response.status}`;
      }
    } catch (error) {
      last = `Jaeger: ${reason(error)}`;
    }
    if (Date.now() >= deadline) break;
    await sleep(options.pollMs ?? 1_000, undefined, { signal }).catch(() => undefined);
  }
  throw new CheckFailure(`trace ${traceId} of payment ${sent.payment.id} ${last} after ${Math.round(options.waitMs / 1_000)} s (does every service export to the collector?)`);
}
