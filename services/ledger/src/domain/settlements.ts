import { randomUUID } from 'node:crypto';
import { topicName } from '@innover/kit';
import type { ServiceDependencies } from '@innover/kit';
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { ledgerEntriesPostedCodec, paymentStatusChangedCodec } from '@innover/proto/events.js';
import { EntryDirection, LedgerEntriesPostedSchema } from '@innover/proto/ledger/v1/ledger_pb.js';
import { PaymentStatus } from '@innover/proto/payment/v1/payment_pb.js';
import type { PaymentStatusChanged } from '@innover/proto/payment/v1/payment_pb.js';
import { eventMetadata } from '@innover/proto/metadata.js';

export interface Posting {
  account: string;
  amountMinor: number;
  currency: string;
  reference: string;
}

/**
 * Double entry for an approved payment: debit the payer, credit the payee, one reference.
 * Other transitions post nothing.
 */
export function postingsFor(event: PaymentStatusChanged): Posting[] {
  const payment = event.payment;
  if (event.status !== PaymentStatus.APPROVED || !payment?.amount) return [];
  const amountMinor = Number(payment.amount.minorUnits);
  const reference = `payment:${payment.paymentId}`;
  return [
    { account: payment.payerCustomerId, amountMinor: -amountMinor, currency: payment.amount.currencyCode, reference },
    { account: payment.payeeCustomerId, amountMinor, currency: payment.amount.currencyCode, reference },
  ];
}

/** Worker side: consume `payment.status-changed.v1` (from the start: a new ledger must see all history). */
export async function ledgerSubscriptions(dependencies: ServiceDependencies): Promise<void> {
  const { events, database, logger } = dependencies;
  if (!events || !database) {
    logger.info('KAFKA_BROKERS or DATABASE_URL not set: not consuming payment.status-changed.v1');
    return;
  }
  await events.subscribe<PaymentStatusChanged>({
    groupId: 'ledger',
    topic: topicName('payment', 'status-changed'),
    codec: paymentStatusChangedCodec,
    fromBeginning: true,
    handler: async ({ value }) => {
      const postings = postingsFor(value);
      // Idempotent: (reference, account) is unique, so a redelivered event posts nothing twice.
      for (const posting of postings) {
        await database.query('INSERT INTO ledger_entries (id, account, amount_minor, currency, reference) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (reference, account) DO NOTHING', [randomUUID(), posting.account, posting.amountMinor, posting.currency, posting.reference]);
      }
      if (postings.length === 0) return;
      // Announced after the rows exist; a redelivery announces again with the same transaction id (consumers dedupe on it).
      const transactionId = postings[0]?.reference ?? value.paymentId;
      const event = create(LedgerEntriesPostedSchema, {
        metadata: eventMetadata({ source: 'ledger', correlationId: value.paymentId }),
        transactionId,
        paymentId: value.paymentId,
        entries: postings.map((posting) => ({ accountId: posting.account, direction: posting.amountMinor < 0 ? EntryDirection.DEBIT : EntryDirection.CREDIT, amount: { currencyCode: posting.currency, minorUnits: String(Math.abs(posting.amountMinor)) } })),
        postedAt: timestampFromDate(new Date()),
      });
      await events.publish('entries-posted', event, { key: value.paymentId, codec: ledgerEntriesPostedCodec });
      logger.info({ paymentId: value.paymentId }, 'payment posted');
    },
  });
}
