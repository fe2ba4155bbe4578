import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireDirectoryLock } from './directory-lock.js';
import { ownerAlive, ownerToken } from './process-identity.js';

const scratch = mkdtempSync(join(tmpdir(), 'innover-lock-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function lockAt(name: string, owner?: string): string {
  const directory = join(scratch, name);
  mkdirSync(directory);
  if (owner !== undefined) writeFileSync(join(directory, 'owner'), owner);
  return directory;
}

describe('owner tokens', () => {
  it('name this process with its start, and tell a reused pid from its first owner', () => {
    const token = ownerToken();
    expect(token).toMatch(new RegExp(`^${process.pid}@[0-9a-f-]{36}:\\d+$`));
    expect(ownerAlive(token)).toBe(true);
    // The same pid recorded by a process that started at another time (a restored snapshot).
    expect(ownerAlive(token.replace(/:\d+$/, ':1'))).toBe(false);
    expect(ownerAlive(token.replace(/@[0-9a-f-]{36}/, '@00000000-0000-0000-0000-000000000000'))).toBe(false);
    expect(ownerAlive(String(spawnSync(process.execPath, ['-e', '']).pid))).toBe(false);
    expect(ownerAlive('not-a-pid')).toBe(false);
  });
});

describe('a directory lock', () => {
  it('is taken over when its owner is gone, reused since, or never written', async () => {
    const reused = ownerToken().replace(/:\d+$/, ':1');
    const gone = String(spawnSync(process.execPath, ['-e', '']).pid);
    for (const [name, owner] of [['reused', reused], ['gone', gone]] as const) {
      const directory = lockAt(name, owner);
      const release = await acquireDirectoryLock(directory, { what: 'test', timeoutMs: 5_000 });
      expect(readFileSync(join(directory, 'owner'), 'utf8')).toBe(ownerToken());
      release();
      expect(existsSync(directory)).toBe(false);
    }
    const ownerless = lockAt('ownerless');
    utimesSync(ownerless, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    (await acquireDirectoryLock(ownerless, { what: 'test', timeoutMs: 5_000 }))();
  });

  it('waits for a live owner, then names it when it gives up', async () => {
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => holder.once('spawn', resolve));
      const directory = lockAt('held', ownerToken(holder.pid));
      await expect(acquireDirectoryLock(directory, { what: 'test', timeoutMs: 1_500 })).rejects.toThrow(
        `test: another run (pid ${holder.pid}) holds ${directory}; wait for it or stop it`,
      );
      expect(existsSync(directory)).toBe(true);
    } finally {
      holder.kill();
    }
  });
});
