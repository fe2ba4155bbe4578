import { timestampDate } from '@bufbuild/protobuf/wkt';
import { topicName } from '@innover/kit';
import type { Database, EventBus, Logger, ReceivedEvent } from '@innover/kit';
import { eventIdOf } from '@innover/kit/inbox';
import { statementRunner } from '@innover/kit/transactions';
import { EntryDirection, ledgerTransferChangedCodec, TransferStatus } from '../clients/ledger-events.ts';
import type { TransferChanged } from '../clients/ledger-events.ts';
import { applyTransferChange } from '../domain/projection.ts';
import type { TransferChange } from '../domain/projection.ts';
import type { TransferStatus as Status, WalletStore } from '../domain/ports.ts';
import { minorUnits } from '../data-access/wallet-store.ts';

export const TRANSFER_CHANGED_TOPIC = topicName('ledger', 'transfer-changed');
/** The inbox's consumer name (and the Kafka group id). */
export const PROJECTION_CONSUMER = 'wallet';

const statuses: Partial<Record<TransferStatus, Status>> = {
  [TransferStatus.PENDING]: 'pending',
  [TransferStatus.POSTED]: 'posted',
  [TransferStatus.VOIDED]: 'voided',
  [TransferStatus.EXPIRED]: 'expired',
};

/** The protobuf message as the projection reads it; undefined for a message it cannot use (an unknown status). */
export function toTransferChange(message: TransferChanged, receivedAt: Date = new Date()): TransferChange | undefined {
  const status = statuses[message.status];
  if (!status || !message.transferId) return undefined;
  const entries = message.entries.flatMap((entry) => {
    if (!entry.amount || (entry.direction !== EntryDirection.DEBIT && entry.direction !== EntryDirection.CREDIT)) return [];
    return [{ accountId: entry.accountId, direction: entry.direction === EntryDirection.DEBIT ? ('debit' as const) : ('credit' as const), amountMinor: minorUnits(entry.amount.minorUnits), currency: entry.amount.currencyCode }];
  });
  const occurredAt = message.metadata?.occurredAt ? timestampDate(message.metadata.occurredAt) : receivedAt;
  return { transferId: message.transferId, status, entries, reference: message.reference, at: occurredAt.toISOString() };
}

/**
 * One `ledger.transfer-changed.v1` delivery: the projection update and the inbox row in one statement (the
 * store's), so a redelivery (the relay is at least once) changes nothing. The event id is the outbox's
 * `event-id` header, or the message's metadata id.
 */
export async function handleTransferChanged(dependencies: { database: Database; store: WalletStore; logger: Logger }, event: ReceivedEvent<TransferChanged>): Promise<boolean> {
  const eventId = eventIdOf(event.headers) ?? event.value.metadata?.eventId;
  const change = toTransferChange(event.value);
  if (!eventId || !change) {
    dependencies.logger.warn({ topic: event.topic, key: event.key, eventId }, 'skipping a ledger.transfer-changed.v1 message without an event id or a known status');
    return false;
  }
  return (await applyTransferChange(dependencies.store, statementRunner(dependencies.database, { name: 'wallet.project' }), { eventId, consumer: PROJECTION_CONSUMER }, change)) !== undefined;
}

/** Worker side: the projection of the ledger's transfers into wallet balances and transactions. */
export async function subscribeToTransfers(dependencies: { database: Database | undefined; events: EventBus | undefined; store: WalletStore; logger: Logger }): Promise<void> {
  const { events, database, logger, store } = dependencies;
  if (!events || !database) {
    logger.info(`KAFKA_BROKERS or DATABASE_URL not set: not consuming ${TRANSFER_CHANGED_TOPIC}`);
    return;
  }
  await events.subscribe<TransferChanged>({
    groupId: PROJECTION_CONSUMER,
    topic: TRANSFER_CHANGED_TOPIC,
    codec: ledgerTransferChangedCodec,
    fromBeginning: true,
    handler: async (event) => {
      await handleTransferChanged({ database, store, logger }, event);
    },
  });
}
