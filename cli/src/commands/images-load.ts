import type { CommandModule } from '../command.js';
import { loadImageArchive, type LoadResult } from '../images/image-archive.js';

export interface ImagesLoadArgs {
  file: string;
}

/** `innover images load <file>`: loads an archive of `images save` into the engine and lists what it loaded. */
export const command: CommandModule<ImagesLoadArgs, LoadResult> = {
  handler: (args, ctx) => loadImageArchive(ctx, args.file),
  render: (result) => [`loaded ${result.loaded.length} images from ${result.file}:`, ...result.loaded.map((image) => `  ${image}`)].join('\n'),
};
