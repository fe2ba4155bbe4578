import { UsageError, type CommandModule } from '../command.js';
import { requireEngine, resolveStack } from '../use-cases/resolve-stack.js';
import { ensureComposeFile } from '../use-cases/generate-stack.js';
import { buildTargets, runsServiceImage } from '../use-cases/up-tasks.js';

export interface RebuildArgs {
  services?: string[];
  profile?: string;
}

export interface RebuildResult {
  profile: string;
  /** The containers whose image was rebuilt (an API and its worker share one image). */
  built: string[];
  /** The images rebuilt. */
  images: string[];
}

/**
 * `innover rebuild [svc...]`: builds images without the cache; starts nothing. A worker runs the
 * image its API builds (the worker's compose service has no build section, so building it would
 * build nothing): naming either builds that one image, through the API's service.
 */
export const command: CommandModule<RebuildArgs, RebuildResult> = {
  async handler(args, ctx) {
    const target = await resolveStack(ctx, args.profile);
    const buildable = target.plan.workloads.filter(runsServiceImage);
    const names = buildable.map((container) => container.name);
    const unknown = (args.services ?? []).filter((name) => !names.includes(name));
    if (unknown.length > 0) {
      throw new UsageError(`nothing to build for ${unknown.map((name) => `'${name}'`).join(', ')}: use one of ${names.join(', ')}`);
    }
    const wanted = args.services?.length ? buildable.filter((container) => args.services?.includes(container.name)) : buildable;
    const images = [...new Set(wanted.map((container) => container.image))];
    await requireEngine(ctx);
    await ensureComposeFile(ctx, target);
    const compose = await ctx.client('compose');
    const services = buildTargets(target.plan.workloads, wanted);
    await compose.build(target.compose, { services, noCache: true, onLine: (line) => ctx.out.info(line), signal: ctx.signal });
    return {
      profile: target.profile,
      built: buildable.filter((container) => images.includes(container.image)).map((container) => container.name),
      images,
    };
  },
  render: (result) =>
    `rebuilt ${result.images.join(', ')} without cache, for ${result.built.join(', ')} (nothing started; run innover up to use them)`,
};
