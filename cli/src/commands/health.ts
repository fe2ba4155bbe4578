import type { CommandModule } from '../command.js';
import { resolveStack } from '../use-cases/resolve-stack.js';
import { readStackStatus, renderStackStatus, type StackStatus } from '../use-cases/stack-status.js';

export interface HealthArgs {
  profile?: string;
}

/** `innover health`: the `ps` table; exits 1 when any container of the profile is not healthy. */
export const command: CommandModule<HealthArgs, StackStatus> = {
  async handler(args, ctx) {
    return await readStackStatus(ctx, await resolveStack(ctx, args.profile));
  },
  render: (status) => renderStackStatus(status),
  exitCode: (status) => (status.healthy ? 0 : 1),
};
