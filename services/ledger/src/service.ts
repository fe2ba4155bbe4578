import { fileURLToPath } from 'node:url';
import { packageVersion } from '@innover/kit';
import type { ServiceDefinition } from '@innover/kit';
import { ledgerRoutes } from './entry-points/routes.ts';
import { ledgerTasks } from './entry-points/tasks.ts';

/** The ledger service: what is its own. */
export const ledger: ServiceDefinition = {
  version: packageVersion(import.meta.url),
  migrationsDirectory: fileURLToPath(new URL('../migrations', import.meta.url)),
  kitTables: ['outbox'],
  routes: ledgerRoutes,
  tasks: ledgerTasks,
  // Reservations time out by themselves (ISSUE-10): the expiry job runs well within the default 300 s timeout.
  schedules: [{ task: 'expire-transfers', everyMs: 5_000 }],
};
