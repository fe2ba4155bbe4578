import { fileURLToPath } from 'node:url';
import { packageVersion } from '@innover/kit';
import type { ServiceDefinition } from '@innover/kit';
import { forexRoutes } from './domain/rates.js';

/** The forex service: what is its own. */
export const forex: ServiceDefinition = {
  version: packageVersion(import.meta.url),
  migrationsDirectory: fileURLToPath(new URL('../migrations', import.meta.url)),
  routes: forexRoutes,
};
