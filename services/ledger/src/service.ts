import { fileURLToPath } from 'node:url';
import { packageVersion } from '@innover/kit';
import type { ServiceDefinition } from '@innover/kit';
import { ledgerRoutes } from './domain/entries.js';
import { ledgerSubscriptions } from './domain/settlements.js';

/** The ledger service: what is its own. */
export const ledger: ServiceDefinition = {
  version: packageVersion(import.meta.url),
  migrationsDirectory: fileURLToPath(new URL('../migrations', import.meta.url)),
  routes: ledgerRoutes,
  subscriptions: ledgerSubscriptions,
};
