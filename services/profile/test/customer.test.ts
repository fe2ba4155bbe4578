import { describe, expect, it } from 'vitest';
import { HttpError } from '@innover/kit';
import { countryCodes, isCountryCode } from '../src/domain/countries.js';
import { createCustomer, emailKey, getCustomer, getCustomers, setCustomerStatus } from '../src/domain/customer.js';
import type { Customer, CustomerStore, NewCustomer } from '../src/domain/customer.js';
import { createCustomerRequest, customersQuery, updateCustomerRequest } from '../src/entry-points/routes.js';

function memoryStore(): CustomerStore & { rows: Map<string, Customer & { emailKey: string }> } {
  const rows = new Map<string, Customer & { emailKey: string }>();
  return {
    rows,
    async insert(customer: NewCustomer) {
      if ([...rows.values()].some((row) => row.emailKey === customer.emailKey)) return undefined;
      const { emailKey: key, ...rest } = customer;
      const row = { ...rest, emailKey: key, createdAt: '2026-01-01T00:00:00.000Z' };
      rows.set(customer.id, row);
      return { id: row.id, displayName: row.displayName, email: row.email, country: row.country, status: row.status, createdAt: row.createdAt };
    },
    async find(id) {
      return rows.get(id);
    },
    async findMany(ids) {
      return [...rows.values()].filter((row) => ids.includes(row.id)).reverse();
    },
    async updateStatus(id, status) {
      const row = rows.get(id);
      if (row) row.status = status;
      return row;
    },
  };
}

async function rejection(promise: Promise<unknown>): Promise<HttpError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(HttpError);
  return error as HttpError;
}

describe('countries', () => {
  it('are the 249 assigned ISO 3166-1 alpha-2 codes, upper-case only', () => {
    expect(countryCodes.size).toBe(249);
    for (const code of ['DE', 'GB', 'US', 'JP', 'KP', 'AX', 'SS', 'BQ']) expect(isCountryCode(code), code).toBe(true);
    // CLDR region names exist for these, yet ISO 3166-1 assigns them to no country.
    for (const code of ['EU', 'UN', 'XK', 'QO', 'ZZ', 'UK', 'AN', 'YU', 'de', 'D', 'DEU']) expect(isCountryCode(code), code).toBe(false);
  });
});

describe('customer requests', () => {
  it('need a display name, an email and an assigned country code', () => {
    expect(createCustomerRequest.safeParse({ displayName: ' Ada ', email: 'ada@example.com', country: 'GB' })).toMatchObject({ success: true, data: { displayName: 'Ada' } });
    const paths = (body: unknown) => createCustomerRequest.safeParse(body).error?.issues.map((issue) => issue.path.join('.'));
    expect(paths({ displayName: '', email: 'ada@example.com', country: 'GB' })).toEqual(['displayName']);
    expect(paths({ displayName: 'Ada', email: 'not-an-email', country: 'GB' })).toEqual(['email']);
    expect(paths({ displayName: 'Ada', email: 'ada@example.com', country: 'gb' })).toEqual(['country']);
    expect(paths({ displayName: 'Ada', email: 'ada@example.com', country: 'XK' })).toEqual(['country']);
    expect(paths({ displayName: 'Ada', email: 'ada@example.com' })).toEqual(['country']);
    expect(paths({ displayName: 'Ada', email: 'ada@example.com', country: 'GB', status: 'blocked' })).toEqual(['']);
  });

  it('read several customers by ids: comma-separated or repeated, 1 to 200 UUIDs, nothing else', () => {
    const [a, b] = ['0b7e2f4c-8a51-4a4e-9f1c-3f5d2c1b0a99', '9c1d2e3f-4a5b-4c6d-8e7f-001122334455'];
    expect(customersQuery.safeParse({ ids: `${a},${b}` }).data).toEqual({ ids: [a, b] });
    expect(customersQuery.safeParse({ ids: [a, ` ${b}`] }).data).toEqual({ ids: [a, b] });
    const refusal = (query: unknown) => customersQuery.safeParse(query).error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    expect(refusal({})).toEqual(['ids: is required: 1 to 200 customer ids (UUIDs), comma-separated']);
    expect(refusal({ ids: '' })).toEqual(['ids.0: must be customer ids (UUIDs), comma-separated']);
    expect(refusal({ ids: `${a},nope` })).toEqual(['ids.1: must be customer ids (UUIDs), comma-separated']);
    expect(refusal({ ids: Array(201).fill(a).join(',') })).toEqual(['ids: must name at most 200 customer ids; split the read']);
    expect(refusal({ ids: a, limit: '5' })?.[0]).toMatch(/^: /);
  });

  it('change the status to active or blocked only', () => {
    expect(updateCustomerRequest.safeParse({ status: 'blocked' }).success).toBe(true);
    expect(updateCustomerRequest.safeParse({ status: 'active' }).success).toBe(true);
    expect(updateCustomerRequest.safeParse({ status: 'closed' }).success).toBe(false);
    expect(updateCustomerRequest.safeParse({}).success).toBe(false);
  });
});

describe('customer use cases', () => {
  it('create active customers, one per email whatever its case', async () => {
    const store = memoryStore();
    const ada = await createCustomer(store, { displayName: 'Ada', email: 'Ada@Example.com', country: 'GB' });
    expect(ada).toMatchObject({ displayName: 'Ada', email: 'Ada@Example.com', country: 'GB', status: 'active' });
    expect(emailKey(' Ada@Example.COM ')).toBe('ada@example.com');
    const taken = await rejection(createCustomer(store, { displayName: 'Other', email: 'ada@example.com', country: 'DE' }));
    expect({ status: taken.status, code: taken.code }).toEqual({ status: 409, code: 'email_taken' });
  });

  it('read several customers at once: in the order asked, each once, an unknown id left out', async () => {
    const store = memoryStore();
    const ada = await createCustomer(store, { displayName: 'Ada', email: 'ada@example.com', country: 'GB' });
    const bob = await createCustomer(store, { displayName: 'Bob', email: 'bob@example.com', country: 'DE' });
    const unknown = '9c1d2e3f-4a5b-4c6d-8e7f-001122334455';
    expect((await getCustomers(store, [ada.id, unknown, bob.id.toUpperCase(), ada.id])).map((customer) => customer.displayName)).toEqual(['Ada', 'Bob']);
    expect(await getCustomers(store, [unknown])).toEqual([]);
  });

  it('read and block a customer; an unknown or malformed id is customer_not_found', async () => {
    const store = memoryStore();
    const ada = await createCustomer(store, { displayName: 'Ada', email: 'ada@example.com', country: 'GB' });
    expect(await getCustomer(store, ada.id)).toMatchObject({ id: ada.id });
    expect(await setCustomerStatus(store, ada.id, 'blocked')).toMatchObject({ status: 'blocked' });
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      expect((await rejection(getCustomer(store, id))).code).toBe('customer_not_found');
      expect((await rejection(setCustomerStatus(store, id, 'active'))).status).toBe(404);
    }
  });
});
