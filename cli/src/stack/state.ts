import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What innover remembers between commands, in `.innover/state.json` (git-ignored). */
export interface StackState {
  /** The profile of the last `up`, used when `--profile` is not given. */
  profile?: string;
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
    const profile = (parsed as { profile?: unknown }).profile;
    return typeof profile === 'string' && profile ? { profile } : {};
  } catch {
    return {};
  }
}

export async function writeState(root: string, state: StackState): Promise<void> {
  await mkdir(join(root, stateDirectory), { recursive: true });
  await writeFile(stateFile(root), `${JSON.stringify(state, null, 2)}\n`);
}
