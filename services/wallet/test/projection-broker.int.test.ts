import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, startApi, startWorker } from '@innover/kit';
import type { ApiHandle, Database, WorkerHandle } from '@innover/kit';
import { createDatabase } from '@innover/kit/database';
import { createEventBus } from '@innover/kit/events';
import type { EventBus } from '@innover/kit/events';
import { startKafka, startPostgres, startRedis } from '../../../test/support/peers.js';
import type { KafkaPeer, PostgresPeer, RedisPeer } from '../../../test/support/peers.js';
import { EntryDirection, ledgerTransferChangedCodec, TransferStatus } from '../src/clients/ledger-events.js';
import { TRANSFER_CHANGED_TOPIC } from '../src/entry-points/subscriptions.js';
import { walletService } from '../src/service.js';

// The worker as the ServiceDefinition declares it, consuming ledger.transfer-changed.v1 from a real
// Kafka-protocol broker; the events go out as the ledger's outbox relay sends them (publishOutbox, event-id header).
let postgres: PostgresPeer;
let redis: RedisPeer;
let kafka: KafkaPeer;
let api: ApiHandle;
let worker: WorkerHandle | undefined;
let database: Database;
let ledgerBus: EventBus;
const walletId = randomUUID();
const accountId = randomUUID();
let environment: Record<string, string>;

/** The worker's heartbeat file, removed at the end. */
const heartbeats = mkdtempSync(join(tmpdir(), 'innover-wallet-projection-'));

beforeAll(async () => {
  [postgres, redis, kafka] = await Promise.all([startPostgres(), startRedis(), startKafka()]);
  const databaseUrl = await postgres.createDatabase('wallet');
  environment = { SERVICE_NAME: 'wallet', DATABASE_URL: databaseUrl, REDIS_URL: redis.url, KAFKA_BROKERS: kafka.brokers.join(','), LOG_LEVEL: 'silent', WORKER_HEARTBEAT_FILE: join(heartbeats, 'wallet') };
  // The API runs the migrations (the kit tables included); its peers are never called here.
  api = await startApi(walletService(), { ...environment, PORT: '0' });
  database = createDatabase(databaseUrl);
  await database.query('INSERT INTO customer_wallets (id, customer_id, currency, ledger_account_id) VALUES ($1, $2, $3, $4)', [walletId, randomUUID(), 'EUR', accountId]);
  ledgerBus = createEventBus({ brokers: kafka.brokers, serviceName: 'ledger', logger: createLogger({ serviceName: 'ledger', level: 'silent' }) });
});

afterAll(async () => {
  await worker?.shutdown();
  await api?.shutdown();
  await ledgerBus?.close();
  await database?.close();
  await Promise.allSettled([postgres?.stop(), redis?.stop(), kafka?.stop()]);
  rmSync(heartbeats, { recursive: true, force: true });
});

function outboxMessage(transferId: string, status: TransferStatus, amountMinor: number, eventId = randomUUID()) {
  const payload = ledgerTransferChangedCodec.encode({
    metadata: { eventId, source: 'ledger', occurredAt: timestampFromDate(new Date()) },
    transferId,
    status,
    entries: [
      { accountId, direction: EntryDirection.DEBIT, amount: { currencyCode: 'EUR', minorUnits: String(amountMinor) } },
      { accountId: randomUUID(), direction: EntryDirection.CREDIT, amount: { currencyCode: 'EUR', minorUnits: String(amountMinor) } },
    ],
    reference: `payment:${transferId}`,
  });
  return { id: eventId, topic: TRANSFER_CHANGED_TOPIC, key: transferId, seq: 1, payload: Buffer.from(payload), headers: { 'event-id': eventId, 'content-type': 'application/x-protobuf' }, createdAt: new Date() };
}

async function balance(): Promise<Record<string, unknown>> {
  const response = await fetch(`http://127.0.0.1:${api.port}/wallets/${walletId}`);
  return ((await response.json()) as { balance: Record<string, unknown> }).balance;
}

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`never happened: ${what}`);
}

describe('the wallet worker', () => {
  it('projects transfer events from the broker in order per transfer, and a redelivered event once', async () => {
    const transfer = randomUUID();
    const pending = outboxMessage(transfer, TransferStatus.PENDING, 900);
    await ledgerBus.publishOutbox([pending, outboxMessage(transfer, TransferStatus.POSTED, 900)]);
    worker = await startWorker(walletService(), environment);
    await eventually(async () => (await balance())['postedMinor'] === -900, 'the posted debit in the balance');
    expect(await balance()).toEqual({ postedMinor: -900, pendingMinor: 0, availableMinor: -900 });

    // The relay may repeat rows (at least once): the same event id again, then a new reservation.
    const second = randomUUID();
    await ledgerBus.publishOutbox([pending, outboxMessage(second, TransferStatus.PENDING, 100)]);
    await eventually(async () => (await balance())['pendingMinor'] === 100, 'the second reservation');
    expect(await balance()).toEqual({ postedMinor: -900, pendingMinor: 100, availableMinor: -1_000 });
    const inbox = await database.query<{ event_id: string }>('SELECT event_id FROM inbox WHERE consumer = $1', ['wallet']);
    expect(inbox.filter((row) => row.event_id === pending.id)).toHaveLength(1);
  });
});
