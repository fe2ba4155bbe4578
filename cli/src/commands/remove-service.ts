import type { CommandModule } from '../command.js';
import { removeService, type RemoveServiceResult } from '../use-cases/remove-service.js';

export interface RemoveServiceArgs {
  name: string;
  dryRun?: boolean;
}

/** `innover remove service <name>`: the undo of `new service`. */
export const command: CommandModule<RemoveServiceArgs, RemoveServiceResult> = {
  handler: (args, ctx) => removeService(ctx, { name: args.name, dryRun: Boolean(args.dryRun) }),
  render: (result) => renderRemoveService(result),
};

export function renderRemoveService(result: RemoveServiceResult): string {
  const verb = result.dryRun ? { remove: 'would remove', edit: 'would change', run: 'would run' } : { remove: 'removed', edit: 'changed', run: 'ran' };
  return [
    ...result.removes.map((path) => `${verb.remove} ${path}/`),
    ...result.edits.map((path) => `${verb.edit} ${path}`),
    ...result.steps.map((step) => `${verb.run} ${step}`),
    result.dryRun ? `dry run: service ${result.name} would be removed; nothing written` : `service ${result.name} removed: innover up recreates the stack without it (its database volume stays until innover down)`,
  ].join('\n');
}
