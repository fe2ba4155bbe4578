import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { PaymentInitiatedSchema, PaymentSchema, PaymentStatus, PaymentStatusChangedSchema } from '@innover/proto/payment/v1/payment_pb.js';
import type { Payment, PaymentInitiated, PaymentStatusChanged } from '@innover/proto/payment/v1/payment_pb.js';
import { eventMetadata } from '@innover/proto/metadata.js';

/** A payment as stored in this service's table. */
export interface PaymentRecord {
  id: string;
  payerId: string;
  payeeId: string;
  amountMinor: number;
  currency: string;
  status: PaymentStatus;
  createdAt: Date;
  updatedAt: Date;
}

function metadata(correlationId: string) {
  return eventMetadata({ source: 'payment', correlationId });
}

function toMessage(record: PaymentRecord): Payment {
  return create(PaymentSchema, {
    paymentId: record.id,
    payerCustomerId: record.payerId,
    payeeCustomerId: record.payeeId,
    amount: { currencyCode: record.currency, minorUnits: String(record.amountMinor) },
    status: record.status,
    createdAt: timestampFromDate(record.createdAt),
    updatedAt: timestampFromDate(record.updatedAt),
  });
}

/** `payment.initiated.v1`: a payment was accepted. */
export function initiatedEvent(record: PaymentRecord): PaymentInitiated {
  return create(PaymentInitiatedSchema, { metadata: metadata(record.id), payment: toMessage(record) });
}

/** `payment.status-changed.v1`: carries the payment, so the ledger can post without calling back. */
export function statusChangedEvent(record: PaymentRecord, previous: PaymentStatus): PaymentStatusChanged {
  return create(PaymentStatusChangedSchema, { metadata: metadata(record.id), paymentId: record.id, previousStatus: previous, status: record.status, payment: toMessage(record) });
}

/** Status column values ↔ the proto enum. */
export const statusNames: Record<string, PaymentStatus> = {
  pending: PaymentStatus.PENDING,
  approved: PaymentStatus.APPROVED,
  declined: PaymentStatus.DECLINED,
  completed: PaymentStatus.COMPLETED,
  failed: PaymentStatus.FAILED,
};
