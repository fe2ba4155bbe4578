import type { CommandModule } from '../command.js';
import { saveImageArchive, type SaveResult } from '../images/image-archive.js';

export interface ImagesSaveArgs {
  file: string;
  profile?: string;
  /** commander's `--no-build` sets `build: false`. */
  build?: boolean;
}

/** `innover images save <file>`: one `docker save` archive with every image of a profile, third-party ones included. */
export const command: CommandModule<ImagesSaveArgs, SaveResult> = {
  handler: (args, ctx) =>
    saveImageArchive(ctx, { file: args.file, ...(args.profile !== undefined ? { profile: args.profile } : {}), build: args.build !== false }),
  render: (result) =>
    [`saved ${result.images.length} images of profile ${result.profile} to ${result.file} (${result.bytes} bytes):`, ...result.images.map((image) => `  ${image}`)].join('\n'),
};
