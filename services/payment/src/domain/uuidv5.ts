import { createHash } from 'node:crypto';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * RFC 9562 §5.5 (was RFC 4122 §4.3) name-based UUID, version 5: SHA-1 over the namespace's 16 bytes then the
 * name's UTF-8 bytes, the first 16 bytes of the digest with version 5 and the RFC variant set. Deterministic,
 * so a transfer id derived from (payment id, step) is the same on every retry and every replica.
 */
export function uuidv5(name: string, namespace: string): string {
  if (!uuidPattern.test(namespace)) throw new Error(`uuidv5: namespace must be a UUID, got "${namespace}"`);
  const bytes = createHash('sha1').update(Buffer.from(namespace.replace(/-/g, ''), 'hex')).update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The id of the ledger transfer (or outbox event) a payment's step creates: UUIDv5(namespace = payment id, name = step). */
export function stepId(paymentId: string, step: string): string {
  return uuidv5(step, paymentId);
}
