import { UsageError, type CommandModule } from '../command.js';
import { pushImages, type PushResult } from '../images/push-images.js';
import { formatTable } from '../output/table.js';

export interface ImagesPushArgs {
  containers?: string[];
  registry?: string;
  tag?: string;
  all?: boolean;
  profile?: string;
  /** commander's `--no-build` sets `build: false`. */
  build?: boolean;
}

/**
 * `innover images push --registry R [--tag T] [--all]`: builds, tags and pushes the profile's
 * service images as `R/innover/<service>:T` (T defaults to the CLI version, the chart's default
 * `image.tag`); `--all` adds the third-party images under `R/<their path>:<their tag>`.
 */
export const command: CommandModule<ImagesPushArgs, PushResult> = {
  async handler(args, ctx) {
    if (!args.registry) throw new UsageError('--registry: give the registry to push to, e.g. --registry registry.example.com:5000');
    return pushImages(ctx, {
      registry: args.registry,
      ...(args.tag !== undefined ? { tag: args.tag } : {}),
      all: args.all ?? false,
      ...(args.profile !== undefined ? { profile: args.profile } : {}),
      containers: args.containers ?? [],
      build: args.build !== false,
    });
  },
  render: (result) =>
    [
      formatTable(['IMAGE', 'PUSHED AS', 'DIGEST'], result.images.map((image) => [image.source, image.reference, image.digest])),
      '',
      `pushed ${result.images.length} images of profile ${result.profile} to ${result.registry}; in the chart's values: image.registry=${result.registry}, image.tag=${result.tag}`,
    ].join('\n'),
};
