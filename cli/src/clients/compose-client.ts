import type { CommandContext } from '../command.js';

/** Placeholder: the real interface is written with the commands that use it. */
export interface ComposeClient {
  readonly kind: 'compose';
}

export function createComposeClient(_ctx: CommandContext): ComposeClient {
  throw new Error('the compose client is not built yet');
}
