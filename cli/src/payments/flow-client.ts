/**
 * A typed HTTP client of the reference payment flow's contract (README "Payment flow"), used by `innover smoke`'s
 * payment row, `innover load payments`, the integration scenarios and the bench. It reaches each service either
 * straight on its published port or through the WSO2 gateway (`--via gateway`, with a bearer token); the
 * transport is the only side effect, so tests point it at real processes or stand-ins.
 */
import { defaultHttpSend } from '@innover/kit/http-transport';
import { httpsRequest } from '../smoke/gateway-request.js';

export const flowServices = ['profile', 'payment', 'ledger', 'wallet', 'rule-engine', 'forex'] as const;
export type FlowService = (typeof flowServices)[number];

export interface FlowRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface FlowAnswer {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  text: string;
}

/** Sends one HTTP request; rejects only when no answer came (refused, reset, aborted). */
export interface FlowTransport {
  send(request: FlowRequest, signal: AbortSignal): Promise<FlowAnswer>;
}

/** Lower-case names, several values of one header joined. */
function flatHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  return headers;
}

/** Plain HTTP on the published ports, over the kit's keep-alive transport (node:http: the load generator's CPU is the stack's too). */
export const httpTransport: FlowTransport = {
  async send(request, signal) {
    const answer = await defaultHttpSend()(request.url, { method: request.method, headers: request.headers, ...(request.body === undefined ? {} : { body: request.body }), signal });
    return { status: answer.status, headers: flatHeaders(answer.headers), text: answer.text };
  },
};

/** HTTPS with the gateway's TLS rule (WSO2's self-signed certificate trusted on loopback only); plain HTTP as `httpTransport`. */
export const gatewayTransport: FlowTransport = {
  async send(request, signal) {
    if (!request.url.startsWith('https:')) return httpTransport.send(request, signal);
    const answer = await httpsRequest(request.url, { method: request.method, headers: request.headers, ...(request.body === undefined ? {} : { body: request.body }) }, signal);
    return { status: answer.status, headers: flatHeaders(answer.headers), text: answer.body };
  },
};

export interface FlowTarget {
  /** Base URL of a service's API, without a trailing slash (a published port, or the gateway plus the API context). */
  baseUrl(service: FlowService): string;
  /** The Authorization header value, when calls need a token (the gateway). */
  authorization?(): Promise<string | undefined>;
  transport?: FlowTransport;
  /** Per request; default 10 s. */
  timeoutMs?: number;
}

/** A definite non-2xx answer of a service: its `{error, message}` (or `http_<status>`). */
export class FlowCallError extends Error {
  override name = 'FlowCallError';
  constructor(
    readonly service: FlowService,
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly code: string,
    detail: string,
  ) {
    super(`${service} ${method} ${path} answered ${status} ${code}${detail ? `: ${detail}` : ''}`);
  }
}

export interface FlowResponse<T> {
  status: number;
  body: T;
  headers: Record<string, string>;
}

export type PaymentStatus = 'pending' | 'screening' | 'reserved' | 'completed' | 'rejected' | 'failed';
export const terminalStatuses: readonly PaymentStatus[] = ['completed', 'rejected', 'failed'];

export interface Customer {
  id: string;
  displayName: string;
  email: string;
  country: string;
  status: 'active' | 'blocked';
  createdAt: string;
}

export interface Wallet {
  id: string;
  customerId: string;
  currency: string;
  ledgerAccountId: string;
  createdAt: string;
}

export interface WalletBalance {
  postedMinor: number;
  pendingMinor: number;
  availableMinor: number;
}

export interface WalletView extends Omit<Wallet, 'createdAt'> {
  balance: WalletBalance;
}

export interface TopUp {
  id: string;
  walletId: string;
  amountMinor: number;
  currency: string;
  transferId: string;
  createdAt: string;
}

export interface NewPaymentBody {
  payerWalletId: string;
  payeeWalletId: string;
  amountMinor: number;
  currency: string;
  reference?: string;
}

export interface Payment {
  id: string;
  status: PaymentStatus;
  payerWalletId: string;
  payeeWalletId: string;
  amountMinor: number;
  currency: string;
  payeeAmountMinor: number | null;
  payeeCurrency: string;
  quoteId?: string;
  transferId?: string;
  decision?: { outcome: 'approve' | 'reject'; reasons: Array<{ rule: string; message: string }>; ruleSetVersion: number };
  reason?: { code: string; message: string };
  reference?: string;
  createdAt: string;
  history: Array<{ status: PaymentStatus; at: string }>;
}

export interface RuleSet {
  version: number;
  maxAmountMinor: Record<string, number>;
  velocity: { windowHours: number; maxCount: number; maxAmountMinor: Record<string, number> };
  blockedCountries: string[];
}

export interface Account {
  id: string;
  code: string;
  currency: string;
  type: string;
  allowNegative: boolean;
  postedDebitsMinor: number;
  postedCreditsMinor: number;
  pendingDebitsMinor: number;
  pendingCreditsMinor: number;
  balanceMinor: number;
}

export interface Transfer {
  id: string;
  status: 'pending' | 'posted' | 'voided' | 'expired';
  entries: Array<{ accountId: string; direction: 'debit' | 'credit'; amountMinor: number }>;
  reference?: string;
  createdAt: string;
  expiresAt?: string;
}

export interface TrialBalance {
  currencies: Array<{ currency: string; debitsMinor: number; creditsMinor: number }>;
}

export interface FlowClient {
  /** Any call of the contract; a non-2xx answer is returned, not thrown. */
  request<T>(service: FlowService, method: string, path: string, options?: { body?: unknown; idempotencyKey?: string; signal?: AbortSignal }): Promise<FlowResponse<T>>;
  putRules(rules: Omit<RuleSet, 'version'>): Promise<RuleSet>;
  createCustomer(body: { displayName: string; email: string; country: string }): Promise<Customer>;
  openWallet(body: { customerId: string; currency: string }): Promise<Wallet>;
  topUp(walletId: string, amountMinor: number, idempotencyKey: string): Promise<TopUp>;
  /** The answer as it came (202, a replay, or an error body): callers judge it. */
  createPayment(body: NewPaymentBody, idempotencyKey: string, signal?: AbortSignal): Promise<FlowResponse<Payment | { error: string; message: string }>>;
  getPayment(id: string, signal?: AbortSignal): Promise<Payment>;
  getWallet(id: string): Promise<WalletView>;
  getAccount(id: string): Promise<Account>;
  /** `undefined` for 404 `transfer_not_found`. */
  getTransfer(id: string): Promise<Transfer | undefined>;
  trialBalance(): Promise<TrialBalance>;
}

/** Builds the client over a target. Every typed method throws FlowCallError for a non-2xx answer. */
export function createFlowClient(target: FlowTarget): FlowClient {
  const transport = target.transport ?? httpTransport;
  const timeoutMs = target.timeoutMs ?? 10_000;

  const request: FlowClient['request'] = async <T>(service: FlowService, method: string, path: string, options: { body?: unknown; idempotencyKey?: string; signal?: AbortSignal } = {}) => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.idempotencyKey !== undefined) headers['idempotency-key'] = options.idempotencyKey;
    const authorization = await target.authorization?.();
    if (authorization) headers['authorization'] = authorization;
    const signal = options.signal ? AbortSignal.any([options.signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs);
    const answer = await transport.send({ method, url: `${target.baseUrl(service)}${path}`, headers, ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }) }, signal);
    let body: unknown;
    try {
      body = answer.text ? JSON.parse(answer.text) : undefined;
    } catch {
      body = { error: `http_${answer.status}`, message: answer.text.slice(0, 200) };
    }
    return { status: answer.status, body: body as T, headers: answer.headers };
  };

  const expect = async <T>(service: FlowService, method: string, path: string, options: { body?: unknown; idempotencyKey?: string; signal?: AbortSignal } = {}): Promise<T> => {
    const answer = await request<T>(service, method, path, options);
    if (answer.status >= 200 && answer.status < 300) return answer.body;
    const error = (answer.body ?? {}) as { error?: unknown; message?: unknown };
    throw new FlowCallError(service, method, path, answer.status, typeof error.error === 'string' ? error.error : `http_${answer.status}`, typeof error.message === 'string' ? error.message : '');
  };

  return {
    request,
    putRules: (rules) => expect('rule-engine', 'PUT', '/rules', { body: rules }),
    createCustomer: (body) => expect('profile', 'POST', '/customers', { body }),
    openWallet: (body) => expect('wallet', 'POST', '/wallets', { body }),
    topUp: (walletId, amountMinor, idempotencyKey) => expect('wallet', 'POST', `/wallets/${walletId}/top-ups`, { body: { amountMinor }, idempotencyKey }),
    createPayment: (body, idempotencyKey, signal) => request('payment', 'POST', '/payments', { body, idempotencyKey, ...(signal ? { signal } : {}) }),
    getPayment: (id, signal) => expect('payment', 'GET', `/payments/${id}`, signal ? { signal } : {}),
    getWallet: (id) => expect('wallet', 'GET', `/wallets/${id}`),
    getAccount: (id) => expect('ledger', 'GET', `/accounts/${id}`),
    async getTransfer(id) {
      const answer = await request<Transfer>('ledger', 'GET', `/transfers/${id}`);
      if (answer.status === 404) return undefined;
      if (answer.status !== 200) throw new FlowCallError('ledger', 'GET', `/transfers/${id}`, answer.status, (answer.body as unknown as { error?: string } | undefined)?.error ?? `http_${answer.status}`, '');
      return answer.body;
    },
    trialBalance: () => expect('ledger', 'GET', '/trial-balance'),
  };
}
