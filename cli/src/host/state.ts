import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What innover remembers between commands, in `.innover/state.json` (git-ignored). */
export interface StackState {
  /** The profile of the last `up`, used when `--profile` is not given. */
  profile?: string;
  /**
   * The last build per Compose project: the fingerprint of the build context and the image ids
   * it produced. `up` skips the build while both still match.
   */
  builds?: Record<string, BuildRecord>;
}

export interface BuildRecord {
  fingerprint: string;
  /** Image reference -> image id, as they were right after the build. */
  images: Record<string, string>;
}

export const stateDirectory = '.innover';

export function stateFile(root: string): string {
  return join(root, stateDirectory, 'state.json');
}

/** The remembered state; empty when nothing was remembered or the file is unreadable. */
export async function readState(root: string): Promise<StackState> {
  try {
    const parsed: unknown = JSON.parse(await readFile(stateFile(root), 'utf8'));
    if (typeof parsed !== 'object' || parsed === null) return {};
    const { profile, builds } = parsed as { profile?: unknown; builds?: unknown };
    const state: StackState = {};
    if (typeof profile === 'string' && profile) state.profile = profile;
    if (typeof builds === 'object' && builds !== null) state.builds = builds as Record<string, BuildRecord>;
    return state;
  } catch {
    return {};
  }
}

/** Merges `changes` into the remembered state. */
export async function writeState(root: string, changes: StackState): Promise<void> {
  const state = { ...(await readState(root)), ...changes };
  await mkdir(join(root, stateDirectory), { recursive: true });
  await writeFile(stateFile(root), `${JSON.stringify(state, null, 2)}\n`);
}
