import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFileWatchClient } from '../../src/clients/file-watch-client.js';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe('the file watch client', () => {
  it('reports a save of a watched file, an editor-style rename too, and nothing of the other files', async () => {
    const root = mkdtempSync(join(tmpdir(), 'innover-file-watch-'));
    roots.push(root);
    writeFileSync(join(root, 'innover.yaml'), 'project: a\n');
    const controller = new AbortController();
    const batches: string[][] = [];
    let saves = 0;
    const watching = createFileWatchClient().watch(root, ['innover.yaml', '.env'], {
      signal: controller.signal,
      debounceMilliseconds: 20,
      onChange: (names) => {
        batches.push(names);
        if (saves === 1) {
          // The second save writes a temporary file and renames it over innover.yaml, as editors do.
          saves += 1;
          writeFileSync(join(root, 'innover.yaml.tmp'), 'project: c\n');
          renameSync(join(root, 'innover.yaml.tmp'), join(root, 'innover.yaml'));
        } else controller.abort();
      },
    });
    writeFileSync(join(root, 'other.txt'), 'ignored\n');
    saves = 1;
    writeFileSync(join(root, 'innover.yaml'), 'project: b\n');
    await watching;
    expect(batches).toEqual([['innover.yaml'], ['innover.yaml']]);
  });

  it('resolves at once when already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(createFileWatchClient().watch(tmpdir(), ['innover.yaml'], { signal: controller.signal, onChange: () => expect.fail('no change') })).resolves.toBeUndefined();
  });
});
