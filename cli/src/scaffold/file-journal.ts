import { lstat, mkdir, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';

type Entry = { kind: 'file'; content: Buffer } | { kind: 'link'; target: string } | { kind: 'absent' };

/**
 * Keeps the originals of every path a multi-step change may touch, so a failure restores the tree
 * exactly (the changesets way): files come back byte for byte, files and folders that did not
 * exist are deleted. Record a path before the step that may change it; a folder is recorded whole.
 */
export class FileJournal {
  private readonly entries = new Map<string, Entry>();
  private readonly folders = new Set<string>();

  constructor(private readonly root: string) {}

  /** Remembers each path (root-relative) as it is now, unless already recorded. */
  async record(paths: readonly string[]): Promise<void> {
    for (const path of paths) await this.recordPath(path);
  }

  private async recordPath(path: string): Promise<void> {
    if (this.entries.has(path) || this.folders.has(path)) return;
    const absolute = join(this.root, path);
    const stats = await lstat(absolute).catch(() => undefined);
    if (!stats) this.entries.set(path, { kind: 'absent' });
    else if (stats.isSymbolicLink()) this.entries.set(path, { kind: 'link', target: await readlink(absolute) });
    else if (stats.isDirectory()) {
      this.folders.add(path);
      for (const entry of await readdir(absolute)) await this.recordPath(`${path}/${entry}`);
    } else this.entries.set(path, { kind: 'file', content: await readFile(absolute) });
  }

  /** Puts every recorded path back as it was; what appeared inside a recorded folder goes. */
  async restore(): Promise<void> {
    for (const folder of [...this.folders].sort()) await this.removeUnrecorded(folder);
    for (const [path, entry] of this.entries) {
      const absolute = join(this.root, path);
      if (entry.kind === 'absent') {
        await rm(absolute, { recursive: true, force: true });
        continue;
      }
      await mkdir(dirname(absolute), { recursive: true });
      const current = await lstat(absolute).catch(() => undefined);
      if (entry.kind === 'link') {
        if (current?.isSymbolicLink() && (await readlink(absolute)) === entry.target) continue;
        await rm(absolute, { recursive: true, force: true });
        await symlink(entry.target, absolute);
      } else {
        if (current?.isFile() && (await readFile(absolute)).equals(entry.content)) continue;
        if (current && !current.isFile()) await rm(absolute, { recursive: true, force: true });
        await writeFile(absolute, entry.content);
      }
    }
  }

  private async removeUnrecorded(folder: string): Promise<void> {
    const absolute = join(this.root, folder);
    const found = await readdir(absolute, { recursive: true }).catch(() => [] as string[]);
    for (const name of found.sort().reverse()) {
      const path = `${folder}/${relative(absolute, join(absolute, name)).split(sep).join('/')}`;
      if (!this.entries.has(path) && !this.folders.has(path)) await rm(join(this.root, path), { recursive: true, force: true });
    }
  }
}
