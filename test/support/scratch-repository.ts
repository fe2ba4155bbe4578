/**
 * A scratch copy of this repository for the tests that change it as a user would (`innover new
 * service`, then `remove service`): the tracked (and new, unignored) files, the build outputs so
 * `tsc -b` is incremental, and node_modules as hard links, but for npm's hidden lockfile, which npm
 * rewrites in place; the packages it replaces, it never rewrites. Seconds instead of an `npm ci`.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** This repository's root. */
export const repositoryRoot = resolve(import.meta.dirname, '..', '..');

/** Copies the repository into a new folder under the system's temporary one (named `prefix…`); answers its path. */
export function copyRepository(prefix: string, repository = repositoryRoot): string {
  const scratch = mkdtempSync(join(tmpdir(), prefix));
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: repository, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const file of files) {
    if (!existsSync(join(repository, file))) continue;
    mkdirSync(dirname(join(scratch, file)), { recursive: true });
    cpSync(join(repository, file), join(scratch, file), { verbatimSymlinks: true });
  }
  const packages = readdirSync(join(repository, 'services')).map((name) => `services/${name}`);
  for (const folder of [...packages, 'cli']) {
    for (const output of ['dist', 'tsconfig.tsbuildinfo']) {
      if (existsSync(join(repository, folder, output))) cpSync(join(repository, folder, output), join(scratch, folder, output), { recursive: true, preserveTimestamps: true });
    }
  }
  for (const folder of ['.', 'cli', ...packages]) {
    if (!existsSync(join(repository, folder, 'node_modules'))) continue;
    execFileSync('cp', ['-al', join(repository, folder, 'node_modules'), join(scratch, folder, 'node_modules')]);
    // npm rewrites its hidden lockfile in place: a copy of its own, or the repository's would change through the link.
    const hidden = join(scratch, folder, 'node_modules/.package-lock.json');
    if (existsSync(hidden)) {
      rmSync(hidden);
      cpSync(join(repository, folder, 'node_modules/.package-lock.json'), hidden);
    }
  }
  return scratch;
}

/**
 * The tree at `root`, path by path (digests of the bytes, symlinks by target); of each node_modules
 * what adding or removing a workspace changes there (its links under @innover, npm's hidden lockfile),
 * not the packages npm install may also put in line with the lockfile; no build outputs (dist,
 * *.tsbuildinfo) and none of the `skip` paths.
 */
export function treeFingerprint(root: string, skip: readonly string[] = []): Record<string, string> {
  const tree: Record<string, string> = {};
  const walk = (relative: string) => {
    const absolute = join(root, relative);
    const stats = lstatSync(absolute, { throwIfNoEntry: false });
    if (!stats) return;
    if (stats.isSymbolicLink()) tree[relative] = `-> ${readlinkSync(absolute)}`;
    else if (stats.isDirectory()) {
      tree[`${relative}/`] = 'folder';
      for (const entry of readdirSync(absolute).sort()) {
        const child = relative ? `${relative}/${entry}` : entry;
        if (skip.includes(child)) continue;
        if (entry === 'node_modules') for (const kept of ['@innover', '.package-lock.json']) walk(`${child}/${kept}`);
        else if (!child.endsWith('/dist') && !child.endsWith('.tsbuildinfo')) walk(child);
      }
    } else tree[relative] = createHash('sha256').update(readFileSync(absolute)).digest('hex');
  };
  walk('');
  return tree;
}
