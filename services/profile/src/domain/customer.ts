import { randomUUID } from 'node:crypto';
import { HttpError } from '@innover/kit';

export const customerStatuses = ['active', 'blocked'] as const;
export type CustomerStatus = (typeof customerStatuses)[number];

/** A customer as the HTTP contract shows it. */
export interface Customer {
  id: string;
  displayName: string;
  email: string;
  /** ISO 3166-1 alpha-2 (countries.ts). */
  country: string;
  status: CustomerStatus;
  createdAt: string;
}

export interface NewCustomer {
  id: string;
  displayName: string;
  email: string;
  /** The email's uniqueness key: one customer per address, whatever its case. */
  emailKey: string;
  country: string;
  status: CustomerStatus;
}

/** The customers' store (data-access/customers.ts); a port, so the use cases need no database. */
export interface CustomerStore {
  /** Undefined when the email key is taken (the unique index decides, so concurrent creates race safely). */
  insert(customer: NewCustomer): Promise<Customer | undefined>;
  find(id: string): Promise<Customer | undefined>;
  /** The customers of `ids` that exist, in any order. */
  findMany(ids: readonly string[]): Promise<Customer[]>;
  /** Undefined when there is no such customer. */
  updateStatus(id: string, status: CustomerStatus): Promise<Customer | undefined>;
}

/** Lower-case, so `Ada@Example.com` and `ada@example.com` are one address. */
export function emailKey(email: string): string {
  return email.trim().toLowerCase();
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function notFound(id: string): HttpError {
  return new HttpError(404, 'customer_not_found', `no customer ${id}`);
}

/** POST /customers: a new customer is active. */
export async function createCustomer(store: CustomerStore, input: { displayName: string; email: string; country: string }): Promise<Customer> {
  const email = input.email.trim();
  const created = await store.insert({ id: randomUUID(), displayName: input.displayName, email, emailKey: emailKey(email), country: input.country, status: 'active' });
  if (!created) throw new HttpError(409, 'email_taken', `email: a customer with ${email} exists; use another address`);
  return created;
}

/** GET /customers/:id; an id that is not a UUID names no customer either. */
export async function getCustomer(store: CustomerStore, id: string): Promise<Customer> {
  const customer = uuidPattern.test(id) ? await store.find(id) : undefined;
  if (!customer) throw notFound(id);
  return customer;
}

/** The most ids one `GET /customers?ids=` takes: a list's page size. */
export const maxCustomersPerRead = 200;

/**
 * GET /customers?ids=: the customers of `ids` that exist, in the order asked, each once; an unknown id is left
 * out. One read for a caller that needs several customers at once (the payment saga: payer and payee).
 */
export async function getCustomers(store: CustomerStore, ids: readonly string[]): Promise<Customer[]> {
  const wanted = [...new Set(ids.map((id) => id.toLowerCase()))];
  const found = new Map((await store.findMany(wanted)).map((customer) => [customer.id, customer]));
  return wanted.flatMap((id) => found.get(id) ?? []);
}

/** PATCH /customers/:id: blocks or unblocks a customer (the payment saga rejects payments of a blocked one). */
export async function setCustomerStatus(store: CustomerStore, id: string, status: CustomerStatus): Promise<Customer> {
  const customer = uuidPattern.test(id) ? await store.updateStatus(id, status) : undefined;
  if (!customer) throw notFound(id);
  return customer;
}
