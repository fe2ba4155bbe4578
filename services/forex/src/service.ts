import { fileURLToPath } from 'node:url';
import { packageVersion } from '@innover/kit';
import type { ServiceDefinition } from '@innover/kit';
import { forexRoutes } from './entry-points/routes.ts';
import { forexSettingsOrExit } from './settings.ts';
import type { ForexSettings } from './settings.ts';

/** The forex service with explicit settings (tests); publishes no events. */
export function forexService(settings: () => ForexSettings): ServiceDefinition {
  return {
    version: packageVersion(import.meta.url),
    migrationsDirectory: fileURLToPath(new URL('../migrations', import.meta.url)),
    // POST /quotes honours an optional Idempotency-Key.
    kitTables: ['idempotency'],
    routes: (router, dependencies) => forexRoutes(router, dependencies, settings()),
  };
}

/** The forex service: rates, and quotes a payment uses once. QUOTE_TTL_SECONDS is read when the API starts. */
export const forex: ServiceDefinition = forexService(() => forexSettingsOrExit(process.env));
