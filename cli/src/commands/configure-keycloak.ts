import type { CommandModule } from '../command.js';
import { configureKeycloak, type ConfigureKeycloakResult } from '../identity/configure.js';

export type { ConfigureKeycloakResult } from '../identity/configure.js';

export interface ConfigureKeycloakArgs {
  timeout?: number;
  /** `plain` when a caller already draws its own task list: no nested listr2. */
  renderer?: 'plain' | 'auto';
}

export const command: CommandModule<ConfigureKeycloakArgs, ConfigureKeycloakResult> = {
  handler: (args, ctx) => configureKeycloak(ctx, { timeoutSeconds: args.timeout ?? 600, renderer: args.renderer ?? 'auto' }),
  render(result) {
    const width = Math.max(...result.actions.map((action) => action.target.length), 6);
    const rows = result.actions.map((action) => `${action.target.padEnd(width)}  ${action.action.padEnd(9)}  ${action.detail}`);
    const summary = result.changed === 0 ? 'nothing to change: Keycloak and WSO2 already match the topology' : `${result.changed} change(s) applied`;
    return [`${'TARGET'.padEnd(width)}  ${'ACTION'.padEnd(9)}  DETAIL`, ...rows, summary].join('\n');
  },
};
