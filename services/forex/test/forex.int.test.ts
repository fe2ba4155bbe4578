import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres } from '../../../test/support/peers.js';
import type { PostgresPeer } from '../../../test/support/peers.js';
import { forexService } from '../src/service.js';
import { startServiceApp } from '../../../test/support/service-app.js';
import type { ServiceApp } from '../../../test/support/service-app.js';

// The forex contract of issue 10 through HTTP, over real PostgreSQL.
let postgres: PostgresPeer;
let app: ServiceApp;

beforeAll(async () => {
  postgres = await startPostgres();
  app = await startServiceApp('forex', forexService(() => ({ quoteTtlSeconds: 60 })), await postgres.createDatabase('forex'));
});

afterAll(async () => {
  await app?.close();
  await postgres?.stop();
});

const currencies = ['EUR', 'GBP', 'JPY', 'USD'];

async function quote(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return await app.call('POST', '/quotes', body, headers);
}

describe('forex: rates', () => {
  it('GET /rates lists the seeded defaults: both directions between EUR, USD, GBP and JPY, as decimal strings', async () => {
    const listed = await app.call('GET', '/rates');
    expect(listed.status).toBe(200);
    const items = listed.json['items'] as Array<{ pair: string; rate: string; updatedAt: string }>;
    expect(listed.json['nextCursor']).toBeNull();
    const expected = currencies.flatMap((base) => currencies.filter((other) => other !== base).map((other) => `${base}-${other}`)).sort();
    expect(items.map((item) => item.pair)).toEqual(expected);
    expect(items.find((item) => item.pair === 'EUR-USD')).toEqual({ pair: 'EUR-USD', rate: '1.0800', updatedAt: expect.any(String) });
    expect(items.find((item) => item.pair === 'JPY-GBP')?.rate).toBe('0.00524691');
    for (const item of items) expect(typeof item.rate).toBe('string');
  });

  it('pages with limit and an opaque cursor; a bad limit or cursor is a 400', async () => {
    const first = await app.call('GET', '/rates?limit=5');
    expect((first.json['items'] as unknown[]).length).toBe(5);
    const second = await app.call('GET', `/rates?limit=200&cursor=${String(first.json['nextCursor'])}`);
    expect((second.json['items'] as Array<{ pair: string }>)[0]?.pair).toBe('GBP-USD');
    expect((await app.call('GET', '/rates?limit=100000')).status).toBe(200);
    expect((await app.call('GET', '/rates?limit=0')).json).toMatchObject({ error: 'invalid_request', issues: [{ path: 'limit' }] });
    expect((await app.call('GET', '/rates?limit=ten')).json).toMatchObject({ error: 'invalid_request', issues: [{ path: 'limit' }] });
    expect((await app.call('GET', '/rates?cursor=garbage')).json).toMatchObject({ error: 'invalid_request', issues: [{ path: 'cursor' }] });
  });

  it('PUT /rates/:pair sets one direction only; the rate must be a positive decimal string', async () => {
    const set = await app.call('PUT', '/rates/USD-KWD', { rate: '0.3075' });
    expect(set).toMatchObject({ status: 200, json: { pair: 'USD-KWD', rate: '0.3075', updatedAt: expect.any(String) } });
    expect((await app.call('PUT', '/rates/EUR-USD', { rate: '1.1' })).json).toMatchObject({ pair: 'EUR-USD', rate: '1.1000' });
    const listed = (await app.call('GET', '/rates?limit=200')).json['items'] as Array<{ pair: string; rate: string }>;
    expect(listed.find((item) => item.pair === 'USD-EUR')?.rate).toBe('0.925926');
    expect(listed.find((item) => item.pair === 'KWD-USD')).toBeUndefined();
    for (const rate of [1.08, '0', '-1', '1e3', 'abc', '1.123456789']) {
      expect((await app.call('PUT', '/rates/EUR-USD', { rate })).json, String(rate)).toMatchObject({ error: 'invalid_request', issues: [{ path: 'rate' }] });
    }
    for (const pair of ['EURUSD', 'EUR-EUR', 'EUR-XYZ', 'eur-usd']) {
      expect((await app.call('PUT', `/rates/${pair}`, { rate: '1.0' })).json, pair).toMatchObject({ error: 'invalid_request', issues: [{ path: 'pair' }] });
    }
    await app.call('PUT', '/rates/EUR-USD', { rate: '1.0800' });
  });
});

describe('forex: quotes', () => {
  it('POST /quotes prices at the current rate, rounded half-even at the buy currency exponent', async () => {
    const eurUsd = await quote({ sellCurrency: 'EUR', buyCurrency: 'USD', sellAmountMinor: 10_000 });
    expect(eurUsd.status).toBe(201);
    expect(eurUsd.json).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), sellCurrency: 'EUR', buyCurrency: 'USD', sellAmountMinor: 10_000, buyAmountMinor: 10_800, rate: '1.0800', expiresAt: expect.any(String) });
    const ttl = Date.parse(String(eurUsd.json['expiresAt'])) - Date.now();
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(61_000);
    // 3 cents at 150 JPY per USD: 4.5 yen, a tie, to the even 4.
    expect((await quote({ sellCurrency: 'USD', buyCurrency: 'JPY', sellAmountMinor: 3 })).json).toMatchObject({ buyAmountMinor: 4, rate: '150.0000' });
    // 1 USD at 0.3075 KWD: 307.5 fils, a tie, to the even 308.
    expect((await quote({ sellCurrency: 'USD', buyCurrency: 'KWD', sellAmountMinor: 100 })).json).toMatchObject({ buyAmountMinor: 308 });
    // 1000 yen at 0.00617284 EUR: 617.284 cents.
    expect((await quote({ sellCurrency: 'JPY', buyCurrency: 'EUR', sellAmountMinor: 1000 })).json).toMatchObject({ buyAmountMinor: 617 });
  });

  it('an unknown pair is 422 rate_not_found; an amount that buys nothing or too much is 422; a bad body 400', async () => {
    expect(await quote({ sellCurrency: 'KWD', buyCurrency: 'USD', sellAmountMinor: 100 })).toMatchObject({ status: 422, json: { error: 'rate_not_found' } });
    expect(await quote({ sellCurrency: 'XYZ', buyCurrency: 'USD', sellAmountMinor: 100 })).toMatchObject({ status: 422, json: { error: 'rate_not_found' } });
    // 1 centime at 0.4 yen per franc: 0.004 yen.
    await app.call('PUT', '/rates/CHF-JPY', { rate: '0.4' });
    expect(await quote({ sellCurrency: 'CHF', buyCurrency: 'JPY', sellAmountMinor: 1 })).toMatchObject({ status: 422, json: { error: 'amount_too_small' } });
    await app.call('PUT', '/rates/EUR-KWD', { rate: '9999999999' });
    expect(await quote({ sellCurrency: 'EUR', buyCurrency: 'KWD', sellAmountMinor: 1_000_000_000 })).toMatchObject({ status: 422, json: { error: 'amount_too_large' } });
    expect((await quote({ sellCurrency: 'EUR', buyCurrency: 'EUR', sellAmountMinor: 1 })).json).toMatchObject({ error: 'invalid_request', issues: [{ path: 'buyCurrency' }] });
    expect((await quote({ sellCurrency: 'EUR', buyCurrency: 'USD', sellAmountMinor: 1.5 })).json).toMatchObject({ error: 'invalid_request', issues: [{ path: 'sellAmountMinor' }] });
  });

  it('an Idempotency-Key replays the first quote; without one every request is a new quote', async () => {
    const key = randomUUID();
    const body = { sellCurrency: 'GBP', buyCurrency: 'EUR', sellAmountMinor: 2_500 };
    const first = await quote(body, { 'Idempotency-Key': key });
    const again = await quote(body, { 'Idempotency-Key': key });
    expect(first.status).toBe(201);
    expect(again).toMatchObject({ status: 201, json: first.json });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await quote({ ...body, sellAmountMinor: 2_501 }, { 'Idempotency-Key': key })).toMatchObject({ status: 422, json: { error: 'idempotency_key_reused' } });
    expect(await quote(body, { 'Idempotency-Key': 'k'.repeat(256) })).toMatchObject({ status: 400, json: { error: 'idempotency_key_required' } });
    const [one, two] = [await quote(body), await quote(body)];
    expect(one.json['id']).not.toBe(two.json['id']);
    expect(two.headers.get('idempotent-replayed')).toBeNull();
  });

  it('POST /quotes/:id/use: once per payment, repeatable by it; another payment is quote_used', async () => {
    const created = await quote({ sellCurrency: 'EUR', buyCurrency: 'GBP', sellAmountMinor: 1_000 });
    const id = String(created.json['id']);
    const paymentId = randomUUID();
    const used = await app.call('POST', `/quotes/${id}/use`, { paymentId });
    expect(used).toMatchObject({ status: 200, json: { ...created.json, paymentId, usedAt: expect.any(String) } });
    expect(await app.call('POST', `/quotes/${id}/use`, { paymentId })).toMatchObject({ status: 200, json: used.json });
    expect(await app.call('POST', `/quotes/${id}/use`, { paymentId: randomUUID() })).toMatchObject({ status: 409, json: { error: 'quote_used' } });
  });

  it('concurrent uses by different payments: exactly one wins', async () => {
    const id = String((await quote({ sellCurrency: 'USD', buyCurrency: 'EUR', sellAmountMinor: 1_000 })).json['id']);
    const answers = await Promise.all(Array.from({ length: 8 }, () => app.call('POST', `/quotes/${id}/use`, { paymentId: randomUUID() })));
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409, 409, 409, 409, 409, 409, 409]);
  });

  it('after expiry an unused quote is quote_expired; one used before expiry still answers its payment', async () => {
    const expiring = String((await quote({ sellCurrency: 'EUR', buyCurrency: 'JPY', sellAmountMinor: 100 })).json['id']);
    const usedThenExpired = String((await quote({ sellCurrency: 'EUR', buyCurrency: 'JPY', sellAmountMinor: 100 })).json['id']);
    const paymentId = randomUUID();
    expect((await app.call('POST', `/quotes/${usedThenExpired}/use`, { paymentId })).status).toBe(200);
    // Expiry is judged by the database's clock: move the quotes' expiry into the past instead of waiting.
    await app.database.query("UPDATE quotes SET expires_at = now() - INTERVAL '1 second' WHERE id IN ($1, $2)", [expiring, usedThenExpired]);
    expect(await app.call('POST', `/quotes/${expiring}/use`, { paymentId: randomUUID() })).toMatchObject({ status: 409, json: { error: 'quote_expired' } });
    expect(await app.call('POST', `/quotes/${usedThenExpired}/use`, { paymentId })).toMatchObject({ status: 200, json: { paymentId } });
    expect(await app.call('POST', `/quotes/${usedThenExpired}/use`, { paymentId: randomUUID() })).toMatchObject({ status: 409, json: { error: 'quote_used' } });
  });

  it('an unknown or malformed quote id is 404 quote_not_found; the paymentId must be a UUID', async () => {
    for (const id of [randomUUID(), 'not-a-uuid']) expect(await app.call('POST', `/quotes/${id}/use`, { paymentId: randomUUID() })).toMatchObject({ status: 404, json: { error: 'quote_not_found' } });
    expect((await app.call('POST', `/quotes/${randomUUID()}/use`, { paymentId: 'p-1' })).json).toMatchObject({ error: 'invalid_request', issues: [{ path: 'paymentId' }] });
  });

  it('the sample routes are gone', async () => {
    expect((await app.call('GET', '/rates/EUR/USD')).status).toBe(404);
    expect((await app.call('POST', '/conversions', { amountMinor: 1000, from: 'EUR', to: 'USD' })).status).toBe(404);
  });
});
