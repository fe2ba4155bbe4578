import { fileURLToPath } from 'node:url';
import { packageVersion } from '@innover/kit';
import type { ServiceDefinition } from '@innover/kit';
import { paymentRoutes } from './entry-points/routes.ts';
import { parsePaymentSettings } from './entry-points/settings.ts';
import { paymentTasks } from './entry-points/tasks.ts';

const settings = parsePaymentSettings(process.env);

/** The payment service: what is its own. */
export const payment: ServiceDefinition = {
  version: packageVersion(import.meta.url),
  migrationsDirectory: fileURLToPath(new URL('../migrations', import.meta.url)),
  kitTables: ['outbox', 'idempotency'],
  routes: paymentRoutes,
  tasks: paymentTasks(settings),
  // One reconciler run per interval, whatever the number of worker replicas (the kit upserts a job scheduler).
  schedules: [
    { task: 'reconcile-payments', everyMs: settings.reconcileIntervalMs },
    { task: 'reap-idempotency-keys', everyMs: 3_600_000 },
  ],
};
