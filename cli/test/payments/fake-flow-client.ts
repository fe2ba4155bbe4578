/**
 * An in-memory payment flow behind the FlowClient interface, for unit tests of `runLoad`: customers,
 * wallets with ledger accounts, top-ups, and payments that reach `completed` after a few GETs, moving
 * the money between the accounts as the saga's posted transfer would. `faults` break it on purpose.
 */
import { randomUUID } from 'node:crypto';
import type { Account, FlowClient, FlowResponse, Payment, RuleSet, Transfer, Wallet } from '../../src/payments/flow-client.js';
import { FlowCallError } from '../../src/payments/flow-client.js';

export interface FakeFlowFaults {
  /** Debit the payer twice for this many completed payments (money lost). */
  doubleDebit?: number;
  /** Answer the first POST of each key with this status (a retry then succeeds). */
  firstPostStatus?: number;
  /** Payments stay `reserved` for ever. */
  neverComplete?: boolean;
  /** Payments to a payee in another currency are rejected with this reason code. */
  rejectCrossCurrency?: string;
  /** GETs of a payment before it is terminal; default 2. */
  getsUntilTerminal?: number;
}

export interface FakeFlow extends FlowClient {
  rules: Array<Omit<RuleSet, 'version'>>;
  posts: Map<string, number>;
  customers: number;
  wallets: Map<string, Wallet>;
  topUps: Map<string, number>;
}

const rates: Record<string, number> = { 'EUR-USD': 1.08, 'EUR-GBP': 0.85 };

export function fakeFlowClient(faults: FakeFlowFaults = {}): FakeFlow {
  const accounts = new Map<string, Account>();
  const wallets = new Map<string, Wallet>();
  const payments = new Map<string, Payment>();
  const gets = new Map<string, number>();
  const transfers = new Map<string, Transfer>();
  const byKey = new Map<string, Payment>();
  const topUps = new Map<string, number>();
  const posts = new Map<string, number>();
  const rules: FakeFlow['rules'] = [];
  let customers = 0;
  let doubleDebits = faults.doubleDebit ?? 0;
  const move = (accountId: string, deltaMinor: number) => {
    const account = accounts.get(accountId) as Account;
    if (deltaMinor >= 0) account.postedCreditsMinor += deltaMinor;
    else account.postedDebitsMinor -= deltaMinor;
    account.balanceMinor = account.postedCreditsMinor - account.postedDebitsMinor;
  };
  const settle = (payment: Payment) => {
    const wallet = wallets.get(payment.payerWalletId) as Wallet;
    if (faults.rejectCrossCurrency && payment.payeeCurrency !== payment.currency) {
      payment.status = 'rejected';
      payment.reason = { code: faults.rejectCrossCurrency, message: 'rejected by the fake' };
      return;
    }
    move(wallet.ledgerAccountId, -payment.amountMinor);
    if (doubleDebits > 0) {
      doubleDebits -= 1;
      move(wallet.ledgerAccountId, -payment.amountMinor);
    }
    move((wallets.get(payment.payeeWalletId) as Wallet).ledgerAccountId, payment.payeeAmountMinor ?? payment.amountMinor);
    const transferId = randomUUID();
    transfers.set(transferId, { id: transferId, status: 'posted', entries: [], createdAt: new Date().toISOString() });
    payment.transferId = transferId;
    payment.status = 'completed';
  };
  const unused = (): never => {
    throw new Error('the fake flow has no generic request');
  };

  return {
    rules,
    posts,
    get customers() {
      return customers;
    },
    wallets,
    topUps,
    request: unused,
    async putRules(body) {
      rules.push(body);
      return { version: rules.length, ...body };
    },
    async createCustomer(body) {
      customers += 1;
      return { id: randomUUID(), ...body, status: 'active', createdAt: new Date().toISOString() };
    },
    async openWallet(body) {
      const accountId = randomUUID();
      accounts.set(accountId, { id: accountId, code: `wallet:${accountId}`, currency: body.currency, type: 'liability', allowNegative: false, postedDebitsMinor: 0, postedCreditsMinor: 0, pendingDebitsMinor: 0, pendingCreditsMinor: 0, balanceMinor: 0 });
      const wallet: Wallet = { id: randomUUID(), customerId: body.customerId, currency: body.currency, ledgerAccountId: accountId, createdAt: new Date().toISOString() };
      wallets.set(wallet.id, wallet);
      return wallet;
    },
    async topUp(walletId, amountMinor, idempotencyKey) {
      const wallet = wallets.get(walletId);
      if (!wallet) throw new FlowCallError('wallet', 'POST', `/wallets/${walletId}/top-ups`, 404, 'wallet_not_found', '');
      if (!topUps.has(idempotencyKey)) move(wallet.ledgerAccountId, amountMinor);
      topUps.set(idempotencyKey, amountMinor);
      return { id: randomUUID(), walletId, amountMinor, currency: wallet.currency, transferId: randomUUID(), createdAt: new Date().toISOString() };
    },
    async createPayment(body, idempotencyKey): Promise<FlowResponse<Payment | { error: string; message: string }>> {
      posts.set(idempotencyKey, (posts.get(idempotencyKey) ?? 0) + 1);
      if (faults.firstPostStatus && posts.get(idempotencyKey) === 1) return { status: faults.firstPostStatus, body: { error: 'unavailable', message: 'try again' }, headers: {} };
      const replay = byKey.get(idempotencyKey);
      if (replay) return { status: 202, body: structuredClone(replay), headers: { 'idempotent-replayed': 'true' } };
      const payee = wallets.get(body.payeeWalletId) as Wallet;
      const rate = payee.currency === body.currency ? 1 : (rates[`${body.currency}-${payee.currency}`] ?? 1);
      const payment: Payment = {
        id: randomUUID(),
        status: 'pending',
        payerWalletId: body.payerWalletId,
        payeeWalletId: body.payeeWalletId,
        amountMinor: body.amountMinor,
        currency: body.currency,
        payeeAmountMinor: Math.round(body.amountMinor * rate),
        payeeCurrency: payee.currency,
        createdAt: new Date().toISOString(),
        history: [],
      };
      payments.set(payment.id, payment);
      byKey.set(idempotencyKey, structuredClone(payment));
      return { status: 202, body: structuredClone(payment), headers: {} };
    },
    async getPayment(id) {
      const payment = payments.get(id);
      if (!payment) throw new FlowCallError('payment', 'GET', `/payments/${id}`, 404, 'payment_not_found', '');
      const seen = (gets.get(id) ?? 0) + 1;
      gets.set(id, seen);
      if (payment.status === 'pending' && faults.neverComplete) payment.status = 'reserved';
      else if (payment.status === 'pending' && seen >= (faults.getsUntilTerminal ?? 2)) settle(payment);
      return structuredClone(payment);
    },
    async getWallet(id) {
      const wallet = wallets.get(id) as Wallet;
      const account = accounts.get(wallet.ledgerAccountId) as Account;
      return { id, customerId: wallet.customerId, currency: wallet.currency, ledgerAccountId: account.id, balance: { postedMinor: account.balanceMinor, pendingMinor: 0, availableMinor: account.balanceMinor } };
    },
    async getAccount(id) {
      return structuredClone(accounts.get(id) as Account);
    },
    async getTransfer(id) {
      return transfers.get(id);
    },
    async trialBalance() {
      return { currencies: [{ currency: 'EUR', debitsMinor: 1, creditsMinor: 1 }] };
    },
  };
}
