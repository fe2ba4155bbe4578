import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { UserError } from '../command.js';

/**
 * A file's text, or undefined when it does not exist. A path that exists but cannot be read (a
 * folder, no permission) is the user's to fix: a UserError naming `label` (default: the path).
 */
export async function readIfExists(path: string, label = path): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    if (code === 'ENOENT') return undefined;
    throw new UserError(`${label}: cannot be read (${code}): make it a file you can read, or delete it`, { cause: error });
  }
}

export interface FileToWrite {
  path: string;
  content: string;
  mode?: number;
}

/** Writes the files whose bytes differ from disk; returns the paths it wrote. */
export async function writeChangedFiles(root: string, files: readonly FileToWrite[]): Promise<string[]> {
  const written: string[] = [];
  for (const file of files) {
    const target = join(root, file.path);
    if ((await readIfExists(target)) === file.content) continue;
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.content);
    if (file.mode !== undefined) await chmod(target, file.mode);
    written.push(file.path);
  }
  return written;
}

/** The paths whose bytes on disk differ from the planned content (missing counts as differing). */
export async function findDrift(root: string, files: readonly FileToWrite[]): Promise<string[]> {
  const drifted: string[] = [];
  for (const file of files) {
    if ((await readIfExists(join(root, file.path))) !== file.content) drifted.push(file.path);
  }
  return drifted;
}
