/**
 * One real-engine stack at a time on a machine: the e2e and the CLI bench both run the `lite`
 * profile on fixed host ports as the same Compose project, so a second run would tear down or
 * recreate the first one's containers mid-test. A directory lock (test/support/directory-lock.ts)
 * serialises them; a lock whose owner is gone, even one a restored snapshot or a reboot left in
 * /tmp under a pid that now names another process, is taken over rather than waited on.
 *
 * Plain erasable TypeScript so the bench (plain Node) can import it too.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireDirectoryLock } from '../support/directory-lock.ts';

const lockDirectory = join(tmpdir(), 'innover-stack-e2e.lock');

/**
 * Waits (up to `timeoutMs`, less than the e2e's 30-minute hook so the error names the holder)
 * until this process holds the real-engine lock; returns the release function.
 */
export async function acquireStackLock(what: string, timeoutMs = 25 * 60_000): Promise<() => void> {
  return await acquireDirectoryLock(lockDirectory, { what: `${what}: real engine`, timeoutMs });
}
