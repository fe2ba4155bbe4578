import { validateTopology } from '../../src/topology/validate.js';
import type { Topology } from '../../src/topology/schema.js';

/** Validates topology input over the defaults; fails the test with the problems otherwise. */
export function topologyFrom(input: Record<string, unknown>): Topology {
  const result = validateTopology(input);
  if (!result.value) throw new Error(`invalid test topology:\n${result.errors.join('\n')}`);
  return result.value;
}

/** The shipped stack. */
export const defaultStack = (): Topology => topologyFrom({});

/**
 * A small stack: one service, PostgreSQL and Redis only. Exact expectations are written for it.
 */
export const smallStack = (): Topology =>
  topologyFrom({
    project: 'demo',
    services: [{ name: 'billing', hostPort: 9101 }],
    profiles: {
      tiny: { description: 'one service on PostgreSQL', components: ['services', 'database', 'redis'], database: 'postgres' },
    },
    defaultProfile: 'tiny',
  });
