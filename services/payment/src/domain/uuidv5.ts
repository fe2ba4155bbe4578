import { uuidV5 } from '@innover/kit';

/** The id of the ledger transfer (or outbox event) a payment's step creates: UUIDv5(namespace = payment id, name = step). */
export function stepId(paymentId: string, step: string): string {
  return uuidV5(paymentId, step);
}
