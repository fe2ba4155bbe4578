/**
 * The HTTP adapters of the wallet's outbound ports, over the kit's ServiceClient (src/clients/service-client.ts
 * until it lands). A call the other service cannot answer now (connection, timeout, 502/503/504) is a 503
 * `service_unavailable` that is not stored under an idempotency key, so the client's retry resumes the request.
 */
import { HttpError } from '@innover/kit';
import type { CustomerDirectory, Ledger, LedgerAccount, LedgerTransfer, TransferRequest } from '../domain/ports.ts';
import { ServiceCallError, ServiceUnavailableError } from './service-client.ts';
import type { ServiceClient } from './service-client.ts';

/** Resolves the client per call, so a process without the peer's URL still starts (and its routes answer 503). */
export type ClientOf = () => ServiceClient;

async function call<T>(service: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ServiceUnavailableError) throw new HttpError(503, 'service_unavailable', `${service} is unavailable (${error.message}); retry the request`);
    throw error;
  }
}

/** An answer the contract does not allow for this call: a bug or a drifted peer, never the caller's fault (500). */
function unexpected(service: string, what: string, error: ServiceCallError): Error {
  return new Error(`${service} answered ${error.status} ${error.code} to ${what}: ${error.message}`);
}

/** profile: `GET /customers/:id` → the customer, or undefined for 404 `customer_not_found`. */
export function profileCustomers(client: ClientOf): CustomerDirectory {
  return {
    async get(customerId) {
      return await call('profile', async () => {
        try {
          const { body } = await client().request<{ id: string; status: string; country: string }>('GET', `/customers/${encodeURIComponent(customerId)}`);
          return { id: body.id, status: body.status, country: body.country };
        } catch (error) {
          if (error instanceof ServiceCallError && error.status === 404) return undefined;
          if (error instanceof ServiceCallError) throw unexpected('profile', `GET /customers/${customerId}`, error);
          throw error;
        }
      });
    },
  };
}

interface AccountBody {
  id: string;
  code: string;
  currency: string;
}

/** The settlement account's body: exactly as ISSUE-10.md has the ledger create it on first use. */
export function settlementAccountRequest(currency: string): { code: string; currency: string; type: 'asset'; allowNegative: true } {
  return { code: `settlement:${currency}`, currency, type: 'asset', allowNegative: true };
}

/**
 * ledger: accounts and transfers. `POST /accounts` is idempotent by code and body (201, then 200), and
 * `POST /transfers` by id and body, so every call here may be repeated after a crash. The settlement account's
 * id is remembered per currency for the life of the process.
 */
export function ledgerAccounts(client: ClientOf): Ledger {
  const settlements = new Map<string, Promise<LedgerAccount>>();
  const createAccount = async (body: { code: string; currency: string; type: string; allowNegative: boolean }): Promise<LedgerAccount> =>
    await call('ledger', async () => {
      try {
        const { body: account } = await client().request<AccountBody>('POST', '/accounts', { body });
        return { id: account.id, code: account.code, currency: account.currency };
      } catch (error) {
        if (error instanceof ServiceCallError) throw unexpected('ledger', `POST /accounts ${body.code}`, error);
        throw error;
      }
    });
  return {
    async openAccount({ code, currency }) {
      return await createAccount({ code, currency, type: 'liability', allowNegative: false });
    },
    async ensureSettlementAccount(currency) {
      let account = settlements.get(currency);
      if (!account) {
        account = createAccount(settlementAccountRequest(currency));
        settlements.set(currency, account);
        void account.catch(() => settlements.delete(currency));
      }
      return await account;
    },
    async createTransfer(request: TransferRequest): Promise<LedgerTransfer> {
      return await call('ledger', async () => {
        try {
          const { body } = await client().request<LedgerTransfer>('POST', '/transfers', { body: request });
          return { id: body.id, status: body.status };
        } catch (error) {
          if (error instanceof ServiceCallError) throw unexpected('ledger', `POST /transfers ${request.id}`, error);
          throw error;
        }
      });
    },
  };
}
