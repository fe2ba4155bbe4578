import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { topicName } from '@innover/kit';
import type { Queryable } from '@innover/kit';
import { enqueueEvent } from '@innover/kit/outbox';
import type { OutboxEvent } from '@innover/kit/outbox';
import { paymentInitiatedCodec, paymentStatusChangedCodec } from '@innover/proto/events.js';
import { PaymentSchema, PaymentStatus } from '@innover/proto/payment/v1/payment_pb.js';
import type { Payment as PaymentMessage } from '@innover/proto/payment/v1/payment_pb.js';
import type { Payment, PaymentStatus as Status } from '../domain/payment.ts';
import { stepId } from '../domain/uuidv5.ts';

/** Status names ↔ the proto enum. */
export const protoStatus: Record<Status, PaymentStatus> = {
  pending: PaymentStatus.PENDING,
  screening: PaymentStatus.SCREENING,
  reserved: PaymentStatus.RESERVED,
  completed: PaymentStatus.COMPLETED,
  rejected: PaymentStatus.REJECTED,
  failed: PaymentStatus.FAILED,
};

function toMessage(payment: Payment): PaymentMessage {
  return create(PaymentSchema, {
    paymentId: payment.id,
    payerWalletId: payment.payerWalletId,
    payeeWalletId: payment.payeeWalletId,
    payerCustomerId: payment.payerCustomerId,
    payeeCustomerId: payment.payeeCustomerId,
    amount: { currencyCode: payment.currency, minorUnits: String(payment.amountMinor) },
    ...(payment.payeeAmountMinor !== null ? { payeeAmount: { currencyCode: payment.payeeCurrency, minorUnits: String(payment.payeeAmountMinor) } } : {}),
    reference: payment.reference ?? '',
    status: protoStatus[payment.status],
    transferId: payment.transferId ?? '',
    quoteId: payment.quoteId ?? '',
    ...(payment.reason ? { reason: payment.reason } : {}),
    createdAt: timestampFromDate(payment.createdAt),
    updatedAt: timestampFromDate(payment.updatedAt),
  });
}

function metadata(eventId: string, payment: Payment) {
  return { eventId, occurredAt: timestampFromDate(payment.updatedAt), source: 'payment', correlationId: payment.id };
}

/** `payment.initiated.v1` of a new payment. The event id is derived from the payment, so a re-run writes nothing twice. */
export function initiatedEvent(payment: Payment): OutboxEvent {
  const id = stepId(payment.id, 'event:initiated');
  return { topic: topicName('payment', 'initiated'), key: payment.id, id, payload: paymentInitiatedCodec.encode({ metadata: metadata(id, payment), payment: toMessage(payment) }) };
}

/** `payment.status-changed.v1` of a payment as it is after the change; one event id per (payment, status). */
export function statusChangedEvent(payment: Payment, previous: Status): OutboxEvent {
  const id = stepId(payment.id, `event:status:${payment.status}`);
  return {
    topic: topicName('payment', 'status-changed'),
    key: payment.id,
    id,
    payload: paymentStatusChangedCodec.encode({
      metadata: metadata(id, payment),
      paymentId: payment.id,
      previousStatus: protoStatus[previous],
      status: protoStatus[payment.status],
      ...(payment.reason ? { reason: payment.reason } : {}),
      payment: toMessage(payment),
    }),
  };
}

/** Writes `payment.initiated.v1` in `tx`. */
export async function enqueueInitiated(tx: Queryable, payment: Payment): Promise<void> {
  await enqueueEvent(tx, initiatedEvent(payment));
}
