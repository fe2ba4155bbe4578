import { fileURLToPath } from 'node:url';
import { packageVersion } from '@innover/kit';
import type { ServiceDefinition } from '@innover/kit';
import { profileRoutes } from './domain/profiles.js';

/** The profile service: what is its own. */
export const profile: ServiceDefinition = {
  version: packageVersion(import.meta.url),
  migrationsDirectory: fileURLToPath(new URL('../migrations', import.meta.url)),
  routes: profileRoutes,
};
