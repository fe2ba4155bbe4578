/**
 * A machine-wide lock as a directory (mkdir is atomic) holding its owner's token. A lock whose
 * owner is gone (test/support/process-identity.ts: a dead pid, or a pid reused since a reboot
 * or a snapshot restore) is taken over, and so is one whose maker died before writing its owner.
 *
 * Plain erasable TypeScript so the bench (plain Node) can import it too.
 */
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ownerAlive, ownerPidOf, ownerToken } from './process-identity.ts';

export interface DirectoryLockOptions {
  /** Names the waiter in the one line it prints while it waits, and in the timeout error. */
  what: string;
  /** Gives up after this long, naming the holder; undefined waits for as long as it takes. */
  timeoutMs?: number;
}

function ownerOf(directory: string): string | undefined {
  try {
    const token = readFileSync(join(directory, 'owner'), 'utf8').trim();
    return ownerPidOf(token) === undefined ? undefined : token;
  } catch {
    return undefined;
  }
}

/** A lock directory with no owner written 10 s after it was made: its maker died in between. */
function ownerlessForAWhile(directory: string): boolean {
  try {
    return Date.now() - statSync(directory).mtimeMs > 10_000;
  } catch {
    return false;
  }
}

/** Waits until this process holds the lock at `directory`; returns the release function. */
export async function acquireDirectoryLock(directory: string, options: DirectoryLockOptions): Promise<() => void> {
  const me = ownerToken();
  const deadline = options.timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.timeoutMs;
  let told = false;
  for (;;) {
    try {
      mkdirSync(directory);
      writeFileSync(join(directory, 'owner'), me);
      return () => {
        if (ownerOf(directory) === me) rmSync(directory, { recursive: true, force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = ownerOf(directory);
    if (owner === undefined ? ownerlessForAWhile(directory) : !ownerAlive(owner)) {
      rmSync(directory, { recursive: true, force: true });
      continue;
    }
    const holder = `pid ${owner === undefined ? '?' : ownerPidOf(owner)}`;
    if (Date.now() > deadline) throw new Error(`${options.what}: another run (${holder}) holds ${directory}; wait for it or stop it`);
    if (!told) {
      process.stderr.write(`[${options.what}] waiting for another run (${holder}) to finish\n`);
      told = true;
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}
