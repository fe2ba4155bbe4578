import type { CommandModule } from '../command.js';
import { newService, type NewServiceResult } from '../use-cases/new-service.js';

export interface NewServiceArgs {
  name: string;
  port?: number;
  queueConcurrency?: number;
  dryRun?: boolean;
}

/** `innover new service <name>`: a complete new service, planned first, applied whole or not at all. */
export const command: CommandModule<NewServiceArgs, NewServiceResult> = {
  handler: (args, ctx) =>
    newService(ctx, {
      name: args.name,
      ...(args.port !== undefined ? { port: Number(args.port) } : {}),
      ...(args.queueConcurrency !== undefined ? { queueConcurrency: Number(args.queueConcurrency) } : {}),
      dryRun: Boolean(args.dryRun),
    }),
  render: (result) => renderNewService(result),
};

/** One line per file, then the steps and the summary; the same shape with and without --dry-run. */
export function renderNewService(result: NewServiceResult): string {
  const verb = result.dryRun ? { write: 'would write', edit: 'would change', run: 'would run' } : { write: 'wrote', edit: 'changed', run: 'ran' };
  return [
    ...result.writes.map((path) => `${verb.write} ${path}`),
    ...result.edits.map((path) => `${verb.edit} ${path}`),
    ...result.steps.map((step) => `${verb.run} ${step}`),
    result.dryRun
      ? `dry run: service ${result.name} on host port ${result.hostPort}; nothing written`
      : `service ${result.name} added on host port ${result.hostPort}: innover up --profile lite starts it, innover test-worker ${result.name} prints 3`,
  ].join('\n');
}
