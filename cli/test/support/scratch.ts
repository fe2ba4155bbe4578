import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, onTestFinished } from 'vitest';

/**
 * Removes `path` when the test (or beforeEach) that made it finishes, passed or failed; made while
 * a file or suite is collected, when that suite ends. Not from a beforeAll: Vitest silently drops an
 * afterAll registered there, so a beforeAll removes its folder in its own afterAll. Tests otherwise
 * leave thousands of folders in /tmp.
 */
export function removeWhenDone(path: string): void {
  const remove = (): void => rmSync(path, { recursive: true, force: true });
  try {
    onTestFinished(remove);
  } catch {
    afterAll(remove);
  }
}

/** A fresh folder under the OS temp folder (`<prefix>XXXXXX`), removed as {@link removeWhenDone} says. */
export function scratchDirectory(prefix: string): string {
  const path = mkdtempSync(join(tmpdir(), prefix));
  removeWhenDone(path);
  return path;
}
