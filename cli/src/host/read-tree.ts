import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

/**
 * Every file under `directory` with its text, keyed by its POSIX path relative to the folder, behind
 * `prefix/` when a prefix is given. A missing folder is an empty map.
 */
export async function readTree(directory: string, prefix = ''): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  let entries;
  try {
    entries = await readdir(directory, { recursive: true, withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return files;
    throw error;
  }
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const absolute = join(entry.parentPath, entry.name);
    const path = relative(directory, absolute).split(sep).join('/');
    files.set(prefix ? `${prefix}/${path}` : path, await readFile(absolute, 'utf8'));
  }
  return files;
}
