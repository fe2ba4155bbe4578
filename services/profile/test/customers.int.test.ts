import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres } from '../../../test/support/peers.js';
import type { PostgresPeer } from '../../../test/support/peers.js';
import { profile } from '../src/service.js';
import { startServiceApp } from '../../../test/support/service-app.js';
import type { ServiceApp } from '../../../test/support/service-app.js';

// The profile contract of issue 10 through HTTP, over real PostgreSQL.
let postgres: PostgresPeer;
let app: ServiceApp;

beforeAll(async () => {
  postgres = await startPostgres();
  app = await startServiceApp('profile', profile, await postgres.createDatabase('profile'));
});

afterAll(async () => {
  await app?.close();
  await postgres?.stop();
});

describe('profile: customers', () => {
  it('POST /customers creates an active customer; GET answers the same body', async () => {
    const created = await app.call('POST', '/customers', { displayName: 'Ada Lovelace', email: 'ada@example.com', country: 'GB' });
    expect(created.status).toBe(201);
    expect(created.json).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), displayName: 'Ada Lovelace', email: 'ada@example.com', country: 'GB', status: 'active', createdAt: expect.any(String) });
    expect(new Date(String(created.json['createdAt'])).toISOString()).toBe(created.json['createdAt']);
    const read = await app.call('GET', `/customers/${String(created.json['id'])}`);
    expect(read).toMatchObject({ status: 200, json: created.json });
  });

  it('an email already used, in any case, is 409 email_taken', async () => {
    expect((await app.call('POST', '/customers', { displayName: 'Grace', email: 'grace@example.com', country: 'US' })).status).toBe(201);
    const again = await app.call('POST', '/customers', { displayName: 'Grace H', email: 'GRACE@Example.com', country: 'US' });
    expect(again).toMatchObject({ status: 409, json: { error: 'email_taken', message: expect.stringContaining('email') } });
  });

  it('concurrent creates with one email: exactly one wins', async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, (_, index) => app.call('POST', '/customers', { displayName: `Racer ${index}`, email: index % 2 ? 'racer@example.com' : 'Racer@example.com', country: 'DE' })));
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    expect(answers.filter((answer) => answer.status === 409).every((answer) => answer.json['error'] === 'email_taken')).toBe(true);
  });

  it('a country that is not an assigned ISO 3166-1 alpha-2 code is a 400 naming the field', async () => {
    for (const country of ['XK', 'EU', 'de', 'DEU']) {
      const answer = await app.call('POST', '/customers', { displayName: 'Zed', email: `zed-${country}@example.com`, country });
      expect(answer.status, country).toBe(400);
      expect(answer.json).toMatchObject({ error: 'invalid_request', issues: [{ path: 'country', message: expect.any(String) }] });
    }
    expect((await app.call('POST', '/customers', { displayName: '', email: 'nope', country: 'GB' })).json).toMatchObject({ error: 'invalid_request', issues: [{ path: 'displayName' }, { path: 'email' }] });
  });

  it('PATCH /customers/:id blocks and unblocks', async () => {
    const created = await app.call('POST', '/customers', { displayName: 'Linus', email: 'linus@example.com', country: 'FI' });
    const id = String(created.json['id']);
    expect(await app.call('PATCH', `/customers/${id}`, { status: 'blocked' })).toMatchObject({ status: 200, json: { ...created.json, status: 'blocked' } });
    expect((await app.call('GET', `/customers/${id}`)).json['status']).toBe('blocked');
    expect(await app.call('PATCH', `/customers/${id}`, { status: 'active' })).toMatchObject({ status: 200, json: { status: 'active' } });
    expect((await app.call('PATCH', `/customers/${id}`, { status: 'closed' })).json).toMatchObject({ error: 'invalid_request', issues: [{ path: 'status' }] });
  });

  it('GET /customers?ids= reads several customers in one call: in the order asked, an unknown id left out', async () => {
    const ids: string[] = [];
    for (const name of ['Payer', 'Payee']) ids.push(String((await app.call('POST', '/customers', { displayName: name, email: `${name.toLowerCase()}-ids@example.com`, country: 'NL' })).json['id']));
    const [payer, payee] = ids as [string, string];
    await app.call('PATCH', `/customers/${payee}`, { status: 'blocked' });
    const unknown = '5b0f3c52-8f6e-4d7e-9a51-2f9d8c6b1a00';
    const read = await app.call('GET', `/customers?ids=${payee},${unknown},${payer}`);
    expect(read.status).toBe(200);
    expect(read.json).toEqual({ items: [await app.call('GET', `/customers/${payee}`).then((answer) => answer.json), (await app.call('GET', `/customers/${payer}`)).json], nextCursor: null });
    expect((read.json['items'] as Array<{ status: string }>).map((customer) => customer.status)).toEqual(['blocked', 'active']);
    expect((await app.call('GET', `/customers?ids=${unknown}`)).json).toEqual({ items: [], nextCursor: null });
    expect(await app.call('GET', '/customers')).toMatchObject({ status: 400, json: { error: 'invalid_request', issues: [{ path: 'ids', message: expect.stringContaining('required') }] } });
    expect(await app.call('GET', `/customers?ids=${payer},not-a-uuid`)).toMatchObject({ status: 400, json: { error: 'invalid_request', issues: [{ path: 'ids.1' }] } });
  });

  it('an unknown or malformed id is 404 customer_not_found', async () => {
    for (const id of ['5b0f3c52-8f6e-4d7e-9a51-2f9d8c6b1a00', 'not-a-uuid']) {
      expect(await app.call('GET', `/customers/${id}`)).toMatchObject({ status: 404, json: { error: 'customer_not_found' } });
      expect(await app.call('PATCH', `/customers/${id}`, { status: 'blocked' })).toMatchObject({ status: 404, json: { error: 'customer_not_found' } });
    }
  });

  it('the sample routes are gone', async () => {
    expect((await app.call('POST', '/profiles', { displayName: 'Ada', email: 'old@example.com' })).status).toBe(404);
  });
});
