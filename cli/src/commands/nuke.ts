import type { CommandModule } from '../command.js';
import { requireEngine, resolveStack } from '../use-cases/resolve-stack.js';
import { ensureComposeFile } from '../use-cases/generate-stack.js';
import type { StackPlan } from '../plan/types.js';
import { runsServiceImage } from '../use-cases/up-tasks.js';

export interface NukeArgs {
  profile?: string;
}

export interface NukeResult {
  project: string;
  profile: string;
  imagesRemoved: string[];
}

/** The images innover builds (the service images), as opposed to the pulled base images it runs. */
export function builtImages(plan: StackPlan): string[] {
  return [...new Set(plan.workloads.filter(runsServiceImage).map((container) => container.image))];
}

/** `innover nuke`: `down` with volumes, then the images innover built for the profile. */
export const command: CommandModule<NukeArgs, NukeResult> = {
  async handler(args, ctx) {
    const target = await resolveStack(ctx, args.profile);
    await requireEngine(ctx);
    await ensureComposeFile(ctx, target);
    const compose = await ctx.client('compose');
    await compose.down(target.compose, { volumes: true, onLine: (line) => ctx.out.info(line), signal: ctx.signal });
    const engine = await ctx.client('engine');
    const { removed } = await engine.removeImages(builtImages(target.plan));
    return { project: target.plan.project, profile: target.profile, imagesRemoved: removed };
  },
  render: (result) =>
    `removed project ${result.project} (profile ${result.profile}) with its volumes and ${result.imagesRemoved.length} image(s)${
      result.imagesRemoved.length ? `: ${result.imagesRemoved.join(', ')}` : ''
    }`,
};
