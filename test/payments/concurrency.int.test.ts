import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapLimit } from '../../cli/src/payments/invariants.js';
import type { FlowClient } from '../../cli/src/payments/flow-client.js';
import { startSixServices } from '../support/six-services.js';
import type { SixServices } from '../support/six-services.js';
import { acquireScenarioLock, databaseProbe, expectSettled, flowClientOf, fundedWallet, permissiveRules, terminal } from './scenario-support.js';
import type { DatabaseProbe } from './scenario-support.js';

// Issue 10, Proof → Integration tier: concurrency and the idempotency race, on all six services as processes
// with tokens on (every service-to-service call carries its client-credentials token, under load), two payment
// workers and two ledger workers, so the reconciler, the outbox relays and the expiry job run as replicas.
let stack: SixServices;
let client: FlowClient;
let probe: DatabaseProbe;
let releaseLock: (() => void) | undefined;

beforeAll(async () => {
  releaseLock = await acquireScenarioLock();
  const worker = { WORKER_LOCK_DURATION_MS: '3000', WORKER_STALLED_INTERVAL_MS: '1500' };
  stack = await startSixServices({
    oidc: true,
    environment: {
      // The reconciler re-runs payments still queued after 5 s: duplicate saga runs are part of the test.
      payment: { ...worker, WORKER_CONCURRENCY: '4', PAYMENT_RECONCILE_INTERVAL_MS: '1000', PAYMENT_STALLED_AFTER_MS: '5000', PAYMENT_RESERVATION_TIMEOUT_SECONDS: '60' },
      ledger: worker,
    },
  });
  await Promise.all([stack.startWorker('payment'), stack.startWorker('ledger')]);
  client = flowClientOf(stack);
  probe = databaseProbe(stack);
  await client.putRules(permissiveRules);
}, 45 * 60_000);

afterAll(async () => {
  await probe?.close();
  await stack?.stop();
  releaseLock?.();
});

describe('payments under concurrency (six services, OIDC on, two payment and two ledger workers)', () => {
  it('200 payments from one wallet funded for 100: exactly 100 complete, 100 are rejected insufficient_funds, the balance ends at 0 and never goes below', async () => {
    expect(stack.workers('payment')).toHaveLength(2);
    expect(stack.workers('ledger')).toHaveLength(2);
    const amountMinor = 700;
    const payer = await fundedWallet(client, 'EUR', 100 * amountMinor);
    const payees = await Promise.all(Array.from({ length: 4 }, () => fundedWallet(client, 'EUR', 0)));

    // Sample the payer's account while the payments run: through the API and in the ledger's database.
    let sampling = true;
    const samples: Array<{ available: number; posted: number }> = [];
    const sampler = (async () => {
      while (sampling) {
        const account = await client.getAccount(payer.ledgerAccountId).catch(() => undefined);
        if (account) samples.push({ available: account.balanceMinor - account.pendingDebitsMinor, posted: account.balanceMinor });
        // A sample the loaded database cannot answer is skipped; the count of samples is asserted below.
        const [row] = await probe
          .query<{ posted: string; available: string }>(
            'ledger',
            'SELECT posted_credits_minor - posted_debits_minor AS posted, posted_credits_minor - posted_debits_minor - pending_debits_minor AS available FROM accounts WHERE id = $1',
            [payer.ledgerAccountId],
          )
          .catch(() => []);
        if (row) samples.push({ available: Number(row.available), posted: Number(row.posted) });
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })();

    // A client as the contract expects: a 5xx (or no answer) is retried with the same Idempotency-Key. At this
    // concurrency PostgreSQL's SERIALIZABLE can exhaust the accept transaction's 40001 retries while the payment
    // database's tables are still small (seq scans take relation-wide predicate locks); the retry resumes the
    // request at its recovery point and must not create a second payment (counted in the database below).
    const answers = await mapLimit(Array.from({ length: 200 }, (_, index) => index), 50, async (index) => {
      const key = randomUUID();
      const body = { payerWalletId: payer.walletId, payeeWalletId: payees[index % payees.length]?.walletId ?? '', amountMinor, currency: 'EUR', reference: `concurrency ${index}` };
      for (let attempt = 1; ; attempt += 1) {
        const answer = await client.createPayment(body, key).catch(() => undefined);
        const retry = answer === undefined || answer.status >= 500 || (answer.status === 409 && (answer.body as { error?: string }).error === 'idempotency_key_in_use');
        if ((!retry && answer) || attempt === 8) return answer ?? { status: 0, body: { error: 'no answer' }, headers: {} };
        await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
      }
    });
    const refused = answers.filter((answer) => answer.status !== 202).map((answer) => JSON.stringify(answer.body));
    const apiErrors = () => stack.api('payment').logs.filter((line) => line.msg === 'request failed').slice(0, 3).map((line) => JSON.stringify(line['err']));
    expect(refused, apiErrors().join('\n')).toEqual([]);
    const paymentIds = answers.map((answer) => String((answer.body as { id: string }).id));
    expect(new Set(paymentIds).size).toBe(200);
    const [stored] = await probe.query<{ count: string }>('payment', 'SELECT count(*) AS count FROM wallet_payments WHERE payer_wallet_id = $1', [payer.walletId]);
    expect(stored?.count).toBe('200');

    const ended = await terminal(client, paymentIds);
    sampling = false;
    await sampler;
    const outcomes = new Map<string, number>();
    for (const payment of ended) outcomes.set(`${payment.status} ${payment.reason?.code ?? ''}`.trim(), (outcomes.get(`${payment.status} ${payment.reason?.code ?? ''}`.trim()) ?? 0) + 1);
    expect(Object.fromEntries(outcomes)).toEqual({ completed: 100, 'rejected insufficient_funds': 100 });

    expect(samples.length).toBeGreaterThan(10);
    expect(Math.min(...samples.map((sample) => sample.available))).toBeGreaterThanOrEqual(0);
    expect(Math.min(...samples.map((sample) => sample.posted))).toBeGreaterThanOrEqual(0);
    const account = await client.getAccount(payer.ledgerAccountId);
    expect(account).toMatchObject({ balanceMinor: 0, pendingDebitsMinor: 0 });

    await expectSettled(client, probe, { wallets: [payer, ...payees], paymentIds });
  }, 600_000);

  it('one Idempotency-Key sent 20 times at once: one payment; every other answer is 409 idempotency_key_in_use or a replay of the stored first body', async () => {
    const payer = await fundedWallet(client, 'EUR', 10_000);
    const payee = await fundedWallet(client, 'EUR', 0);
    const key = randomUUID();
    const body = { payerWalletId: payer.walletId, payeeWalletId: payee.walletId, amountMinor: 1_234, currency: 'EUR', reference: 'idempotency race' };
    const answers = await Promise.all(Array.from({ length: 20 }, () => client.createPayment(body, key)));

    const fresh = answers.filter((answer) => answer.status === 202 && answer.headers['idempotent-replayed'] !== 'true');
    expect(fresh).toHaveLength(1);
    const first = fresh[0];
    const others = answers.filter((answer) => answer !== first);
    for (const answer of others) {
      if (answer.status === 409) expect(answer.body).toMatchObject({ error: 'idempotency_key_in_use' });
      else {
        expect(answer.status, JSON.stringify(answer.body)).toBe(202);
        expect(answer.headers['idempotent-replayed']).toBe('true');
        expect(answer.body).toEqual(first?.body);
      }
    }
    const paymentId = String((first?.body as { id: string }).id);
    const rows = await probe.query<{ id: string }>('payment', 'SELECT id FROM wallet_payments WHERE payer_wallet_id = $1', [payer.walletId]);
    expect(rows.map((row) => row.id)).toEqual([paymentId]);
    const listed = await client.request<{ items: Array<{ id: string }> }>('payment', 'GET', `/payments?payerWalletId=${payer.walletId}`);
    expect(listed.body.items.map((item) => item.id)).toEqual([paymentId]);

    // Once it completed, a replay still answers the stored first body (status pending), not the current state.
    const [ended] = await terminal(client, [paymentId]);
    expect(ended?.status).toBe('completed');
    const replay = await client.createPayment(body, key);
    expect(replay.status).toBe(202);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first?.body);

    await expectSettled(client, probe, { wallets: [payer, payee], paymentIds: [paymentId] });
  }, 300_000);
});
