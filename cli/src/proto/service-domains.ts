import type { ProtoFile } from './descriptor.js';

/**
 * Which other domains' events each service consumes, so its generated folder holds their
 * messages too. A service always gets its own domain (`protos/<service>/v1/`) and, through
 * imports, `common`. A service missing here consumes nothing; add a line when it starts to.
 */
export const consumedDomains: Readonly<Record<string, readonly string[]>> = {
  // Moves payments on from the rule engine's decision and the ledger's posting.
  payment: ['rule-engine', 'ledger'],
  // Posts approved payments.
  ledger: ['payment'],
  // Balances follow postings.
  wallet: ['ledger'],
  // Evaluates initiated payments.
  'rule-engine': ['payment'],
};

/** The proto files a service needs: its domain, the domains it consumes, and everything they import. */
export function protoFilesForService(
  service: string,
  files: readonly ProtoFile[],
  consumes: Readonly<Record<string, readonly string[]>> = consumedDomains,
): ProtoFile[] {
  const byName = new Map(files.map((file) => [file.name, file]));
  const wanted = new Set([service, ...(consumes[service] ?? [])]);
  const chosen = new Set<string>();
  const visit = (name: string): void => {
    if (chosen.has(name)) return;
    chosen.add(name);
    for (const dependency of byName.get(name)?.dependencies ?? []) visit(dependency);
  };
  for (const file of files) if (wanted.has(file.domain)) visit(file.name);
  return files.filter((file) => chosen.has(file.name));
}
