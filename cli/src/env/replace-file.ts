import { randomBytes } from 'node:crypto';
import { chmod, open, realpath, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Replaces a file's content atomically: a temporary file beside it (written, synced, given the
 * old file's mode), then a rename over it. A crash leaves the old file or the new one, never half
 * of one. A symlinked file is replaced at its target, so the link stays.
 */
export async function replaceFileAtomically(path: string, content: string): Promise<void> {
  const target = await realpath(path);
  const mode = (await stat(target)).mode & 0o777;
  const temporary = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temporary, 'wx', mode);
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    // open()'s mode is masked by the umask; the file keeps exactly the old one.
    await chmod(temporary, mode);
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
