/**
 * One real-engine stack at a time on a machine: the e2e and the CLI bench both run the `lite`
 * profile on fixed host ports as the same Compose project, so a second run would tear down or
 * recreate the first one's containers mid-test. A lock directory (mkdir is atomic) serialises
 * them; a lock whose owner process is gone is taken over.
 *
 * Plain erasable TypeScript so the bench (plain Node) can import it too.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const lockDirectory = join(tmpdir(), 'innover-stack-e2e.lock');

function ownerOf(): number | undefined {
  try {
    const pid = Number(readFileSync(join(lockDirectory, 'owner'), 'utf8'));
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Waits (up to `timeoutMs`) until this process holds the lock; returns the release function. */
export async function acquireStackLock(what: string, timeoutMs = 30 * 60_000): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  let told = false;
  for (;;) {
    try {
      mkdirSync(lockDirectory);
      writeFileSync(join(lockDirectory, 'owner'), String(process.pid));
      return () => {
        if (ownerOf() === process.pid) rmSync(lockDirectory, { recursive: true, force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = ownerOf();
    if (owner !== undefined && !alive(owner)) {
      rmSync(lockDirectory, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`${what}: another real-engine run (pid ${owner ?? '?'}) holds ${lockDirectory}`);
    if (!told) {
      process.stderr.write(`[${what}] waiting for another real-engine run (pid ${owner ?? '?'}) to finish\n`);
      told = true;
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}
