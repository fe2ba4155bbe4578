/** In-memory fakes of the saga's ports: a store with compare-and-set, customers, rules, forex and a two-phase ledger. */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { Decision, Payment, PaymentStatus } from '../src/domain/payment.js';
import { canTransition } from '../src/domain/payment.js';
import type { Customer, Entry, TransferStatus } from '../src/domain/ports.js';
import type { SagaPorts } from '../src/domain/saga.js';

export class Unavailable extends Error {
  override name = 'ServiceUnavailableError';
}

interface FakeTransfer {
  id: string;
  status: TransferStatus;
  entries: Entry[];
  body: string;
  postings: number;
}

export class FakeWorld {
  payments = new Map<string, Payment>();
  history: Array<{ id: string; status: PaymentStatus }> = [];
  events: Array<{ id: string; from: PaymentStatus; to: PaymentStatus }> = [];
  /** Store writes (transitions and records): each is one database transaction in the real store. */
  writes = 0;
  customers = new Map<string, Customer>();
  decision: Decision = { outcome: 'approve', reasons: [], ruleSetVersion: 3 };
  evaluations = 0;
  quoteExpired = false;
  quotesMade = new Map<string, { id: string; usedBy?: string }>();
  /** Available balance of each payer account (debits above it are insufficient). */
  available = new Map<string, number>();
  transfers = new Map<string, FakeTransfer>();
  accounts = new Map<string, string>();
  /** A transfer's post answers transfer_expired (its timeout passed). */
  expireOnPost = false;
  /** Port method → how many next calls throw Unavailable. `afterEffect` throws after the effect happened (a lost answer). */
  failures = new Map<string, { times: number; afterEffect?: boolean }>();
  calls = new Map<string, number>();

  fail(method: string, times = Number.POSITIVE_INFINITY, afterEffect = false): void {
    this.failures.set(method, { times, afterEffect });
  }

  private async call<T>(method: string, effect: () => T | Promise<T>): Promise<T> {
    this.calls.set(method, (this.calls.get(method) ?? 0) + 1);
    const failure = this.failures.get(method);
    if (failure && failure.times > 0) {
      failure.times -= 1;
      if (failure.afterEffect) await effect();
      throw new Unavailable(`${method} unavailable`);
    }
    return await effect();
  }

  addPayment(overrides: Partial<Payment> = {}): Payment {
    const now = new Date();
    const payment: Payment = {
      id: randomUUID(),
      status: 'pending',
      payerWalletId: randomUUID(),
      payeeWalletId: randomUUID(),
      payerCustomerId: randomUUID(),
      payeeCustomerId: randomUUID(),
      payerAccountId: randomUUID(),
      payeeAccountId: randomUUID(),
      amountMinor: 1_000,
      currency: 'EUR',
      payeeAmountMinor: 1_000,
      payeeCurrency: 'EUR',
      createdAt: now,
      updatedAt: now,
      ...overrides,
    };
    this.payments.set(payment.id, payment);
    this.history.push({ id: payment.id, status: 'pending' });
    this.customers.set(payment.payerCustomerId, { status: 'active', country: 'DE' });
    this.customers.set(payment.payeeCustomerId, { status: 'active', country: 'FR' });
    this.available.set(payment.payerAccountId, 10_000);
    return payment;
  }

  /** Posted transfers in all (each counted once per posting, so a double post shows as 2). */
  postings(): number {
    return [...this.transfers.values()].reduce((sum, transfer) => sum + transfer.postings, 0);
  }

  pendingTransfers(): FakeTransfer[] {
    return [...this.transfers.values()].filter((transfer) => transfer.status === 'pending');
  }

  ports(): SagaPorts {
    return {
      store: {
        load: async (id) => {
          const payment = this.payments.get(id);
          return payment ? { ...payment } : undefined;
        },
        transition: async (current, to, changes = {}) => {
          const { id, status: from } = current;
          this.writes += 1;
          const payment = this.payments.get(id);
          if (!payment || payment.status !== from) return undefined;
          if (!canTransition(from, to)) throw new Error(`illegal ${from} → ${to}`);
          const next = { ...payment, ...changes, status: to, updatedAt: new Date() };
          this.payments.set(id, next);
          this.history.push({ id, status: to });
          this.events.push({ id, from, to });
          return { ...next };
        },
        record: async (current, changes) => {
          const { id, status } = current;
          this.writes += 1;
          const payment = this.payments.get(id);
          if (!payment || payment.status !== status) return undefined;
          const next = { ...payment, ...changes, updatedAt: new Date() };
          this.payments.set(id, next);
          return { ...next };
        },
      },
      customers: {
        find: (ids) => this.call('customers.find', () => new Map(ids.flatMap((id) => (this.customers.has(id) ? [[id, this.customers.get(id)!] as const] : [])))),
      },
      rules: {
        evaluate: (request) =>
          this.call('rules.evaluate', () => {
            expect(request.payerCountry).toMatch(/^[A-Z]{2}$/);
            this.evaluations += 1;
            return this.decision;
          }),
      },
      forex: {
        quote: (request) =>
          this.call('forex.quote', () => {
            let quote = this.quotesMade.get(request.idempotencyKey);
            if (!quote) {
              quote = { id: randomUUID() };
              this.quotesMade.set(request.idempotencyKey, quote);
            }
            return { id: quote.id, sellCurrency: request.sellCurrency, buyCurrency: request.buyCurrency, sellAmountMinor: request.sellAmountMinor, buyAmountMinor: Math.round(request.sellAmountMinor * 1.08), rate: '1.0800', expiresAt: new Date(Date.now() + 60_000).toISOString() };
          }),
        useQuote: (quoteId, paymentId) =>
          this.call('forex.useQuote', () => {
            if (this.quoteExpired) return 'quote_expired' as const;
            const quote = [...this.quotesMade.values()].find((candidate) => candidate.id === quoteId);
            if (!quote) throw new Error(`no quote ${quoteId}`);
            if (quote.usedBy && quote.usedBy !== paymentId) return 'quote_used' as const;
            quote.usedBy = paymentId;
            return 'used' as const;
          }),
      },
      ledger: {
        ensureAccount: (account) =>
          this.call('ledger.ensureAccount', () => {
            let id = this.accounts.get(account.code);
            if (!id) {
              id = randomUUID();
              this.accounts.set(account.code, id);
            }
            return { id };
          }),
        createTransfer: (transfer) =>
          this.call('ledger.createTransfer', () => {
            const body = JSON.stringify(transfer);
            const existing = this.transfers.get(transfer.id);
            if (existing) return existing.body === body ? { status: existing.status } : ('transfer_exists' as const);
            const debit = transfer.entries.find((entry) => entry.direction === 'debit');
            const available = this.available.get(debit?.accountId ?? '') ?? 0;
            if ((debit?.amountMinor ?? 0) > available) return 'insufficient_funds' as const;
            this.available.set(debit?.accountId ?? '', available - (debit?.amountMinor ?? 0));
            this.transfers.set(transfer.id, { id: transfer.id, status: 'pending', entries: transfer.entries, body, postings: 0 });
            return { status: 'pending' as const };
          }),
        post: (id) =>
          this.call('ledger.post', () => {
            const transfer = this.transfers.get(id);
            if (!transfer) return 'transfer_not_found' as const;
            if (this.expireOnPost && transfer.status === 'pending') transfer.status = 'expired';
            if (transfer.status === 'expired') return 'transfer_expired' as const;
            if (transfer.status === 'voided') return 'transfer_already_resolved' as const;
            if (transfer.status === 'pending') {
              transfer.status = 'posted';
              transfer.postings += 1;
            }
            return 'posted' as const;
          }),
        void: (id) =>
          this.call('ledger.void', () => {
            const transfer = this.transfers.get(id);
            if (!transfer) return 'transfer_not_found' as const;
            if (transfer.status === 'posted') return 'transfer_already_resolved' as const;
            if (transfer.status === 'expired') return 'transfer_expired' as const;
            transfer.status = 'voided';
            return 'voided' as const;
          }),
        getTransfer: (id) =>
          this.call('ledger.getTransfer', () => {
            const transfer = this.transfers.get(id);
            return transfer ? { status: transfer.status } : undefined;
          }),
      },
    };
  }
}
