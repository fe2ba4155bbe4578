import type { CommandModule } from '../command.js';
import { resolveStack } from '../use-cases/resolve-stack.js';
import { readStackStatus, renderStackStatus, type StackStatus } from '../use-cases/stack-status.js';

export interface PsArgs {
  profile?: string;
}

/** `innover ps`: container, state, health, ports and uptime, from one list call. */
export const command: CommandModule<PsArgs, StackStatus> = {
  async handler(args, ctx) {
    return await readStackStatus(ctx, await resolveStack(ctx, args.profile));
  },
  render: (status) => renderStackStatus(status),
};
