import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A JSON HTTP stub on a free port; `down` makes it answer 503 to everything. */
export interface Stub {
  url: string;
  down: boolean;
  calls: Array<{ method: string; path: string; body: unknown }>;
  close(): Promise<void>;
}

type Handler = (method: string, path: string, body: unknown) => { status: number; body: unknown };

async function startStub(handler: Handler): Promise<Stub> {
  const stub: Stub = { url: '', down: false, calls: [], close: async () => undefined };
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      const body = text ? (JSON.parse(text) as unknown) : undefined;
      const path = request.url ?? '/';
      stub.calls.push({ method: request.method ?? 'GET', path, body });
      const answer = stub.down ? { status: 503, body: { error: 'unavailable', message: 'stub is down' } } : handler(request.method ?? 'GET', path, body);
      response.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  stub.close = () => new Promise((resolve) => server.close(() => resolve()));
  return stub;
}

/** profile's `GET /customers/:id` (ISSUE-10.md): 200 with the customer, or 404 `customer_not_found`. */
export async function startProfileStub(customers: Map<string, { status: string; country: string }>): Promise<Stub> {
  return await startStub((method, path) => {
    const id = /^\/customers\/([^/]+)$/.exec(path)?.[1];
    const customer = id ? customers.get(id) : undefined;
    if (method !== 'GET' || !id) return { status: 404, body: { error: 'not_found', message: path } };
    if (!customer) return { status: 404, body: { error: 'customer_not_found', message: `no customer ${id}` } };
    return { status: 200, body: { id, displayName: 'Ada', email: `${id}@example.com`, ...customer, createdAt: new Date().toISOString() } };
  });
}

interface StubAccount {
  id: string;
  code: string;
  currency: string;
  type: string;
  allowNegative: boolean;
}

interface StubTransfer {
  id: string;
  entries: Array<{ accountId: string; direction: string; amountMinor: number }>;
  status: string;
  reference?: string;
  createdAt: string;
}

/** The ledger's `POST /accounts` and `POST /transfers` as ISSUE-10.md has them: idempotent by code / id and body. */
export async function startLedgerStub(): Promise<Stub & { accounts: Map<string, StubAccount>; transfers: Map<string, StubTransfer & { body: string }> }> {
  const accounts = new Map<string, StubAccount>();
  const transfers = new Map<string, StubTransfer & { body: string }>();
  const stub = await startStub((method, path, raw) => {
    if (method === 'POST' && path === '/accounts') {
      const body = raw as { code: string; currency: string; type: string; allowNegative?: boolean };
      const request = { code: body.code, currency: body.currency, type: body.type, allowNegative: body.allowNegative ?? false };
      const existing = accounts.get(body.code);
      if (existing) {
        const same = existing.currency === request.currency && existing.type === request.type && existing.allowNegative === request.allowNegative;
        return same ? { status: 200, body: existing } : { status: 409, body: { error: 'account_exists', message: body.code } };
      }
      const account = { id: randomUUID(), ...request };
      accounts.set(body.code, account);
      return { status: 201, body: account };
    }
    if (method === 'POST' && path === '/transfers') {
      const body = raw as { id: string; entries: StubTransfer['entries']; pending?: boolean; reference?: string };
      const text = JSON.stringify(body);
      const existing = transfers.get(body.id);
      if (existing) return existing.body === text ? { status: 200, body: existing } : { status: 409, body: { error: 'transfer_exists', message: body.id } };
      const known = new Set([...accounts.values()].map((account) => account.id));
      if (body.entries.some((entry) => !known.has(entry.accountId))) return { status: 404, body: { error: 'account_not_found', message: 'unknown account' } };
      const transfer = { id: body.id, entries: body.entries, status: body.pending ? 'pending' : 'posted', ...(body.reference ? { reference: body.reference } : {}), createdAt: new Date().toISOString(), body: text };
      transfers.set(body.id, transfer);
      return { status: 201, body: transfer };
    }
    return { status: 404, body: { error: 'not_found', message: path } };
  });
  return Object.assign(stub, { accounts, transfers });
}
