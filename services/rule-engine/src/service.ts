import { packageVersion } from '@innover/kit';
import type { ServiceDefinition } from '@innover/kit';
import { ruleRoutes } from './domain/evaluations.js';

/** The rule-engine service: what is its own. */
export const ruleEngine: ServiceDefinition = {
  version: packageVersion(import.meta.url),
  routes: ruleRoutes,
};
