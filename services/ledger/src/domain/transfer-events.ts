/**
 * The one event the ledger publishes: `ledger.transfer-changed.v1`, key = transfer id, a `TransferChanged`
 * per status a transfer reaches. Written through the outbox in the transaction that set the status.
 */
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { topicName } from '@innover/kit';
import { transferChangedCodec } from '@innover/proto/events.js';
import { EntryDirection, TransferStatus as TransferStatusMessage } from '@innover/proto/ledger/v1/ledger_pb.js';
import { uuidV5 } from './ids.ts';
import type { Transfer, TransferStatus } from './transfers.ts';

export const transferChangedTopic = topicName('ledger', 'transfer-changed');

const statusMessage: Record<TransferStatus, TransferStatusMessage> = {
  pending: TransferStatusMessage.PENDING,
  posted: TransferStatusMessage.POSTED,
  voided: TransferStatusMessage.VOIDED,
  expired: TransferStatusMessage.EXPIRED,
};

/** An outbox row's content: topic, key, a deterministic id (one event per transfer and status) and the payload. */
export interface LedgerEvent {
  topic: string;
  key: string;
  id: string;
  payload: Uint8Array;
}

/** The event for `transfer` in its current status. The event id is UUIDv5(transfer id, status): a transfer reaches each status once. */
export function transferChangedEvent(transfer: Transfer, occurredAt: Date = new Date()): LedgerEvent {
  const id = uuidV5(`transfer-changed:${transfer.id}:${transfer.status}`);
  const payload = transferChangedCodec.encode({
    metadata: { eventId: id, occurredAt: timestampFromDate(occurredAt), source: 'ledger', correlationId: transfer.id },
    transferId: transfer.id,
    status: statusMessage[transfer.status],
    entries: transfer.entries.map((entry) => ({
      accountId: entry.accountId,
      direction: entry.direction === 'debit' ? EntryDirection.DEBIT : EntryDirection.CREDIT,
      amount: { currencyCode: entry.currency, minorUnits: String(entry.amountMinor) },
    })),
    reference: transfer.reference ?? '',
    ...(transfer.expiresAt ? { expiresAt: timestampFromDate(transfer.expiresAt) } : {}),
    createdAt: timestampFromDate(transfer.createdAt),
    twoPhase: transfer.twoPhase,
  });
  return { topic: transferChangedTopic, key: transfer.id, id, payload };
}
