import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowClient } from '../../cli/src/payments/flow-client.js';
import { startSixServices, until } from '../support/six-services.js';
import type { SixService, SixServices } from '../support/six-services.js';
import { acquireScenarioLock, databaseProbe, expectSettled, flowClientOf, fundedWallet, pay, permissiveRules, terminal } from './scenario-support.js';
import type { DatabaseProbe } from './scenario-support.js';

// Issue 10, Proof → Integration tier, broker outage: the Kafka broker's container is paused (docker pause) for 30 s.
// Payments and top-ups go on (they need no broker: the saga runs over Redis and HTTP, events wait in the outbox);
// once it is unpaused the relays publish what waited and the wallet projection catches up with the ledger.
let stack: SixServices;
let client: FlowClient;
let probe: DatabaseProbe;
let releaseLock: (() => void) | undefined;
let paused = false;

const outageMs = 30_000;

beforeAll(async () => {
  releaseLock = await acquireScenarioLock();
  const lowered = { WORKER_LOCK_DURATION_MS: '3000', WORKER_STALLED_INTERVAL_MS: '1500' };
  stack = await startSixServices({
    environment: {
      payment: { ...lowered, PAYMENT_RECONCILE_INTERVAL_MS: '1000', PAYMENT_STALLED_AFTER_MS: '5000', PAYMENT_RESERVATION_TIMEOUT_SECONDS: '60' },
      ledger: lowered,
      wallet: lowered,
    },
  });
  client = flowClientOf(stack);
  probe = databaseProbe(stack);
  await client.putRules(permissiveRules);
}, 45 * 60_000);

afterAll(async () => {
  if (paused) await stack?.kafka.unpause().catch(() => undefined);
  await probe?.close();
  await stack?.stop();
  releaseLock?.();
});

const unsent = async (service: SixService) => Number((await probe.query<{ count: string }>(service, 'SELECT count(*) AS count FROM outbox WHERE sent_at IS NULL'))[0]?.count);

describe('broker outage (six services)', () => {
  it('with the broker paused 30 s payments and top-ups still complete, their events wait in the outbox, then flow and the projections catch up', async () => {
    const payer = await fundedWallet(client, 'EUR', 50_000);
    const payee = await fundedWallet(client, 'EUR', 0);
    const paymentIds = [await pay(client, payer, payee, 1_000, 'before the outage')];
    await terminal(client, paymentIds);
    await until('the outboxes drained before the outage', async () => ((await unsent('ledger')) + (await unsent('payment')) + (await unsent('wallet')) === 0 ? true : undefined), 120_000);

    await stack.kafka.pause();
    paused = true;
    const pausedAt = Date.now();
    const late = await fundedWallet(client, 'EUR', 7_000);
    for (let index = 0; index < 5; index += 1) paymentIds.push(await pay(client, payer, payee, 500 + index, 'during the outage'));
    paymentIds.push(await pay(client, late, payee, 2_000, 'during the outage'));
    const ended = await terminal(client, paymentIds);
    expect(ended.map((payment) => payment.status)).toEqual(paymentIds.map(() => 'completed'));
    // The ledger moved the money; its events (and the payments' status changes) wait unsent.
    expect((await client.getAccount(late.ledgerAccountId)).balanceMinor).toBe(5_000);
    expect(await unsent('ledger')).toBeGreaterThan(0);
    expect(await unsent('payment')).toBeGreaterThan(0);
    // The projection has not seen the top-up made during the outage.
    expect((await client.getWallet(late.walletId)).balance.postedMinor).toBe(0);
    // At least 30 s of outage (longer only if the machine was slow to get here).
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, outageMs - (Date.now() - pausedAt))));
    expect(await unsent('ledger')).toBeGreaterThan(0);

    await stack.kafka.unpause();
    paused = false;
    await until('the outboxes drained after the outage', async () => ((await unsent('ledger')) + (await unsent('payment')) === 0 ? true : undefined), 180_000);
    await expectSettled(client, probe, { wallets: [payer, payee, late], paymentIds });
    expect((await client.getWallet(late.walletId)).balance).toEqual({ postedMinor: 5_000, pendingMinor: 0, availableMinor: 5_000 });
  }, 600_000);
});
