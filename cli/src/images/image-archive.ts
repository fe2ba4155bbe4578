import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';
import { UserError, type CommandContext } from '../command.js';
import { resolveStack } from '../use-cases/resolve-stack.js';
import { profileImages } from './image-set.js';
import { prepareImages } from './prepare-images.js';

export interface SaveInput {
  file: string;
  profile?: string;
  /** Build the service images first (default), as `up` does. */
  build: boolean;
  /** More references to put in the archive beside the profile's (tests add a throwaway alias). */
  extraImages?: readonly string[];
}

export interface SaveResult {
  profile: string;
  /** Absolute path of the archive. */
  file: string;
  bytes: number;
  images: string[];
}

export interface LoadResult {
  file: string;
  bytes: number;
  /** What the engine says it loaded: references, or image ids for untagged images. */
  loaded: string[];
}

/** How often a long copy says how far it is. */
const progressEvery = 100 * 1024 * 1024;

function megabytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.ceil(bytes / 1024)} kB`;
  return `${(bytes / (1024 * 1024)).toFixed(0)} MB`;
}

/** Counts the bytes going through, with a line every `progressEvery`. */
function byteCounter(onLine: (line: string) => void, verb: string): Transform & { bytes: number } {
  let next = progressEvery;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      counter.bytes += chunk.length;
      if (counter.bytes >= next) {
        onLine(`${verb} ${megabytes(counter.bytes)}`);
        next += progressEvery;
      }
      callback(null, chunk);
    },
  }) as Transform & { bytes: number };
  counter.bytes = 0;
  return counter;
}

/**
 * Writes one `docker save` archive with every image of a profile, third-party ones included
 * (pulled first when absent). The archive is written under a temporary name beside the target and
 * renamed when complete, so a crash never leaves half an archive under the final name.
 */
export async function saveImageArchive(ctx: CommandContext, input: SaveInput): Promise<SaveResult> {
  const file = resolve(ctx.root, input.file);
  await checkWritableTarget(file, input.file);
  const target = await resolveStack(ctx, input.profile);
  const images = profileImages(target.plan);
  const engine = await ctx.client('engine');
  await engine.ping();
  await prepareImages(ctx, target, images, { build: input.build, command: 'images save' });
  const references = [...images.map((image) => image.source), ...(input.extraImages ?? [])];

  ctx.out.info(`saving ${references.length} images to ${input.file}: ${references.join(', ')}`);
  const partial = join(dirname(file), `.${basename(file)}.${randomBytes(4).toString('hex')}.partial`);
  const counter = byteCounter((line) => ctx.out.info(line), 'written');
  try {
    const archive = await engine.exportImages(references);
    await pipeline(archive, counter, createWriteStream(partial, { flags: 'wx' }), { signal: ctx.signal });
    await rename(partial, file);
  } catch (error) {
    await unlink(partial).catch(() => undefined);
    if (error instanceof UserError) throw error;
    const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    throw new UserError(`images save: writing ${input.file} failed (${reason}): check the free space there (df -h) and that the images exist`);
  }
  ctx.out.info(`wrote ${input.file} (${megabytes(counter.bytes)})`);
  return { profile: target.profile, file, bytes: counter.bytes, images: references };
}

/** The target's folder exists and the target is not a folder itself: one line with the fix otherwise. */
async function checkWritableTarget(file: string, given: string): Promise<void> {
  const folder = await stat(dirname(file)).catch(() => undefined);
  if (!folder?.isDirectory()) throw new UserError(`images save: folder ${dirname(given)} does not exist: create it, or give a path in an existing folder`);
  const existing = await stat(file).catch(() => undefined);
  if (existing?.isDirectory()) throw new UserError(`images save: ${given} is a folder: give a file path, e.g. ${join(given, 'innover-images.tar')}`);
}

/** What an archive's first bytes say it is: a tar (`docker save`), a compressed one, or neither. */
export function archiveKind(head: Buffer): 'tar' | 'compressed' | undefined {
  if (head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar') return 'tar';
  if (head[0] === 0x1f && head[1] === 0x8b) return 'compressed';
  if (head.length >= 4 && head.readUInt32BE(0) === 0x28b52ffd) return 'compressed';
  if (head.length >= 3 && head.subarray(0, 3).toString('latin1') === 'BZh') return 'compressed';
  if (head.length >= 6 && head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'compressed';
  return undefined;
}

/** Loads an archive that `images save` (or `docker save`) wrote; lists what the engine loaded. */
export async function loadImageArchive(ctx: CommandContext, given: string): Promise<LoadResult> {
  const file = resolve(ctx.root, given);
  const info = await stat(file).catch(() => undefined);
  if (!info) throw new UserError(`images load: no file ${given}: give the path of an archive written by innover images save`);
  if (info.isDirectory()) throw new UserError(`images load: ${given} is a folder: give the path of an archive written by innover images save`);
  const handle = await open(file, 'r');
  const head = Buffer.alloc(512);
  try {
    await handle.read(head, 0, 512, 0);
  } finally {
    await handle.close();
  }
  if (!archiveKind(head.subarray(0, Math.min(512, info.size)))) {
    throw new UserError(`images load: ${given} is not an image archive (docker save format): make one with innover images save <file>`);
  }
  const engine = await ctx.client('engine');
  await engine.ping();
  ctx.out.info(`loading ${given} (${megabytes(info.size)})`);
  const counter = byteCounter((line) => ctx.out.info(line), 'read');
  const source = createReadStream(file);
  // A read error (the file removed or unreadable mid-way) ends the import; it is reported below, never uncaught.
  let readError: Error | undefined;
  source.on('error', (error) => {
    readError ??= error;
    counter.destroy(error);
  });
  counter.on('error', () => undefined);
  const stream = source.pipe(counter);
  try {
    const { loaded } = await engine.importImages(stream);
    if (readError) throw readError;
    return { file, bytes: info.size, loaded };
  } catch (error) {
    if (error instanceof UserError) throw error;
    if (readError) throw new UserError(`images load: could not read ${given} (${readError.message.split('\n')[0]}): check the file and run it again`);
    const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    throw new UserError(`images load: the engine refused ${given} (${reason}): give an archive written by innover images save (or docker save)`);
  } finally {
    // The engine may refuse before reading it all (or at all): the file is closed either way.
    source.destroy();
  }
}
