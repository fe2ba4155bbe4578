import { fileURLToPath } from 'node:url';
import { packageVersion } from '@innover/kit';
import type { ServiceDefinition } from '@innover/kit';
import { ruleRoutes } from './entry-points/routes.ts';

/** The rule-engine service: versioned rules and the persisted decision for each payment (publishes no events). */
export const ruleEngine: ServiceDefinition = {
  version: packageVersion(import.meta.url),
  migrationsDirectory: fileURLToPath(new URL('../migrations', import.meta.url)),
  routes: ruleRoutes,
};
