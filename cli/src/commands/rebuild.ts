import { UsageError, type CommandModule } from '../command.js';
import { requireEngine, resolveStack } from '../stack/resolve-stack.js';
import { ensureComposeFile } from '../stack/generate-stack.js';

export interface RebuildArgs {
  services?: string[];
  profile?: string;
}

export interface RebuildResult {
  profile: string;
  built: string[];
}

/** `innover rebuild [svc...]`: builds images without the cache; starts nothing. */
export const command: CommandModule<RebuildArgs, RebuildResult> = {
  async handler(args, ctx) {
    const target = await resolveStack(ctx, args.profile);
    const buildable = target.plan.containers.filter((container) => container.role === 'api' || container.role === 'worker');
    const names = buildable.map((container) => container.name);
    const unknown = (args.services ?? []).filter((name) => !names.includes(name));
    if (unknown.length > 0) {
      throw new UsageError(`nothing to build for ${unknown.map((name) => `'${name}'`).join(', ')}: use one of ${names.join(', ')}`);
    }
    await requireEngine(ctx);
    await ensureComposeFile(ctx, target);
    const compose = await ctx.client('compose');
    const services = args.services?.length ? args.services : [];
    await compose.build(target.compose, { services, noCache: true, onLine: (line) => ctx.out.info(line), signal: ctx.signal });
    return { profile: target.profile, built: services.length ? services : names };
  },
  render: (result) => `rebuilt ${result.built.join(', ')} without cache (nothing started; run innover up to use them)`,
};
