import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildFingerprint, parseDockerignore } from '../../src/host/build-fingerprint.js';
import { scratchDirectory } from '../support/scratch.js';

describe('the build context fingerprint', () => {
  it('reads the .dockerignore forms innover uses and refuses the others', () => {
    expect(parseDockerignore('**/node_modules\n**/*.tsbuildinfo\n.git\n# comment\n.env\n')).toEqual({
      names: new Set(['node_modules']),
      suffixes: ['.tsbuildinfo'],
      paths: new Set(['.git', '.env']),
    });
    expect(parseDockerignore('!keep.me')).toBeUndefined();
    expect(parseDockerignore('src/*.js')).toBeUndefined();
  });

  it('changes with a file Docker would send, not with an ignored one', async () => {
    const root = scratchDirectory('innover-fingerprint-');
    writeFileSync(join(root, '.dockerignore'), '**/node_modules\n**/dist\n.env\n');
    mkdirSync(join(root, 'services', 'kit', 'dist'), { recursive: true });
    writeFileSync(join(root, 'services', 'kit', 'index.ts'), 'export {};\n');
    const first = await buildFingerprint(root, 'compose');
    expect(first).toMatch(/^[0-9a-f]{64}$/);

    writeFileSync(join(root, 'services', 'kit', 'dist', 'index.js'), 'built');
    writeFileSync(join(root, '.env'), 'SECRET=1');
    mkdirSync(join(root, '.innover'));
    writeFileSync(join(root, '.innover', 'state.json'), '{}');
    expect(await buildFingerprint(root, 'compose')).toBe(first);
    expect(await buildFingerprint(root, 'another compose file')).not.toBe(first);

    utimesSync(join(root, 'services', 'kit', 'index.ts'), new Date(), new Date(Date.now() + 5_000));
    expect(await buildFingerprint(root, 'compose')).not.toBe(first);
  });

  it('is unknowable (so up builds) when .dockerignore uses a form it cannot follow', async () => {
    const root = scratchDirectory('innover-fingerprint-');
    writeFileSync(join(root, '.dockerignore'), '!important\n');
    expect(await buildFingerprint(root, '')).toBeUndefined();
  });
});
