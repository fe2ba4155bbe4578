import type { CommandModule } from '../command.js';
import { requireEngine, resolveStack, selectContainers } from '../use-cases/resolve-stack.js';
import { ensureComposeFile } from '../use-cases/generate-stack.js';
import { waitWithLogs } from '../use-cases/up-tasks.js';

export interface RestartArgs {
  services: string[];
  profile?: string;
  timeout?: number | string;
}

export interface RestartResult {
  restarted: Array<{ name: string; readyAfterSeconds: number | undefined }>;
}

/** `innover restart <svc...>`: `docker compose restart`, then waits until they are healthy again. */
export const command: CommandModule<RestartArgs, RestartResult> = {
  async handler(args, ctx) {
    const target = await resolveStack(ctx, args.profile);
    const containers = selectContainers(target.plan, args.services);
    await requireEngine(ctx);
    await ensureComposeFile(ctx, target);
    const compose = await ctx.client('compose');
    const engine = await ctx.client('engine');
    await compose.restart(target.compose, args.services, { signal: ctx.signal });
    const progress = await waitWithLogs(ctx, engine, {
      project: target.plan.project,
      containers,
      engine,
      probe: async (url, signal) => (await ctx.client('http')).probe(url, signal),
      timeoutSeconds: Number(args.timeout ?? 300),
      signal: ctx.signal,
    });
    return { restarted: progress.map((entry) => ({ name: entry.name, readyAfterSeconds: entry.readyAfterSeconds })) };
  },
  render: (result) => result.restarted.map((entry) => `${entry.name} restarted, healthy after ${entry.readyAfterSeconds ?? 0} s`).join('\n'),
};
