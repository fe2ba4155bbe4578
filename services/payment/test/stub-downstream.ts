/**
 * One in-test HTTP server playing the five services the payment service calls, each the subset of its
 * issue-10 contract the payment service uses: wallet (GET /wallets/:id), profile (GET /customers?ids=),
 * rule-engine (POST /evaluations), forex (POST /quotes, POST /quotes/:id/use) and a two-phase ledger
 * (POST /accounts, POST /transfers, POST /transfers/:id/{post,void}, GET /transfers/:id).
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface StubTransfer {
  id: string;
  status: 'pending' | 'posted' | 'voided' | 'expired';
  entries: Array<{ accountId: string; direction: 'debit' | 'credit'; amountMinor: number }>;
  body: string;
  expiresAt: number;
  reference: string;
  createdAt: string;
}

interface Hold {
  arrive: () => void;
  released: Promise<void>;
}

export interface StubDownstream {
  url: string;
  wallets: Map<string, { id: string; customerId: string; currency: string; ledgerAccountId: string }>;
  customers: Map<string, { status: 'active' | 'blocked'; country: string }>;
  /** Posted credits − posted debits of each liability account (wallet accounts; the rest may go negative). */
  balances: Map<string, number>;
  transfers: Map<string, StubTransfer>;
  /** Posts per transfer id: a second post that moves money again would show as 2. */
  postings: Map<string, number>;
  rules: { maxAmountMinor: number; evaluations: Map<string, unknown> };
  forex: { expireQuotes: boolean; quotes: Map<string, { id: string; buyAmountMinor: number; usedBy?: string; key?: string }> };
  /** Holds the next GET of a wallet until `release` (keeps a POST /payments in flight); `arrived` once it is held. */
  holdWallet(walletId: string): { arrived: Promise<void>; release: () => void };
  /** Adds a customer and its wallet with an opening balance. */
  addWallet(currency: string, balanceMinor: number, customer?: { status?: 'active' | 'blocked'; country?: string }): { walletId: string; customerId: string; accountId: string };
  close(): Promise<void>;
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as unknown) : undefined;
}

export async function startStubDownstream(): Promise<StubDownstream> {
  const holds = new Map<string, Hold>();
  const stub: Omit<StubDownstream, 'url' | 'close' | 'addWallet' | 'holdWallet'> = {
    wallets: new Map(),
    customers: new Map(),
    balances: new Map(),
    transfers: new Map(),
    postings: new Map(),
    rules: { maxAmountMinor: 1_000_000, evaluations: new Map() },
    forex: { expireQuotes: false, quotes: new Map() },
  };
  const accountCodes = new Map<string, string>();
  const pendingDebits = (accountId: string) =>
    [...stub.transfers.values()].filter((transfer) => transfer.status === 'pending' && transfer.expiresAt > Date.now()).reduce((sum, transfer) => sum + transfer.entries.filter((entry) => entry.accountId === accountId && entry.direction === 'debit').reduce((inner, entry) => inner + entry.amountMinor, 0), 0);
  const expire = (transfer: StubTransfer) => {
    if (transfer.status === 'pending' && transfer.expiresAt <= Date.now()) transfer.status = 'expired';
  };
  const view = (transfer: StubTransfer) => ({ id: transfer.id, status: transfer.status, entries: transfer.entries, reference: transfer.reference, createdAt: transfer.createdAt, expiresAt: new Date(transfer.expiresAt).toISOString() });

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    const error = (status: number, code: string) => send(status, { error: code, message: code });
    const url = new URL(request.url ?? '/', 'http://stub');
    const parts = url.pathname.split('/').filter(Boolean);
    const body = (await readJson(request)) as Record<string, unknown> | undefined;
    const method = request.method ?? 'GET';

    if (method === 'GET' && parts[0] === 'wallets' && parts.length === 2) {
      const wallet = stub.wallets.get(parts[1] ?? '');
      const hold = holds.get(parts[1] ?? '');
      if (hold) {
        holds.delete(parts[1] ?? '');
        hold.arrive();
        await hold.released;
      }
      return wallet ? send(200, { ...wallet, balance: { postedMinor: stub.balances.get(wallet.ledgerAccountId) ?? 0, pendingMinor: 0, availableMinor: 0 } }) : error(404, 'wallet_not_found');
    }
    if (method === 'GET' && url.pathname === '/customers') {
      const ids = (url.searchParams.get('ids') ?? '').split(',');
      const items = ids.flatMap((id) => {
        const customer = stub.customers.get(id);
        return customer ? [{ id, displayName: 'x', email: 'x@example.com', createdAt: new Date().toISOString(), ...customer }] : [];
      });
      return send(200, { items, nextCursor: null });
    }
    if (method === 'POST' && url.pathname === '/evaluations') {
      const paymentId = String(body?.['paymentId']);
      let decision = stub.rules.evaluations.get(paymentId);
      if (!decision) {
        const reject = Number(body?.['amountMinor']) > stub.rules.maxAmountMinor;
        decision = { decision: reject ? 'reject' : 'approve', reasons: reject ? [{ rule: 'max_amount', message: `amount above ${stub.rules.maxAmountMinor}` }] : [], ruleSetVersion: 4 };
        stub.rules.evaluations.set(paymentId, decision);
      }
      return send(200, decision);
    }
    if (method === 'POST' && url.pathname === '/quotes') {
      const key = request.headers['idempotency-key'] as string | undefined;
      let quote = key ? [...stub.forex.quotes.values()].find((candidate) => candidate.key === key) : undefined;
      if (!quote) {
        quote = { id: randomUUID(), buyAmountMinor: Math.round(Number(body?.['sellAmountMinor']) * 1.08), ...(key ? { key } : {}) };
        stub.forex.quotes.set(quote.id, quote);
      }
      return send(201, { id: quote.id, sellCurrency: body?.['sellCurrency'], buyCurrency: body?.['buyCurrency'], sellAmountMinor: body?.['sellAmountMinor'], buyAmountMinor: quote.buyAmountMinor, rate: '1.0800', expiresAt: new Date(Date.now() + 60_000).toISOString() });
    }
    if (method === 'POST' && parts[0] === 'quotes' && parts[2] === 'use') {
      const quote = stub.forex.quotes.get(parts[1] ?? '');
      if (!quote) return error(404, 'quote_not_found');
      if (stub.forex.expireQuotes) return error(409, 'quote_expired');
      if (quote.usedBy && quote.usedBy !== body?.['paymentId']) return error(409, 'quote_used');
      quote.usedBy = String(body?.['paymentId']);
      return send(200, { id: quote.id, usedBy: quote.usedBy });
    }
    if (method === 'POST' && url.pathname === '/accounts') {
      const code = String(body?.['code']);
      let id = accountCodes.get(code);
      const created = !id;
      id ??= randomUUID();
      accountCodes.set(code, id);
      return send(created ? 201 : 200, { id, ...body });
    }
    if (method === 'POST' && url.pathname === '/transfers') {
      const id = String(body?.['id']);
      const canonical = JSON.stringify(body);
      const existing = stub.transfers.get(id);
      if (existing) {
        expire(existing);
        return existing.body === canonical ? send(200, view(existing)) : error(409, 'transfer_exists');
      }
      const entries = body?.['entries'] as StubTransfer['entries'];
      for (const entry of entries) {
        if (entry.direction !== 'debit' || !stub.balances.has(entry.accountId)) continue;
        if ((stub.balances.get(entry.accountId) ?? 0) - pendingDebits(entry.accountId) < entry.amountMinor) return error(409, 'insufficient_funds');
      }
      const transfer: StubTransfer = { id, status: 'pending', entries, body: canonical, expiresAt: Date.now() + Number(body?.['timeoutSeconds'] ?? 300) * 1_000, reference: String(body?.['reference'] ?? ''), createdAt: new Date().toISOString() };
      stub.transfers.set(id, transfer);
      return send(201, view(transfer));
    }
    if (parts[0] === 'transfers' && parts.length >= 2) {
      const transfer = stub.transfers.get(parts[1] ?? '');
      if (!transfer) return error(404, 'transfer_not_found');
      expire(transfer);
      if (method === 'GET' && parts.length === 2) return send(200, view(transfer));
      const action = parts[2];
      if (method === 'POST' && (action === 'post' || action === 'void')) {
        const target = action === 'post' ? 'posted' : 'voided';
        if (transfer.status === target) return send(200, view(transfer));
        if (transfer.status === 'expired') return error(409, 'transfer_expired');
        if (transfer.status !== 'pending') return error(409, 'transfer_already_resolved');
        transfer.status = target;
        if (target === 'posted') {
          stub.postings.set(transfer.id, (stub.postings.get(transfer.id) ?? 0) + 1);
          for (const entry of transfer.entries) if (stub.balances.has(entry.accountId)) stub.balances.set(entry.accountId, (stub.balances.get(entry.accountId) ?? 0) + (entry.direction === 'credit' ? entry.amountMinor : -entry.amountMinor));
        }
        return send(200, view(transfer));
      }
    }
    return error(404, 'not_found');
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((failure: unknown) => {
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: 'internal', message: String(failure) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    ...stub,
    url: `http://127.0.0.1:${port}`,
    addWallet(currency, balanceMinor, customer = {}) {
      const customerId = randomUUID();
      const walletId = randomUUID();
      const accountId = randomUUID();
      stub.customers.set(customerId, { status: customer.status ?? 'active', country: customer.country ?? 'DE' });
      stub.wallets.set(walletId, { id: walletId, customerId, currency, ledgerAccountId: accountId });
      stub.balances.set(accountId, balanceMinor);
      return { walletId, customerId, accountId };
    },
    holdWallet(walletId) {
      let arrive: () => void = () => undefined;
      let release: () => void = () => undefined;
      const arrived = new Promise<void>((resolve) => (arrive = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      holds.set(walletId, { arrive, released });
      return { arrived, release };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
