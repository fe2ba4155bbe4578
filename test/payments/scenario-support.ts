/**
 * Shared pieces of the six-service payment scenarios (test/payments/*.int.test.ts): the typed flow client over
 * the harness, funded wallets, and the settled-state check every scenario ends with: the flow's invariants
 * through the public APIs (cli/src/payments/invariants.ts) and the same facts read straight from the ledger's
 * and the payment's databases.
 */
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { expect } from 'vitest';
import { createFlowClient, FlowCallError } from '../../cli/src/payments/flow-client.js';
import type { FlowClient, RuleSet } from '../../cli/src/payments/flow-client.js';
import { checkInvariants } from '../../cli/src/payments/invariants.js';
import type { WalletUnderTest } from '../../cli/src/payments/invariants.js';
import { reservationId } from '../../services/payment/src/domain/saga.js';
import { acquireDirectoryLock } from '../support/directory-lock.js';
import { until } from '../support/six-services.js';
import type { SixService, SixServices } from '../support/six-services.js';

/** Scenario runs are long polls under a loaded 2-core machine: generous, never timed assertions. */
export const settleTimeoutMs = 180_000;

const scenarioLock = join(tmpdir(), 'innover-payment-scenarios.lock');

/**
 * One scenario stack at a time: each file runs six APIs, three workers and three containers, and the integration
 * tier runs files in parallel on a 2-core machine, where two of these stacks at once make every wait flaky. A
 * directory lock owned by the file's process; a gone owner's lock is taken over.
 */
export async function acquireScenarioLock(): Promise<() => void> {
  return await acquireDirectoryLock(scenarioLock, { what: 'payment scenario' });
}

/** The flow client over the harness's processes (a token of the test client when OIDC is on). */
export function flowClientOf(stack: SixServices): FlowClient {
  return createFlowClient({
    baseUrl: (service) => String(stack.urls.get(service)),
    authorization: async () => (await stack.authHeaders())['authorization'],
    timeoutMs: 60_000,
  });
}

/** No amount or velocity limit, no blocked country: only the scenario's own rules reject. */
export const permissiveRules: Omit<RuleSet, 'version'> = {
  maxAmountMinor: {},
  velocity: { windowHours: 1, maxCount: 1_000_000, maxAmountMinor: {} },
  blockedCountries: [],
};

export interface FundedWallet extends WalletUnderTest {
  customerId: string;
}

/** A customer with one wallet, topped up with `fundedMinor` (none for 0). */
export async function fundedWallet(client: FlowClient, currency: string, fundedMinor: number, country = 'DE'): Promise<FundedWallet> {
  const customer = await client.createCustomer({ displayName: `scenario ${currency}`, email: `scenario-${randomUUID()}@example.com`, country });
  const wallet = await client.openWallet({ customerId: customer.id, currency });
  if (fundedMinor > 0) await client.topUp(wallet.id, fundedMinor, randomUUID());
  return { walletId: wallet.id, ledgerAccountId: wallet.ledgerAccountId, currency, fundedMinor, customerId: customer.id };
}

/** POST /payments; answers the payment id of a 202 and fails the test on anything else. */
export async function pay(client: FlowClient, payer: FundedWallet, payee: FundedWallet, amountMinor: number, reference?: string): Promise<string> {
  const answer = await client.createPayment({ payerWalletId: payer.walletId, payeeWalletId: payee.walletId, amountMinor, currency: payer.currency, ...(reference ? { reference } : {}) }, randomUUID());
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  return String((answer.body as { id: string }).id);
}

/** Read-only SQL on the services' databases (the harness's databaseUrls), one small pool each. */
export interface DatabaseProbe {
  query<Row extends pg.QueryResultRow>(service: SixService, sql: string, params?: unknown[]): Promise<Row[]>;
  close(): Promise<void>;
}

export function databaseProbe(stack: SixServices): DatabaseProbe {
  const pools = new Map<SixService, pg.Pool>();
  const poolOf = (service: SixService): pg.Pool => {
    let pool = pools.get(service);
    if (!pool) {
      pool = new pg.Pool({ connectionString: String(stack.databaseUrls.get(service)), max: 2 });
      pool.on('error', () => undefined);
      pools.set(service, pool);
    }
    return pool;
  };
  return {
    async query<Row extends pg.QueryResultRow>(service: SixService, sql: string, params: unknown[] = []) {
      return (await poolOf(service).query<Row>(sql, params)).rows;
    },
    async close() {
      await Promise.allSettled([...pools.values()].map((pool) => pool.end()));
      pools.clear();
    },
  };
}

export const pendingTransfers = async (probe: DatabaseProbe): Promise<number> => Number((await probe.query<{ count: string }>('ledger', "SELECT count(*) AS count FROM transfers WHERE status = 'pending'"))[0]?.count);

/**
 * The settled-state check after a scenario: `checkInvariants` over its wallets and payments must be all true,
 * and, over the whole of the ledger's and the payment's databases:
 * - no ledger transfer is still pending, and no payment is non-terminal;
 * - every completed payment names its reservation (UUIDv5 of its id) and that transfer is posted, exactly once;
 *   no rejected or failed payment has a posted or pending one;
 * - each wallet account's counters equal the sums of the entries of its transfers (nothing posted twice) and
 *   none is below 0;
 * - the trial balance, summed from the posted entries, is equal for every currency.
 */
export async function expectSettled(client: FlowClient, probe: DatabaseProbe, scope: { wallets: readonly WalletUnderTest[]; paymentIds: readonly string[] }): Promise<void> {
  const report = await checkInvariants(client, { wallets: scope.wallets, paymentIds: scope.paymentIds, settleTimeoutMs, concurrency: 8 });
  expect(report.results.filter((result) => !result.ok).map((result) => `${result.name}: ${result.detail}`)).toEqual([]);
  expect(report.ok).toBe(true);

  await until('no pending ledger transfer', async () => ((await pendingTransfers(probe)) === 0 ? true : undefined), settleTimeoutMs);
  const payments = await probe.query<{ id: string; status: string; transfer_id: string | null }>('payment', 'SELECT id, status, transfer_id FROM wallet_payments');
  expect(payments.filter((payment) => !['completed', 'rejected', 'failed'].includes(payment.status)).map((payment) => `${payment.id} ${payment.status}`)).toEqual([]);

  const reservations = await probe.query<{ id: string; status: string }>('ledger', 'SELECT id, status FROM transfers WHERE id = ANY($1::UUID[])', [payments.map((payment) => reservationId(payment.id))]);
  const statusOf = new Map(reservations.map((row) => [row.id, row.status]));
  const wrong: string[] = [];
  for (const payment of payments) {
    const transfer = statusOf.get(reservationId(payment.id));
    if (payment.status === 'completed') {
      if (payment.transfer_id !== reservationId(payment.id)) wrong.push(`${payment.id} completed with transfer_id ${String(payment.transfer_id)}`);
      if (transfer !== 'posted') wrong.push(`${payment.id} completed, its reservation ${String(transfer)}`);
    } else if (transfer === 'posted' || transfer === 'pending') {
      wrong.push(`${payment.id} ${payment.status}, its reservation ${transfer}`);
    }
  }
  expect(wrong).toEqual([]);

  // Counters against entries: a transfer posted twice (or a void that released twice) would part them.
  const drift = await probe.query<{ id: string }>(
    'ledger',
    `SELECT a.id FROM accounts a
       LEFT JOIN transfer_entries e ON e.account_id = a.id
       LEFT JOIN transfers t ON t.id = e.transfer_id
     WHERE NOT a.allow_negative
     GROUP BY a.id, a.posted_debits_minor, a.posted_credits_minor, a.pending_debits_minor, a.pending_credits_minor
     HAVING a.posted_debits_minor <> COALESCE(SUM(e.amount_minor) FILTER (WHERE t.status = 'posted' AND e.direction = 'debit'), 0)
         OR a.posted_credits_minor <> COALESCE(SUM(e.amount_minor) FILTER (WHERE t.status = 'posted' AND e.direction = 'credit'), 0)
         OR a.pending_debits_minor <> COALESCE(SUM(e.amount_minor) FILTER (WHERE t.status = 'pending' AND e.direction = 'debit'), 0)
         OR a.pending_credits_minor <> COALESCE(SUM(e.amount_minor) FILTER (WHERE t.status = 'pending' AND e.direction = 'credit'), 0)
         OR a.posted_credits_minor - a.posted_debits_minor - a.pending_debits_minor < 0`,
  );
  expect(drift.map((row) => row.id)).toEqual([]);

  const trial = await probe.query<{ currency: string; debits: string; credits: string }>(
    'ledger',
    `SELECT e.currency,
            COALESCE(SUM(e.amount_minor) FILTER (WHERE e.direction = 'debit'), 0) AS debits,
            COALESCE(SUM(e.amount_minor) FILTER (WHERE e.direction = 'credit'), 0) AS credits
       FROM transfer_entries e JOIN transfers t ON t.id = e.transfer_id
      WHERE t.status = 'posted' GROUP BY e.currency`,
  );
  expect(trial.filter((row) => row.debits !== row.credits)).toEqual([]);
  expect(trial.length).toBeGreaterThan(0);
}

/**
 * Waits until every payment is terminal; answers them. A poll the API answers 503 (its database pool
 * busy past its timeout: hundreds of reads at once on a loaded machine) is polled again, as a client
 * would; any other failure fails the wait.
 */
export async function terminal(client: FlowClient, paymentIds: readonly string[], timeoutMs = settleTimeoutMs) {
  return await until(
    `${paymentIds.length} terminal payments`,
    async () => {
      const payments = await Promise.all(paymentIds.map((id) => client.getPayment(id))).catch((error: unknown) => {
        if (error instanceof FlowCallError && error.status === 503) return undefined;
        throw error;
      });
      if (payments === undefined) return undefined;
      return payments.every((payment) => ['completed', 'rejected', 'failed'].includes(payment.status)) ? payments : undefined;
    },
    timeoutMs,
  );
}
