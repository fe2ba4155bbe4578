import { readdir, readFile, readlink } from 'node:fs/promises';
import { basename } from 'node:path';

/** A process listening on a TCP port of this machine. */
export interface PortHolder {
  port: number;
  pid?: number;
  command?: string;
}

/**
 * Parses /proc/net/tcp{,6} (pure): the local ports in LISTEN state (0A), each with its socket inode.
 */
export function listeningSockets(table: string): Array<{ port: number; inode: string }> {
  const sockets: Array<{ port: number; inode: string }> = [];
  for (const line of table.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    const local = fields[1];
    if (!local || fields[3] !== '0A') continue;
    const port = Number.parseInt(local.split(':').pop() ?? '', 16);
    if (Number.isFinite(port)) sockets.push({ port, inode: fields[9] ?? '' });
  }
  return sockets;
}

/**
 * The listeners among `ports`, named by process when /proc lets us see it (Linux). Reads /proc
 * only, so it needs no `ss` or `lsof`. Elsewhere it returns nothing and the caller falls back.
 */
export async function findPortHolders(ports: readonly number[]): Promise<Map<number, PortHolder>> {
  const wanted = new Set(ports);
  const holders = new Map<number, PortHolder>();
  const inodes = new Map<string, number>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const table = await readFile(file, 'utf8').catch(() => '');
    for (const socket of listeningSockets(table)) {
      if (!wanted.has(socket.port) || holders.has(socket.port)) continue;
      holders.set(socket.port, { port: socket.port });
      if (socket.inode && socket.inode !== '0') inodes.set(socket.inode, socket.port);
    }
  }
  if (inodes.size === 0) return holders;
  const pids = await readdir('/proc').catch(() => [] as string[]);
  for (const pid of pids.filter((entry) => /^\d+$/.test(entry))) {
    const descriptors = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    for (const descriptor of descriptors) {
      const link = await readlink(`/proc/${pid}/fd/${descriptor}`).catch(() => '');
      const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
      const port = inode ? inodes.get(inode) : undefined;
      if (port === undefined) continue;
      const command = await processName(pid);
      holders.set(port, { port, pid: Number(pid), ...(command ? { command } : {}) });
      inodes.delete(inode as string);
    }
    if (inodes.size === 0) break;
  }
  return holders;
}

/**
 * The program a process runs, as a person would name it (pure): the base name of its first
 * argument, else its `comm`. Only argv[0], never the arguments, which may hold secrets
 * (`redis-server --requirepass ...`). `comm` alone misleads: Node names its main thread
 * `MainThread`.
 */
export function programName(cmdline: string, comm: string): string | undefined {
  // Some programs rewrite their title into argv[0] (`redis-server *:6379`): keep the first word.
  const first = cmdline.split('\0')[0]?.trim().split(/\s+/)[0];
  const name = first ? basename(first) : comm.trim();
  return name || undefined;
}

async function processName(pid: string): Promise<string | undefined> {
  const [cmdline, comm] = await Promise.all([
    readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => ''),
    readFile(`/proc/${pid}/comm`, 'utf8').catch(() => ''),
  ]);
  return programName(cmdline, comm);
}
