import { describe, expect, it } from 'vitest';
import type { FlowAnswer, FlowRequest, FlowService, FlowTransport } from '../../src/payments/flow-client.js';
import { runSmoke } from '../../src/smoke/run-smoke.js';
import type { SmokeDependencies } from '../../src/smoke/run-smoke.js';
import type { SmokeCheckSpec } from '../../src/smoke/smoke-plan.js';

// The payment rows over an in-memory fake of the flow's contract (no I/O): what smoke sends, with which
// headers, and the one line each row reports for each outcome.
const urls: Record<FlowService, string> = {
  profile: 'http://fake:1',
  payment: 'http://fake:2',
  ledger: 'http://fake:3',
  wallet: 'http://fake:4',
  'rule-engine': 'http://fake:5',
  forex: 'http://fake:6',
};
const paymentSpec: SmokeCheckSpec = { kind: 'payment', name: 'payment', urls, withToken: false };
const traceSpec: SmokeCheckSpec = { kind: 'payment-trace', name: 'payment trace', urls, withToken: false, jaegerUrl: 'http://jaeger.invalid:16686' };

interface FakeOptions {
  /** What GET /payments/:id answers: the payment's end (default completed). */
  ends?: { status: 'completed' | 'rejected' | 'pending'; reason?: { code: string; message: string } };
  /** POST /payments answers this error instead of 202. */
  refusePayment?: { status: number; error: string; message: string };
  /** The wallet projection never catches up. */
  projectionStuck?: boolean;
}

/** The contract in memory: customers, wallets, one ledger account each, the payment and its transfer. */
function fakeFlow(options: FakeOptions = {}) {
  const requests: FlowRequest[] = [];
  /** Ledger balance by account id, and each wallet's account. */
  const balances = new Map<string, number>();
  const accountOf = new Map<string, string>();
  const credit = (walletId: unknown, amount: number) => {
    const account = accountOf.get(String(walletId)) ?? '';
    balances.set(account, (balances.get(account) ?? 0) + amount);
  };
  let ids = 0;
  const id = (n = ++ids) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const createdAt = '2026-12-01T12:00:00.000Z';
  let payment: Record<string, unknown> | undefined;
  const json = (status: number, body: unknown): FlowAnswer => ({ status, headers: { 'content-type': 'application/json' }, text: JSON.stringify(body) });
  const transport: FlowTransport = {
    send(request) {
      requests.push(request);
      const { pathname } = new URL(request.url);
      const body = request.body ? (JSON.parse(request.body) as Record<string, unknown>) : {};
      const route = `${request.method} ${pathname.replace(/[0-9a-f-]{36}/g, ':id')}`;
      const target = pathname.split('/')[2] ?? '';
      switch (route) {
        case 'POST /customers':
          return Promise.resolve(json(201, { id: id(), ...body, status: 'active', createdAt }));
        case 'POST /wallets': {
          const [wallet, account] = [id(), id()];
          accountOf.set(wallet, account);
          balances.set(account, 0);
          return Promise.resolve(json(201, { id: wallet, customerId: body['customerId'], currency: body['currency'], ledgerAccountId: account, createdAt }));
        }
        case 'POST /wallets/:id/top-ups':
          credit(target, Number(body['amountMinor']));
          return Promise.resolve(json(201, { id: id(), walletId: target, amountMinor: body['amountMinor'], currency: 'EUR', transferId: id(), createdAt }));
        case 'POST /payments':
          if (options.refusePayment) return Promise.resolve(json(options.refusePayment.status, { error: options.refusePayment.error, message: options.refusePayment.message }));
          payment = { id: id(), status: 'pending', ...body, payeeAmountMinor: body['amountMinor'], payeeCurrency: 'EUR', transferId: id(), createdAt, history: [{ status: 'pending', at: createdAt }] };
          return Promise.resolve(json(202, payment));
        case 'GET /payments/:id': {
          const ends = options.ends ?? { status: 'completed' };
          if (payment && ends.status === 'completed' && payment['status'] !== 'completed') {
            credit(payment['payerWalletId'], -Number(payment['amountMinor']));
            credit(payment['payeeWalletId'], Number(payment['amountMinor']));
          }
          payment = { ...payment, status: ends.status, ...(ends.reason ? { reason: ends.reason } : {}), history: [{ status: 'pending', at: createdAt }, { status: ends.status, at: '2026-12-01T12:00:00.120Z' }] };
          return Promise.resolve(json(200, payment));
        }
        case 'GET /transfers/:id':
          return Promise.resolve(json(200, { id: target, status: 'posted', entries: [], createdAt }));
        case 'GET /accounts/:id': {
          const balance = balances.get(target) ?? 0;
          return Promise.resolve(json(200, { id: target, code: `wallet:${target}`, currency: 'EUR', type: 'liability', allowNegative: false, postedDebitsMinor: 0, postedCreditsMinor: balance, pendingDebitsMinor: 0, pendingCreditsMinor: 0, balanceMinor: balance }));
        }
        case 'GET /wallets/:id': {
          const account = accountOf.get(target) ?? '';
          const posted = options.projectionStuck ? 0 : (balances.get(account) ?? 0);
          return Promise.resolve(json(200, { id: target, customerId: id(), currency: 'EUR', ledgerAccountId: account, balance: { postedMinor: posted, pendingMinor: 0, availableMinor: posted } }));
        }
        case 'GET /trial-balance':
          return Promise.resolve(json(200, { currencies: [{ currency: 'EUR', debitsMinor: 1000, creditsMinor: 1000 }] }));
        default:
          return Promise.reject(new Error(`unexpected ${route}`));
      }
    },
  };
  return { transport, requests };
}

const dependencies = (transport: FlowTransport, overrides: Partial<SmokeDependencies> = {}): SmokeDependencies => ({
  secrets: { redisPassword: 'redis-secret-123', serviceDbPassword: 'db-secret-12345', smokeClientSecret: 'smoke-secret-123' },
  containers: () => Promise.reject(new Error('unexpected containers check')),
  runTask: () => Promise.reject(new Error('unexpected runTask')),
  flowTransport: transport,
  paymentWaitMs: 2_000,
  paymentSettleMs: 2_000,
  ...overrides,
});
const open = () => new AbortController().signal;

describe('smoke payment row', () => {
  it('passes: two customers and EUR wallets, a top-up, one payment completed, the balances and the trial balance as the ledger says', async () => {
    const { transport, requests } = fakeFlow();
    const [row] = await runSmoke([paymentSpec], dependencies(transport), open());
    expect(row).toMatchObject({ name: 'payment', status: 'pass' });
    expect(row?.detail).toMatch(/^payment [0-9a-f-]{36} of 250 EUR \(minor units\) completed in 120 ms; wallets 750 and 250, as in the ledger; trial balance equal$/);
    const calls = requests.map((request) => `${request.method} ${new URL(request.url).host}${new URL(request.url).pathname.replace(/[0-9a-f-]{36}/g, ':id')}`);
    expect(calls.slice(0, 6)).toEqual(['POST fake:1/customers', 'POST fake:1/customers', 'POST fake:4/wallets', 'POST fake:4/wallets', 'POST fake:4/wallets/:id/top-ups', 'POST fake:2/payments']);
    // Without Keycloak no token; a fresh trace context on the payment only; idempotency keys on the money moves.
    expect(requests.some((request) => 'authorization' in request.headers)).toBe(false);
    expect(requests.filter((request) => 'traceparent' in request.headers).map((request) => new URL(request.url).pathname)).toEqual(['/payments']);
    expect(requests.find((request) => request.url.endsWith('/payments'))?.headers['traceparent']).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(requests.filter((request) => 'idempotency-key' in request.headers).map((request) => new URL(request.url).pathname.split('/').at(-1))).toEqual(['top-ups', 'payments']);
    // The rule set is the team's: smoke never writes it.
    expect(requests.some((request) => request.url.includes('/rules'))).toBe(false);
    const payment = JSON.parse(requests.find((request) => request.url.endsWith('/payments'))?.body ?? '{}') as Record<string, unknown>;
    expect(payment).toMatchObject({ amountMinor: 250, currency: 'EUR' });
  });

  it('fails naming the payment, its status and reason when it is rejected', async () => {
    const { transport } = fakeFlow({ ends: { status: 'rejected', reason: { code: 'rule_rejected', message: 'amount over 1.00 EUR' } } });
    const [row] = await runSmoke([paymentSpec], dependencies(transport), open());
    expect(row).toMatchObject({ status: 'fail' });
    expect(row?.detail).toMatch(/^payment [0-9a-f-]{36} rejected, rule_rejected: amount over 1\.00 EUR \(smoke pays 2\.50 EUR from a new payer; see GET \/rules\)$/);
  });

  it('fails when the payment never ends, pointing at the workers', async () => {
    const { transport } = fakeFlow({ ends: { status: 'pending' } });
    const [row] = await runSmoke([paymentSpec], dependencies(transport, { paymentWaitMs: 300 }), open());
    expect(row?.detail).toMatch(/^payment [0-9a-f-]{36} still pending after 0 s \(are the payment, ledger and wallet workers running\?\)$/);
  });

  it('fails when the wallet projection does not catch up with the ledger', async () => {
    const { transport } = fakeFlow({ projectionStuck: true });
    const [row] = await runSmoke([paymentSpec], dependencies(transport, { paymentSettleMs: 300 }), open());
    expect(row?.detail).toMatch(/^payment [0-9a-f-]{36} completed, but wallet balances equal their ledger accounts fails: wallet [0-9a-f-]{36}: posted 0 pending 0, ledger 750 pending 0; wallet [0-9a-f-]{36}: posted 0 pending 0, ledger 250 pending 0$/);
  });

  it('shares one payment between the payment and payment trace rows, both failing with the refusal', async () => {
    const { transport, requests } = fakeFlow({ refusePayment: { status: 404, error: 'wallet_not_found', message: 'no wallet x' } });
    const rows = await runSmoke([paymentSpec, traceSpec], dependencies(transport), open());
    expect(rows.map((row) => [row.name, row.status, row.detail])).toEqual([
      ['payment', 'fail', 'POST /payments answered 404 wallet_not_found: no wallet x'],
      ['payment trace', 'fail', 'no payment to trace: POST /payments answered 404 wallet_not_found: no wallet x'],
    ]);
    expect(requests.filter((request) => request.url.endsWith('/payments'))).toHaveLength(1);
  });

  it('with Keycloak in the profile, fails without a token rather than call the services', async () => {
    const { transport, requests } = fakeFlow();
    const [row] = await runSmoke([{ ...paymentSpec, withToken: true }], dependencies(transport), open());
    expect(row).toMatchObject({ status: 'fail', detail: 'no smoke token: no Keycloak in the profile to get a token from' });
    expect(requests).toEqual([]);
  });
});
