import { uuidV5 as namedUuid } from '@innover/kit';

/** The ledger's UUIDv5 namespace (RFC 9562 §5.5), fixed forever: ids derived from it are stable across releases. */
export const ledgerNamespace = '5b3a8f5e-6c1d-4b6e-9a57-2f0c6d1e8a41';

/** UUIDv5 of `name` in `namespace` (the ledger's by default). */
export function uuidV5(name: string, namespace: string = ledgerNamespace): string {
  return namedUuid(namespace, name);
}
