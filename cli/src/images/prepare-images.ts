import { UserError, type CommandContext } from '../command.js';
import type { EngineClient } from '../clients/engine-client.js';
import { checkBuild, recordBuild } from '../host/build-cache.js';
import { ensureComposeFile } from '../use-cases/generate-stack.js';
import type { StackTarget } from '../use-cases/resolve-stack.js';
import { buildTargets } from '../use-cases/up-tasks.js';
import type { ProfileImage } from './image-set.js';

export interface PrepareOptions {
  /** Build the service images first, as `up` does (skipped when they match the sources). */
  build: boolean;
  /** The command, named in the fix of a missing image (`images push`). */
  command: string;
}

/**
 * Makes every image present on the engine: the service images built as `up` builds them (only
 * when the sources changed since the last build), the third-party ones pulled when absent. An
 * image that cannot be had is one line naming it and the fix.
 */
export async function prepareImages(ctx: CommandContext, target: StackTarget, images: readonly ProfileImage[], options: PrepareOptions): Promise<void> {
  const engine = await ctx.client('engine');
  const services = images.filter((image) => image.kind === 'service');
  if (options.build && services.length > 0) await buildServiceImages(ctx, target, services, engine);
  const ids = await engine.imageIds(images.map((image) => image.source));
  for (const image of images) {
    if (ids[image.source] !== undefined) continue;
    if (image.kind === 'service') {
      throw new UserError(`image ${image.source} is not built: run innover ${options.command} without --no-build (or innover up --profile ${target.profile})`);
    }
    ctx.out.info(`pulling ${image.source} (not on this engine)`);
    try {
      await engine.pullImage(image.source);
    } catch (error) {
      if (error instanceof UserError) throw error;
      const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
      throw new UserError(
        `image ${image.source} is not on this engine and could not be pulled (${reason}): pull it where its registry answers, then bring it here with innover images save and innover images load`,
      );
    }
  }
}

/** `docker compose build` of one service per image, as `up` does, unless the images match the sources. */
async function buildServiceImages(ctx: CommandContext, target: StackTarget, images: readonly ProfileImage[], engine: EngineClient): Promise<void> {
  await ensureComposeFile(ctx, target);
  const references = images.map((image) => image.source);
  const { root, project, file } = target.compose;
  const check = await checkBuild(root, project, file, references, engine);
  if (check.upToDate) {
    ctx.out.info(`images up to date with the sources: ${references.join(', ')}`);
    return;
  }
  const wanted = target.plan.workloads.filter((container) => references.includes(container.image));
  const services = buildTargets(target.plan.workloads, wanted);
  ctx.out.info(`building ${references.join(', ')}`);
  const compose = await ctx.client('compose');
  await compose.build(target.compose, { services, noCache: false, signal: ctx.signal, onLine: (line) => ctx.out.info(line) });
  await recordBuild(root, project, check.fingerprint, references, engine);
}
