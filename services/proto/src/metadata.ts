import { randomUUID } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { EventMetadataSchema, type EventMetadata } from './generated/common/v1/common_pb.ts';

export interface EventMetadataInput {
  /** The publishing service, e.g. `ledger`. */
  source: string;
  /** Ties the event to what caused it: the aggregate id, the payment id or the idempotency key. */
  correlationId?: string;
  /** Unique per event (consumers' inboxes drop duplicates by it). Default: a fresh UUID. */
  eventId?: string;
  /** When it happened. Default: now. */
  occurredAt?: Date;
}

/**
 * The `common.v1.EventMetadata` every event message carries as field 1, so no service builds it by hand:
 * `TransferChangedSchema` events start `{ metadata: eventMetadata({ source: 'ledger', correlationId }), ... }`.
 * Give `eventId` when the event must keep its id across retries (e.g. the outbox row's event id).
 */
export function eventMetadata(input: EventMetadataInput): EventMetadata {
  return create(EventMetadataSchema, {
    eventId: input.eventId ?? randomUUID(),
    occurredAt: timestampFromDate(input.occurredAt ?? new Date()),
    source: input.source,
    correlationId: input.correlationId ?? '',
  });
}
