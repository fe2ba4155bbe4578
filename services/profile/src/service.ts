import { fileURLToPath } from 'node:url';
import { packageVersion } from '@innover/kit';
import type { ServiceDefinition } from '@innover/kit';
import { profileRoutes } from './entry-points/routes.ts';

/** The profile service: customers, their country and whether they may pay (publishes no events). */
export const profile: ServiceDefinition = {
  version: packageVersion(import.meta.url),
  migrationsDirectory: fileURLToPath(new URL('../migrations', import.meta.url)),
  routes: profileRoutes,
};
