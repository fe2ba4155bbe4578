import { fileURLToPath } from 'node:url';
import { packageVersion } from '@innover/kit';
import type { ServiceDefinition } from '@innover/kit';
import { paymentRoutes, paymentTasks } from './domain/payments.js';

/** The payment service: what is its own. */
export const payment: ServiceDefinition = {
  version: packageVersion(import.meta.url),
  migrationsDirectory: fileURLToPath(new URL('../migrations', import.meta.url)),
  routes: paymentRoutes,
  tasks: paymentTasks,
};
