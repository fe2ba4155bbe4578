import { fileURLToPath } from 'node:url';
import { HttpError, packageVersion } from '@innover/kit';
import type { ApiDependencies, Database, ServiceDefinition } from '@innover/kit';
import { ledgerAccounts, profileCustomers } from './clients/http-ports.ts';
import { serviceClient } from './clients/service-client.ts';
import { transactorOf, walletStore } from './data-access/wallet-store.ts';
import type { CustomerDirectory, Ledger } from './domain/ports.ts';
import { walletRoutes } from './entry-points/routes.ts';
import { maintainIdempotencyKeysEveryMs, maintainIdempotencyKeysTask, walletTasks } from './entry-points/tasks.ts';
import { subscribeToTransfers } from './entry-points/subscriptions.ts';

/** The outbound ports; tests replace them (fakes, or the HTTP adapters over a stub's client). */
export interface WalletPeers {
  customers: CustomerDirectory;
  ledger: Ledger;
}

/** profile and ledger over the kit's service-to-service client, resolved per call. */
export function httpPeers(dependencies: Pick<ApiDependencies, 'services'>): WalletPeers {
  return {
    customers: profileCustomers(() => serviceClient(dependencies, 'profile')),
    ledger: ledgerAccounts(() => serviceClient(dependencies, 'ledger')),
  };
}

/** Stands in when DATABASE_URL is unset, so the API starts and its routes answer 503 naming the variable. */
const missingDatabase = (): Promise<never> => Promise.reject(new HttpError(503, 'dependency_not_configured', 'this route needs DATABASE_URL, which is not set for this service'));
const withoutDatabase: Database = { query: missingDatabase, connect: missingDatabase, close: () => Promise.resolve() };

/** The wallet service: what is its own. `peers` is the seam for tests. */
export function walletService(options: { peers?: (dependencies: Pick<ApiDependencies, 'services'>) => WalletPeers } = {}): ServiceDefinition {
  const peersOf = options.peers ?? httpPeers;
  return {
    version: packageVersion(import.meta.url),
    migrationsDirectory: fileURLToPath(new URL('../migrations', import.meta.url)),
    kitTables: ['outbox', 'inbox', 'idempotency'],
    routes: (router, dependencies) => {
      const database = dependencies.database ?? withoutDatabase;
      walletRoutes(router, { ...peersOf(dependencies), store: walletStore, database, transaction: transactorOf(database) });
    },
    // The completer and reaper of the idempotency keys (kept 24 h): one run per interval, whatever the number of replicas.
    tasks: walletTasks((context) => ({ ledger: peersOf(context).ledger, store: walletStore })),
    schedules: [{ task: maintainIdempotencyKeysTask, everyMs: maintainIdempotencyKeysEveryMs }],
    subscriptions: async (dependencies) => await subscribeToTransfers({ database: dependencies.database, events: dependencies.events, store: walletStore, logger: dependencies.logger }),
  };
}

export const wallet: ServiceDefinition = walletService();
