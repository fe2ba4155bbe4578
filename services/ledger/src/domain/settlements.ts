import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { jsonCodec, topicName } from '@innover/kit';
import type { ServiceDependencies } from '@innover/kit';

/** The part of `payment.settled.v1` the ledger needs. */
export const settledPayment = z.object({
  paymentId: z.string().min(1),
  payerId: z.string().min(1),
  payeeId: z.string().min(1),
  amountMinor: z.number().int().positive(),
  currency: z.string().length(3),
  status: z.literal('settled'),
});
export type SettledPayment = z.infer<typeof settledPayment>;

/** Double entry for a settled payment: debit the payer, credit the payee, same reference. */
export function postingsFor(payment: SettledPayment): Array<{ account: string; amountMinor: number; currency: string; reference: string }> {
  const reference = `payment:${payment.paymentId}`;
  return [
    { account: payment.payerId, amountMinor: -payment.amountMinor, currency: payment.currency, reference },
    { account: payment.payeeId, amountMinor: payment.amountMinor, currency: payment.currency, reference },
  ];
}

/** Worker side: consume `payment.settled.v1` (from the start, as a new ledger must see all history). */
export async function ledgerSubscriptions(dependencies: ServiceDependencies): Promise<void> {
  const { events, database, logger } = dependencies;
  if (!events || !database) {
    logger.info('KAFKA_BROKERS or DATABASE_URL not set: not consuming payment.settled.v1');
    return;
  }
  await events.subscribe<SettledPayment>({
    groupId: 'ledger',
    topic: topicName('payment', 'settled'),
    codec: jsonCodec((value) => settledPayment.parse(value)),
    fromBeginning: true,
    handler: async ({ value }) => {
      for (const posting of postingsFor(value)) {
        await database.query('INSERT INTO ledger_entries (id, account, amount_minor, currency, reference) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (reference, account) DO NOTHING', [randomUUID(), posting.account, posting.amountMinor, posting.currency, posting.reference]);
      }
      logger.info({ paymentId: value.paymentId }, 'settled payment posted');
    },
  });
}
