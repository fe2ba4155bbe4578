import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sixServices, startSixServices, until } from '../../../test/support/six-services.js';
import type { SixServices } from '../../../test/support/six-services.js';

// All six services as processes (test/support/six-services.ts), wired as the topology's `calls` say, against
// real PostgreSQL, Redis, the Kafka-protocol broker and the OIDC issuer: every API checks tokens, and payment and
// wallet call the others with client-credentials tokens of their own clients, holding exactly the roles of their
// `calls`. Each API starts twice on its database, so its migrations are shown idempotent. Auth and the rest of the
// kit are covered by api.int.test.ts; every rule of each service by its own tests.
type Json = Record<string, unknown>;
let stack: SixServices;

beforeAll(async () => {
  stack = await startSixServices({ oidc: true, migrateTwice: true });
}, 240_000);

afterAll(async () => {
  await stack?.stop();
});

const call = (...args: Parameters<SixServices['call']>) => stack.call(...args);

async function customer(name: string): Promise<string> {
  const created = await call('profile', 'POST', '/customers', { displayName: name, email: `${name}-${randomUUID()}@example.com`, country: 'DE' });
  expect(created.status).toBe(201);
  return String(created.json['id']);
}

async function wallet(customerId: string, currency: string): Promise<Json> {
  const opened = await call('wallet', 'POST', '/wallets', { customerId, currency });
  expect(opened.status, JSON.stringify(opened.json)).toBe(201);
  return opened.json;
}

describe('the six services', () => {
  it('all start, migrate idempotently and are ready', async () => {
    for (const service of sixServices) {
      const response = await fetch(`${String(stack.urls.get(service))}/readiness`);
      expect(response.status, service).toBe(200);
    }
  });

  it('every API refuses a call without a token (401)', async () => {
    for (const service of sixServices) {
      const response = await fetch(`${String(stack.urls.get(service))}/${service === 'ledger' ? 'trial-balance' : 'nothing'}`);
      expect(response.status, service).toBe(401);
    }
  });

  it('profile: creates and reads a customer; a used email is a 409 email_taken', async () => {
    const created = await call('profile', 'POST', '/customers', { displayName: 'Ada', email: 'ada@example.com', country: 'GB' });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ displayName: 'Ada', email: 'ada@example.com', country: 'GB', status: 'active' });
    expect((await call('profile', 'GET', `/customers/${String(created.json['id'])}`)).json).toEqual(created.json);
    expect(await call('profile', 'POST', '/customers', { displayName: 'Ada', email: 'ada@example.com', country: 'GB' })).toMatchObject({ status: 409, json: { error: 'email_taken' } });
    expect((await call('profile', 'POST', '/customers', { displayName: '', email: 'nope', country: 'GB' })).json).toMatchObject({ error: 'invalid_request' });
  });

  it('rule-engine: serves the default rule set, version 1', async () => {
    expect(await call('rule-engine', 'GET', '/rules')).toMatchObject({ status: 200, json: { version: 1 } });
  });

  it('forex: lists the seeded rates as decimal strings and quotes EUR to USD', async () => {
    const rates = await call('forex', 'GET', '/rates');
    expect((rates.json['items'] as Json[]).find((rate) => rate['pair'] === 'EUR-USD')).toMatchObject({ rate: '1.0800' });
    expect(await call('forex', 'POST', '/quotes', { sellCurrency: 'EUR', buyCurrency: 'USD', sellAmountMinor: 1000 })).toMatchObject({ status: 201, json: { buyAmountMinor: 1080, rate: '1.0800' } });
  });

  it('ledger: opens accounts, posts a balanced transfer and keeps the trial balance equal', async () => {
    const [asset, liability] = await Promise.all(
      [
        { code: `cash-${randomUUID()}`, currency: 'CHF', type: 'asset', allowNegative: true },
        { code: `owed-${randomUUID()}`, currency: 'CHF', type: 'liability' },
      ].map(async (account) => {
        const opened = await call('ledger', 'POST', '/accounts', account);
        expect(opened.status).toBe(201);
        return String(opened.json['id']);
      }),
    );
    const transfer = {
      id: randomUUID(),
      entries: [
        { accountId: asset, direction: 'debit', amountMinor: 700 },
        { accountId: liability, direction: 'credit', amountMinor: 700 },
      ],
    };
    expect(await call('ledger', 'POST', '/transfers', transfer)).toMatchObject({ status: 201, json: { id: transfer.id, status: 'posted' } });
    expect((await call('ledger', 'GET', `/accounts/${String(liability)}`)).json).toMatchObject({ balanceMinor: 700 });
    const trial = (await call('ledger', 'GET', '/trial-balance')).json['currencies'] as Json[];
    expect(trial.find((row) => row['currency'] === 'CHF')).toEqual({ currency: 'CHF', debitsMinor: 700, creditsMinor: 700 });
  });

  it('wallet: opens a wallet for a customer of profile, with its ledger account; an unknown customer is a 404', async () => {
    const opened = await wallet(await customer('grace'), 'GBP');
    expect((await call('ledger', 'GET', `/accounts/${String(opened['ledgerAccountId'])}`)).json).toMatchObject({ currency: 'GBP', type: 'liability', allowNegative: false, balanceMinor: 0 });
    expect(await call('wallet', 'POST', '/wallets', { customerId: randomUUID(), currency: 'GBP' })).toMatchObject({ status: 404, json: { error: 'customer_not_found' } });
  });

  it('moves money end to end: top-up, payment saga to completed, wallet projections and the trial balance', async () => {
    const payer = await wallet(await customer('alice'), 'EUR');
    const payee = await wallet(await customer('bob'), 'EUR');
    const payerId = String(payer['id']);
    const payeeId = String(payee['id']);
    const topUp = await call('wallet', 'POST', `/wallets/${payerId}/top-ups`, { amountMinor: 5_000 }, { 'idempotency-key': randomUUID() });
    expect(topUp.status, JSON.stringify(topUp.json)).toBe(201);

    const accepted = await call('payment', 'POST', '/payments', { payerWalletId: payerId, payeeWalletId: payeeId, amountMinor: 1_250, currency: 'EUR', reference: 'all-services' }, { 'idempotency-key': randomUUID() });
    expect(accepted.status, JSON.stringify(accepted.json)).toBe(202);
    const paymentId = String(accepted.json['id']);
    const completed = await until('a terminal payment', async () => {
      const { json } = await call('payment', 'GET', `/payments/${paymentId}`);
      return ['completed', 'rejected', 'failed'].includes(String(json['status'])) ? json : undefined;
    });
    expect(completed).toMatchObject({ status: 'completed', decision: { outcome: 'approve' }, payeeAmountMinor: 1_250, payeeCurrency: 'EUR' });
    expect((completed['history'] as Json[]).map((entry) => entry['status'])).toEqual(['pending', 'screening', 'reserved', 'completed']);

    // The balances are the wallet's projection of the ledger's events (outbox → relay → broker → inbox).
    const balanceOf = async (walletId: string) => ((await call('wallet', 'GET', `/wallets/${walletId}`)).json['balance'] as Json | undefined) ?? {};
    await until('the projected balances', async () => ((await balanceOf(payerId))['postedMinor'] === 3_750 && (await balanceOf(payeeId))['postedMinor'] === 1_250 ? true : undefined));
    expect(await balanceOf(payerId)).toEqual({ postedMinor: 3_750, pendingMinor: 0, availableMinor: 3_750 });
    expect(await balanceOf(payeeId)).toEqual({ postedMinor: 1_250, pendingMinor: 0, availableMinor: 1_250 });
    for (const opened of [payer, payee]) {
      const account = (await call('ledger', 'GET', `/accounts/${String(opened['ledgerAccountId'])}`)).json;
      expect(account['balanceMinor']).toBe((await balanceOf(String(opened['id'])))['postedMinor']);
      expect(account['pendingDebitsMinor']).toBe(0);
    }
    const trial = (await call('ledger', 'GET', '/trial-balance')).json['currencies'] as Json[];
    for (const row of trial) expect(row['debitsMinor'], String(row['currency'])).toBe(row['creditsMinor']);
    expect(trial.map((row) => row['currency'])).toContain('EUR');
  });
});
