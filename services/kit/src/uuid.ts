import { createHash } from 'node:crypto';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Name-based UUID, version 5 (RFC 9562 §5.5): SHA-1 over the namespace's 16 bytes and the UTF-8 name, the
 * first 16 bytes kept, version nibble 5, variant bits 10. Deterministic, so a retry derives the same id:
 * ledger transfer ids of a payment's steps, a top-up's transfer, event ids of the outbox.
 */
export function uuidV5(namespace: string, name: string): string {
  if (!uuidPattern.test(namespace)) throw new Error(`uuidV5: namespace must be a UUID, got "${namespace}"`);
  const hash = createHash('sha1').update(Buffer.from(namespace.replaceAll('-', ''), 'hex')).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** True for a UUID in its canonical 8-4-4-4-12 hex form. */
export function isUuid(value: string): boolean {
  return uuidPattern.test(value);
}
