import type { CommandContext } from '../command.js';

/** Placeholder: the real interface is written with the commands that use it. */
export interface KeycloakClient {
  readonly kind: 'keycloak';
}

export function createKeycloakClient(_ctx: CommandContext): KeycloakClient {
  throw new Error('the keycloak client is not built yet');
}
