import type { CommandModule } from '../command.js';
import { requireEngine, resolveStack } from '../use-cases/resolve-stack.js';
import { ensureComposeFile } from '../use-cases/generate-stack.js';

export interface DownArgs {
  profile?: string;
  keepVolumes?: boolean;
}

export interface DownResult {
  project: string;
  profile: string;
  volumesRemoved: boolean;
}

/** `innover down`: stops and removes the project's containers and networks, and its volumes unless --keep-volumes. */
export const command: CommandModule<DownArgs, DownResult> = {
  async handler(args, ctx) {
    const target = await resolveStack(ctx, args.profile);
    await requireEngine(ctx);
    await ensureComposeFile(ctx, target);
    const compose = await ctx.client('compose');
    const volumes = !args.keepVolumes;
    await compose.down(target.compose, { volumes, onLine: (line) => ctx.out.info(line), signal: ctx.signal });
    return { project: target.plan.project, profile: target.profile, volumesRemoved: volumes };
  },
  render: (result) =>
    `stopped project ${result.project} (profile ${result.profile})${result.volumesRemoved ? ', volumes removed' : ', volumes kept'}`,
};
