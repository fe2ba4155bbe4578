import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowClient } from '../../cli/src/payments/flow-client.js';
import { crashPoints } from '../../services/payment/src/domain/saga.js';
import type { CrashPoint } from '../../services/payment/src/domain/saga.js';
import { startSixServices, until } from '../support/six-services.js';
import type { SixServices } from '../support/six-services.js';
import type { ServiceProcess } from '../support/service-process.js';
import { acquireScenarioLock, databaseProbe, expectSettled, flowClientOf, fundedWallet, pay, permissiveRules, terminal } from './scenario-support.js';
import type { DatabaseProbe } from './scenario-support.js';

// Issue 10, Proof → Integration tier, crash recovery: the payment worker dies (SIGKILL, PAYMENT_CRASH_AFTER)
// after each saga step in turn and the ledger's outbox relay dies mid-batch (OUTBOX_RELAY_CRASH_AFTER); after a
// restart every payment is terminal, nothing is posted twice and the wallet projection, fed at least once through
// the inbox, equals the ledger. Locks, the stalled check and the reconciler are lowered so a dead worker's job comes
// back within seconds.
let stack: SixServices;
let client: FlowClient;
let probe: DatabaseProbe;
let releaseLock: (() => void) | undefined;

const lowered = { WORKER_LOCK_DURATION_MS: '2000', WORKER_STALLED_INTERVAL_MS: '1000' };
/** The largest EUR payment the scenario's rules approve: one above is rejected (rule_rejected). */
const maxEurMinor = 50_000;

beforeAll(async () => {
  releaseLock = await acquireScenarioLock();
  stack = await startSixServices({
    environment: {
      payment: { ...lowered, PAYMENT_RECONCILE_INTERVAL_MS: '500', PAYMENT_STALLED_AFTER_MS: '2000' },
      ledger: lowered,
    },
  });
  client = flowClientOf(stack);
  probe = databaseProbe(stack);
  await client.putRules({ ...permissiveRules, maxAmountMinor: { EUR: maxEurMinor } });
}, 45 * 60_000);

afterAll(async () => {
  await probe?.close();
  await stack?.stop();
  releaseLock?.();
});

async function crashed(worker: ServiceProcess, what: string): Promise<void> {
  const code = await Promise.race([worker.exited, new Promise<string>((resolve) => setTimeout(() => resolve('still running'), 120_000))]);
  expect(code, `${what}: ${worker.stderr().slice(-1000)}`).toBe('SIGKILL');
  expect(worker.stderr()).toContain('crashing on purpose');
}

describe('crash recovery (six services)', () => {
  it('the payment worker crashes after each saga step in turn; a fresh worker brings every payment to its terminal status, posted at most once', async () => {
    const payer = await fundedWallet(client, 'EUR', 1_000_000);
    const payee = await fundedWallet(client, 'EUR', 0);
    const payeeUsd = await fundedWallet(client, 'USD', 0);
    const paymentIds: string[] = [];

    // Which payment goes first (and so is the one the worker, one job at a time, dies on): one that reaches the point.
    const lead: Record<Exclude<CrashPoint, 'void'>, 'rejected' | 'cross' | 'same'> = {
      screening: 'rejected',
      profile: 'rejected',
      rules: 'rejected',
      quote: 'cross',
      'reserve-call': 'same',
      reserve: 'cross',
      'post-call': 'same',
      post: 'cross',
    };
    const send = {
      rejected: () => pay(client, payer, payee, maxEurMinor + 1, 'crash: rules reject'),
      cross: () => pay(client, payer, payeeUsd, 1_000, 'crash: EUR to USD'),
      same: () => pay(client, payer, payee, 1_000, 'crash: EUR to EUR'),
    };
    for (const point of crashPoints.filter((candidate): candidate is Exclude<CrashPoint, 'void'> => candidate !== 'void')) {
      await stack.stopWorkers('payment');
      const crasher = await stack.startWorker('payment', { PAYMENT_CRASH_AFTER: point });
      const first = lead[point];
      const round = [await send[first]()];
      for (const kind of (['rejected', 'cross', 'same'] as const).filter((kind) => kind !== first)) round.push(await send[kind]());
      await crashed(crasher, `PAYMENT_CRASH_AFTER=${point}`);
      await stack.startWorker('payment');
      const ended = await terminal(client, round);
      const kinds = [first, ...(['rejected', 'cross', 'same'] as const).filter((kind) => kind !== first)];
      expect(
        ended.map((payment) => `${payment.status} ${payment.reason?.code ?? ''}`.trim()),
        `after PAYMENT_CRASH_AFTER=${point}`,
      ).toEqual(kinds.map((kind) => (kind === 'rejected' ? 'rejected rule_rejected' : 'completed')));
      const cross = ended[kinds.indexOf('cross')];
      expect(cross).toMatchObject({ payeeCurrency: 'USD', payeeAmountMinor: 1_080 });
      expect(cross?.quoteId).toBeTruthy();
      paymentIds.push(...round);
    }

    // `void`: a reservation past its timeout that the expiry job has not released yet. The ledger workers (which run
    // the expiry job) stop; a worker reserving with a 3 s timeout dies after the reservation; once it has timed out,
    // a worker set to die after the void takes the payment over: its post is refused (transfer_expired), it voids the
    // hold and dies. The next worker finds the reservation voided: the payment fails reservation_expired, nothing posted.
    await stack.stopWorkers('ledger');
    await stack.stopWorkers('payment');
    const reserver = await stack.startWorker('payment', { PAYMENT_CRASH_AFTER: 'reserve', PAYMENT_RESERVATION_TIMEOUT_SECONDS: '3' });
    const expiring = await send.same();
    await crashed(reserver, 'PAYMENT_CRASH_AFTER=reserve (3 s reservation)');
    await until('the reservation past its timeout', async () => {
      const [row] = await probe.query<{ past: boolean }>('ledger', "SELECT expires_at <= now() AS past FROM transfers WHERE reference = 'crash: EUR to EUR' AND status = 'pending'");
      return row?.past ? true : undefined;
    });
    const voider = await stack.startWorker('payment', { PAYMENT_CRASH_AFTER: 'void' });
    await crashed(voider, 'PAYMENT_CRASH_AFTER=void');
    await stack.startWorker('payment');
    const [expired] = await terminal(client, [expiring]);
    expect(expired).toMatchObject({ status: 'failed', reason: { code: 'reservation_expired' } });
    expect((await client.getTransfer(String(expired?.transferId)))?.status).toBe('voided');
    paymentIds.push(expiring);
    await stack.startWorker('ledger');

    await expectSettled(client, probe, { wallets: [payer, payee, payeeUsd], paymentIds });
  }, 900_000);

  it('the outbox relay crashes mid-batch, before marking it sent: after a restart every event arrives at least once and the inbox makes the repeat change nothing', async () => {
    const { Kafka, logLevel } = await import('kafkajs');
    const admin = new Kafka({ clientId: 'relay-crash-test', brokers: stack.kafka.brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const topic = 'ledger.transfer-changed.v1';
    const messagesInTopic = async () => (await admin.fetchTopicOffsets(topic)).reduce((sum, partition) => sum + Number(partition.high) - Number(partition.low), 0);
    const unsent = async () => Number((await probe.query<{ count: string }>('ledger', 'SELECT count(*) AS count FROM outbox WHERE sent_at IS NULL'))[0]?.count);
    try {
      await until('the ledger outbox drained', async () => ((await unsent()) === 0 ? true : undefined), 120_000);
      // No relay: the ledger API's writes (top-ups, reservations, posts) leave their events in the outbox.
      await stack.stopWorkers('ledger');
      const payers = await Promise.all(Array.from({ length: 3 }, () => fundedWallet(client, 'EUR', 20_000)));
      const payee = await fundedWallet(client, 'EUR', 0);
      const paymentIds: string[] = [];
      for (const payer of payers) for (let index = 0; index < 3; index += 1) paymentIds.push(await pay(client, payer, payee, 1_500 + index, 'relay crash'));
      await terminal(client, paymentIds);
      const waiting = await unsent();
      // 3 top-ups + 9 payments × (reserve, post).
      expect(waiting).toBeGreaterThanOrEqual(21);
      const before = await messagesInTopic();

      const relayCrash = 5;
      const crasher = await stack.startWorker('ledger', { OUTBOX_RELAY_CRASH_AFTER: String(relayCrash) });
      await crashed(crasher, `OUTBOX_RELAY_CRASH_AFTER=${relayCrash}`);
      // Published, never marked sent: every row of the crashed batch is still waiting.
      expect(await unsent()).toBeGreaterThan(0);
      expect((await messagesInTopic()) - before).toBe(relayCrash);

      // Two replicas take over: the free shards at once, the dead relay's once its leases (10 s) run out.
      await Promise.all([stack.startWorker('ledger'), stack.startWorker('ledger')]);
      await until('the ledger outbox drained after the restart', async () => ((await unsent()) === 0 ? true : undefined), 180_000);
      const delivered = (await messagesInTopic()) - before;
      expect(delivered).toBeGreaterThan(waiting);

      // The wallet handled each event once: one inbox row per ledger event, whatever the redeliveries.
      await expectSettled(client, probe, { wallets: [...payers, payee], paymentIds });
      const [events] = await probe.query<{ count: string }>('ledger', 'SELECT count(*) AS count FROM outbox WHERE topic = $1', [topic]);
      await until(
        'one inbox row per ledger event',
        async () => {
          const [handled] = await probe.query<{ count: string }>('wallet', "SELECT count(*) AS count FROM inbox WHERE consumer = 'wallet'");
          return handled?.count === events?.count ? true : undefined;
        },
        60_000,
      );
      for (const wallet of [...payers, payee]) {
        const transactions = await client.request<{ items: Array<{ transferId: string }> }>('wallet', 'GET', `/wallets/${wallet.walletId}/transactions?limit=200`);
        const ids = transactions.body.items.map((item) => item.transferId);
        expect(new Set(ids).size, `wallet ${wallet.walletId} lists a transfer twice`).toBe(ids.length);
      }
    } finally {
      await admin.disconnect();
    }
  }, 600_000);
});
