import type { CommandContext } from '../command.js';

/** Placeholder: the real interface is written with the commands that use it. */
export interface Wso2Client {
  readonly kind: 'wso2';
}

export function createWso2Client(_ctx: CommandContext): Wso2Client {
  throw new Error('the wso2 client is not built yet');
}
