import type { CommandContext } from '../command.js';

/** Placeholder: the real interface is written with the commands that use it. */
export interface EngineClient {
  readonly kind: 'engine';
}

export function createEngineClient(_ctx: CommandContext): EngineClient {
  throw new Error('the engine client is not built yet');
}
