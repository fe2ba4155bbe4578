import type { Topology } from '../topology/schema.js';

/**
 * Renders keycloak/realm-export.json (a Keycloak RealmRepresentation) from the topology. Pure.
 * Placeholder until the identity work lands.
 */
export function renderRealm(topology: Topology): Record<string, unknown> {
  return { realm: topology.infrastructure.keycloak.realm, enabled: true };
}
