/**
 * The payment flow's invariants, checked through the services' public APIs once things have settled (README
 * "Payment flow"):
 * 1. every payment is terminal;
 * 2. each completed payment has exactly one posted transfer, and a rejected or failed one holds none;
 * 3. no money is made or lost: each wallet's ledger account equals its funding ± its completed payments;
 * 4. no pending transfer remains on the wallets' accounts;
 * 5. the wallet balances (a projection of the ledger's events) equal their ledger accounts;
 * 6. the trial balance is equal for every currency.
 * Used by `innover load payments`, `innover smoke`'s payment row, the integration scenarios and the bench.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { terminalStatuses } from './flow-client.js';
import type { Account, FlowClient, Payment, WalletView } from './flow-client.js';

export interface WalletUnderTest {
  walletId: string;
  ledgerAccountId: string;
  currency: string;
  /** What was topped up into it before the payments. */
  fundedMinor: number;
}

export interface InvariantResult {
  name: string;
  ok: boolean;
  detail: string;
}

export interface InvariantReport {
  ok: boolean;
  results: InvariantResult[];
  /** The payments as they ended (terminal or not). */
  payments: Payment[];
}

export interface InvariantOptions {
  wallets: readonly WalletUnderTest[];
  paymentIds: readonly string[];
  /** How long payments and projections may take to settle; default 30 s. */
  settleTimeoutMs?: number;
  pollMs?: number;
  /** Parallel reads; default 16. */
  concurrency?: number;
  signal?: AbortSignal;
}

/** Runs `work` over `items` with at most `limit` in flight, keeping order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  });
  await Promise.all(lanes);
  return results;
}

/** Runs `probe` every `pollMs` until it is done, the deadline passes or `signal` aborts; answers its last value. */
export async function settle<T>(deadline: number, pollMs: number, signal: AbortSignal | undefined, probe: () => Promise<{ done: boolean; value: T }>): Promise<T> {
  for (;;) {
    const { done, value } = await probe();
    if (done || Date.now() >= deadline || signal?.aborted) return value;
    await sleep(pollMs, undefined, signal ? { signal } : {}).catch(() => undefined);
  }
}

const sample = (items: readonly string[], max = 3): string => `${items.slice(0, max).join('; ')}${items.length > max ? `; and ${items.length - max} more` : ''}`;

/** What each wallet's ledger account must hold after the completed payments. */
export function expectedBalances(wallets: readonly WalletUnderTest[], payments: readonly Payment[]): Map<string, number> {
  const expected = new Map(wallets.map((wallet) => [wallet.walletId, wallet.fundedMinor]));
  for (const payment of payments.filter((candidate) => candidate.status === 'completed')) {
    if (expected.has(payment.payerWalletId)) expected.set(payment.payerWalletId, (expected.get(payment.payerWalletId) ?? 0) - payment.amountMinor);
    if (expected.has(payment.payeeWalletId)) expected.set(payment.payeeWalletId, (expected.get(payment.payeeWalletId) ?? 0) + (payment.payeeAmountMinor ?? payment.amountMinor));
  }
  return expected;
}

export async function checkInvariants(client: FlowClient, options: InvariantOptions): Promise<InvariantReport> {
  const pollMs = options.pollMs ?? 250;
  const concurrency = options.concurrency ?? 16;
  const deadline = Date.now() + (options.settleTimeoutMs ?? 30_000);
  const results: InvariantResult[] = [];

  // 1. Every payment terminal (waiting for the stragglers only).
  const payments = new Map<string, Payment>();
  await settle(deadline, pollMs, options.signal, async () => {
    const open = options.paymentIds.filter((id) => !terminalStatuses.includes(payments.get(id)?.status ?? 'pending'));
    for (const payment of await mapLimit(open, concurrency, (id) => client.getPayment(id))) payments.set(payment.id, payment);
    return { done: open.every((id) => terminalStatuses.includes(payments.get(id)?.status ?? 'pending')), value: undefined };
  });
  const ended = options.paymentIds.map((id) => payments.get(id)).filter((payment): payment is Payment => payment !== undefined);
  const open = ended.filter((payment) => !terminalStatuses.includes(payment.status));
  results.push({
    name: 'every payment is terminal',
    ok: open.length === 0,
    detail: open.length === 0 ? `${ended.length} of ${ended.length} terminal` : `${open.length} not terminal: ${sample(open.map((payment) => `${payment.id} ${payment.status}`))}`,
  });

  // 2. Completed ⇒ its transfer posted; rejected or failed ⇒ no posted or pending transfer.
  const wrong: string[] = [];
  await mapLimit(ended.filter((payment) => terminalStatuses.includes(payment.status)), concurrency, async (payment) => {
    const transfer = payment.transferId ? await client.getTransfer(payment.transferId) : undefined;
    if (payment.status === 'completed' && transfer?.status !== 'posted') wrong.push(`${payment.id} completed with transfer ${transfer ? transfer.status : 'missing'}`);
    if (payment.status !== 'completed' && (transfer?.status === 'posted' || transfer?.status === 'pending')) wrong.push(`${payment.id} ${payment.status} with a ${transfer.status} transfer`);
  });
  const completed = ended.filter((payment) => payment.status === 'completed').length;
  results.push({
    name: 'each completed payment has exactly one posted transfer',
    ok: wrong.length === 0,
    detail: wrong.length === 0 ? `${completed} completed, each posted once; ${ended.length - completed} rejected or failed hold none` : sample(wrong),
  });

  // 3 and 4. The ledger accounts: funding ± completed payments, nothing pending (expiry may still be voiding).
  const expected = expectedBalances(options.wallets, ended);
  const accounts = await settle(deadline, pollMs, options.signal, async () => {
    const read = await mapLimit(options.wallets, concurrency, (wallet) => client.getAccount(wallet.ledgerAccountId));
    const done = read.every((account, index) => account.balanceMinor === expected.get(options.wallets[index]?.walletId ?? '') && account.pendingDebitsMinor === 0 && account.pendingCreditsMinor === 0);
    return { done, value: read };
  });
  const misbalanced: string[] = [];
  const pending: string[] = [];
  accounts.forEach((account: Account, index) => {
    const wallet = options.wallets[index];
    if (!wallet) return;
    const want = expected.get(wallet.walletId) ?? 0;
    if (account.balanceMinor !== want) misbalanced.push(`wallet ${wallet.walletId}: ledger ${account.balanceMinor}, expected ${want} ${wallet.currency}`);
    if (account.pendingDebitsMinor !== 0 || account.pendingCreditsMinor !== 0) pending.push(`wallet ${wallet.walletId}: pending debits ${account.pendingDebitsMinor}, credits ${account.pendingCreditsMinor}`);
  });
  const negative = accounts.filter((account) => !account.allowNegative && account.balanceMinor - account.pendingDebitsMinor < 0);
  results.push({
    name: 'no money made or lost',
    ok: misbalanced.length === 0 && negative.length === 0,
    detail:
      misbalanced.length + negative.length === 0
        ? `${accounts.length} wallet accounts = funding ± completed payments, none below 0`
        : sample([...misbalanced, ...negative.map((account) => `account ${account.id} below 0: ${account.balanceMinor}`)]),
  });
  results.push({
    name: 'no pending transfer remains',
    ok: pending.length === 0,
    detail: pending.length === 0 ? `0 pending on ${accounts.length} wallet accounts` : sample(pending),
  });

  // 5. The projection catches up with the ledger.
  const views = await settle(deadline, pollMs, options.signal, async () => {
    const read = await mapLimit(options.wallets, concurrency, (wallet) => client.getWallet(wallet.walletId));
    const done = read.every((view, index) => matches(view, accounts[index]));
    return { done, value: read };
  });
  const lagging = views.flatMap((view: WalletView, index) => {
    const account = accounts[index];
    return matches(view, account) ? [] : [`wallet ${view.id}: posted ${view.balance.postedMinor} pending ${view.balance.pendingMinor}, ledger ${account?.balanceMinor} pending ${account?.pendingDebitsMinor}`];
  });
  results.push({
    name: 'wallet balances equal their ledger accounts',
    ok: lagging.length === 0,
    detail: lagging.length === 0 ? `${views.length} wallets match the ledger` : sample(lagging),
  });

  // 6. Double entry.
  const trial = await client.trialBalance();
  const unequal = trial.currencies.filter((row) => row.debitsMinor !== row.creditsMinor);
  results.push({
    name: 'trial balance is equal',
    ok: unequal.length === 0,
    detail:
      unequal.length === 0
        ? trial.currencies.map((row) => `${row.currency} ${row.debitsMinor} = ${row.creditsMinor}`).join(', ') || 'no posted entries'
        : sample(unequal.map((row) => `${row.currency}: debits ${row.debitsMinor} ≠ credits ${row.creditsMinor}`)),
  });

  return { ok: results.every((result) => result.ok), results, payments: ended };
}

function matches(view: WalletView, account: Account | undefined): boolean {
  if (!account) return false;
  return view.balance.postedMinor === account.balanceMinor && view.balance.pendingMinor === account.pendingDebitsMinor;
}
