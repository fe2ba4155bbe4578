import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Which files of the build context a change in would change an image: everything Docker sends
 * (the context minus `.dockerignore`). Only the forms innover's own `.dockerignore` uses are
 * understood (`**\/name`, `**\/*.ext`, `path`); any other pattern makes the fingerprint
 * unknowable, and `up` then simply builds.
 */
export interface IgnoreRules {
  /** A path segment (directory or file name) excluded anywhere. */
  names: Set<string>;
  /** File name suffixes excluded anywhere, e.g. `.tsbuildinfo`. */
  suffixes: string[];
  /** Paths relative to the context root, excluded with everything below them. */
  paths: Set<string>;
}

/** Parses `.dockerignore` into rules; undefined when it holds a pattern this reader does not handle. */
export function parseDockerignore(text: string): IgnoreRules | undefined {
  const rules: IgnoreRules = { names: new Set(), suffixes: [], paths: new Set() };
  for (const raw of text.split('\n')) {
    const line = raw.trim().replace(/\/$/, '');
    if (!line || line.startsWith('#')) continue;
    if (line.startsWith('!')) return undefined;
    const anywhere = /^\*\*\/([^*?[\]/]+)$/.exec(line);
    const suffix = /^\*\*\/\*(\.[^*?[\]/]+)$/.exec(line);
    if (anywhere?.[1]) rules.names.add(anywhere[1]);
    else if (suffix?.[1]) rules.suffixes.push(suffix[1]);
    else if (/^[^*?[\]!]+$/.test(line)) rules.paths.add(line.replace(/^\.\//, ''));
    else return undefined;
  }
  return rules;
}

function ignored(rules: IgnoreRules, relative: string, name: string): boolean {
  return rules.names.has(name) || rules.suffixes.some((suffix) => name.endsWith(suffix)) || rules.paths.has(relative);
}

/**
 * A fingerprint of the build context (path, size and mtime of every file Docker would send) and
 * of `extra` (the compose file, whose build args and Dockerfile path matter too). Undefined when
 * `.dockerignore` cannot be read faithfully.
 */
export async function buildFingerprint(root: string, extra: string): Promise<string | undefined> {
  const ignoreText = await readFile(join(root, '.dockerignore'), 'utf8').catch(() => '');
  const rules = parseDockerignore(ignoreText);
  if (!rules) return undefined;
  // innover's own state lives there and changes on every build; it is never an image input.
  rules.paths.add('.innover');
  const hash = createHash('sha256').update(extra);
  const walk = async (directory: string, prefix: string): Promise<void> => {
    const entries = await readdir(directory, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (ignored(rules, relative, entry.name)) continue;
      const path = join(directory, entry.name);
      if (entry.isDirectory()) await walk(path, relative);
      else if (entry.isFile() || entry.isSymbolicLink()) {
        const info = await stat(path).catch(() => undefined);
        hash.update(`${relative}\0${info?.size ?? -1}\0${info?.mtimeMs ?? -1}\n`);
      }
    }
  };
  await walk(root, '');
  return hash.digest('hex');
}
