/**
 * Who owns a lock or a peer container, in a form that survives pid reuse. A bare pid is not
 * enough: a machine restored from a snapshot (or rebooted) keeps /tmp and the engine's
 * containers, and the recorded pid may by then belong to an unrelated process, so a stale lock
 * looks held forever. On Linux the owner is the pid plus the boot id and the process's start
 * time (field 22 of /proc/<pid>/stat), which together name one process once; elsewhere it is the
 * pid alone.
 *
 * Plain erasable TypeScript so the bench (plain Node) can import it too.
 */
import { readFileSync } from 'node:fs';

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** `<boot id>:<start ticks>` of a live process on Linux; undefined elsewhere or when it is gone. */
export function processStart(pid: number): string | undefined {
  const bootId = read('/proc/sys/kernel/random/boot_id');
  const stat = read(`/proc/${pid}/stat`);
  if (bootId === undefined || stat === undefined) return undefined;
  // The command name (field 2) is in parentheses and may hold spaces: count from its end.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const startTicks = fields[19];
  return startTicks === undefined ? undefined : `${bootId}:${startTicks}`;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The owner token of a process: `<pid>` or `<pid>@<boot id>:<start ticks>`. */
export function ownerToken(pid: number = process.pid): string {
  const start = processStart(pid);
  return start === undefined ? String(pid) : `${pid}@${start}`;
}

/** The pid an owner token names, if it is one. */
export function ownerPidOf(token: string): number | undefined {
  const pid = Number(token.split('@')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * Whether the process a token names still runs: its pid is alive and, when the token recorded a
 * start, it is the same process (same boot, same start time), not a later one given the pid.
 */
export function ownerAlive(token: string): boolean {
  const pid = ownerPidOf(token);
  if (pid === undefined || !pidAlive(pid)) return false;
  const recorded = token.split('@')[1];
  if (recorded === undefined) return true;
  const current = processStart(pid);
  return current === undefined || current === recorded;
}
