/**
 * The ports of domain/ports.ts over the other services' HTTP contracts (issue 10), through the kit's
 * ServiceClient. Contract answers become return values; anything else (ServiceUnavailableError, an
 * unexpected status) is thrown, and the saga retries it.
 */
import { ServiceCallError } from '@innover/kit';
import type { ServiceClient } from '@innover/kit';
import type { Decision } from '../domain/payment.ts';
import type { Customers, Forex, Ledger, Quote, Rules, TransferStatus, Wallet, Wallets } from '../domain/ports.ts';

/** Undefined for the one expected `{status, code}` answer, rethrows anything else. */
function expected<T extends string>(error: unknown, status: number, codes: readonly T[]): T | undefined {
  if (error instanceof ServiceCallError && error.status === status && (codes as readonly string[]).includes(error.code)) return error.code as T;
  throw error;
}

const segment = (id: string) => encodeURIComponent(id);

/** How many wallets `walletsOver` remembers (about 200 bytes each); the oldest goes first. */
export const walletCacheSize = 10_000;

/**
 * GET /wallets/:id, remembering what it found: a wallet's id, customer, currency and ledger account never change
 * (the wallet contract has no update and no delete; a blocked customer is the profile's, checked by the saga), so
 * a payer or payee seen before costs no call. A 404 is not remembered: the wallet may be opened later.
 */
export function walletsOver(client: ServiceClient, options: { cacheSize?: number } = {}): Wallets {
  const cacheSize = options.cacheSize ?? walletCacheSize;
  const known = new Map<string, Wallet>();
  return {
    async get(walletId) {
      const cached = known.get(walletId);
      if (cached) return cached;
      try {
        const { body } = await client.request<{ id: string; customerId: string; currency: string; ledgerAccountId: string }>('GET', `/wallets/${segment(walletId)}`);
        const wallet = { id: body.id, customerId: body.customerId, currency: body.currency, ledgerAccountId: body.ledgerAccountId };
        if (known.size >= cacheSize) known.delete(known.keys().next().value ?? '');
        known.set(walletId, wallet);
        return wallet;
      } catch (error) {
        expected(error, 404, ['wallet_not_found']);
        return undefined;
      }
    },
  };
}

/** GET /customers?ids=: the payer and the payee in one call (the profile leaves out an id it does not know). */
export function customersOver(client: ServiceClient): Customers {
  return {
    async find(customerIds) {
      const { body } = await client.request<{ items: Array<{ id: string; status: 'active' | 'blocked'; country: string }> }>('GET', `/customers?ids=${customerIds.map(segment).join(',')}`);
      return new Map(body.items.map((customer) => [customer.id, { status: customer.status, country: customer.country }]));
    },
  };
}

export function rulesOver(client: ServiceClient): Rules {
  return {
    async evaluate(request) {
      const { body } = await client.request<{ decision: Decision['outcome']; reasons: Decision['reasons']; ruleSetVersion: number }>('POST', '/evaluations', { body: request });
      return { outcome: body.decision, reasons: body.reasons ?? [], ruleSetVersion: body.ruleSetVersion };
    },
  };
}

export function forexOver(client: ServiceClient): Forex {
  return {
    async quote({ idempotencyKey, ...request }) {
      const { body } = await client.request<Quote>('POST', '/quotes', { body: request, idempotencyKey });
      return body;
    },
    async useQuote(quoteId, paymentId) {
      try {
        await client.request('POST', `/quotes/${segment(quoteId)}/use`, { body: { paymentId } });
        return 'used';
      } catch (error) {
        return expected(error, 409, ['quote_used', 'quote_expired'] as const) ?? 'quote_used';
      }
    },
  };
}

export function ledgerOver(client: ServiceClient): Ledger {
  // Platform account ids never change once made: one POST /accounts per code and process.
  const accounts = new Map<string, Promise<{ id: string }>>();
  /** POST /transfers/:id/{post,void}: `done` on 200 (a repeat included), else the contract's 404/409 code. */
  const resolve = async (action: 'post' | 'void', transferId: string): Promise<'done' | 'transfer_expired' | 'transfer_already_resolved' | 'transfer_not_found'> => {
    try {
      await client.request('POST', `/transfers/${segment(transferId)}/${action}`);
      return 'done';
    } catch (error) {
      if (error instanceof ServiceCallError && error.status === 404) return expected(error, 404, ['transfer_not_found'] as const) ?? 'transfer_not_found';
      return expected(error, 409, ['transfer_expired', 'transfer_already_resolved'] as const) ?? 'transfer_already_resolved';
    }
  };
  return {
    ensureAccount(account) {
      let made = accounts.get(account.code);
      if (!made) {
        made = client.request<{ id: string }>('POST', '/accounts', { body: account }).then(({ body }) => ({ id: body.id }));
        made.catch(() => accounts.delete(account.code));
        accounts.set(account.code, made);
      }
      return made;
    },
    async createTransfer(transfer) {
      try {
        const { body } = await client.request<{ status: TransferStatus }>('POST', '/transfers', { body: transfer });
        return { status: body.status };
      } catch (error) {
        return expected(error, 409, ['insufficient_funds', 'transfer_exists'] as const) ?? 'transfer_exists';
      }
    },
    post: async (transferId) => {
      const outcome = await resolve('post', transferId);
      return outcome === 'done' ? 'posted' : outcome;
    },
    void: async (transferId) => {
      const outcome = await resolve('void', transferId);
      return outcome === 'done' ? 'voided' : outcome;
    },
    async getTransfer(transferId) {
      try {
        const { body } = await client.request<{ status: TransferStatus }>('GET', `/transfers/${segment(transferId)}`);
        return { status: body.status };
      } catch (error) {
        expected(error, 404, ['transfer_not_found']);
        return undefined;
      }
    },
  };
}
