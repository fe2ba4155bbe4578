import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderEnvExample } from '../../src/env/example.js';
import { renderProfileFiles } from '../../src/render/profile-files.js';
import { defaultStack } from '../topology/fixtures.js';

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** `docker compose` itself, run on the real files: the integration tier's check that Compose accepts them. */
async function composeConfig(projectDirectory: string, file: string): Promise<{ exitCode: number; stderr: string }> {
  const result = await execa(
    'docker',
    ['compose', '--project-directory', projectDirectory, '-f', file, '--env-file', join(projectDirectory, '.env.example'), 'config', '-q'],
    { reject: false, env: { COMPOSE_PROJECT_NAME: 'innover-config-test' } },
  );
  return { exitCode: result.exitCode ?? -1, stderr: String(result.stderr) };
}

beforeAll(async () => {
  const version = await execa('docker', ['compose', 'version'], { reject: false });
  if (version.exitCode !== 0) {
    throw new Error(
      'docker compose v2 is not available: install Docker Engine 24+ with the Compose v2 plugin (Debian: docker.io and docker-compose from trixie, see DEVELOPERS.md)',
    );
  }
});

describe('docker compose config accepts the generated files', () => {
  it('the committed docker-compose.yml with .env.example', async () => {
    expect(await composeConfig(repositoryRoot, join(repositoryRoot, 'docker-compose.yml'))).toEqual({ exitCode: 0, stderr: '' });
  });

  describe('every profile, rendered into its own files', () => {
    let root: string;
    beforeAll(() => {
      root = mkdtempSync(join(tmpdir(), 'innover-compose-'));
      writeFileSync(join(root, '.env.example'), renderEnvExample(defaultStack()));
    });
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    it.each(Object.keys(defaultStack().profiles))('%s', async (profile) => {
      const files = renderProfileFiles(defaultStack(), profile);
      for (const file of files) {
        mkdirSync(dirname(join(root, file.path)), { recursive: true });
        writeFileSync(join(root, file.path), file.content);
      }
      expect(await composeConfig(root, join(root, files[0]!.path))).toEqual({ exitCode: 0, stderr: '' });
    });
  });

  it('refuses a broken file, so a pass means something', async () => {
    const root = mkdtempSync(join(tmpdir(), 'innover-compose-'));
    try {
      writeFileSync(join(root, '.env.example'), renderEnvExample(defaultStack()));
      writeFileSync(join(root, 'broken.yml'), 'services:\n  a:\n    image: x\n    depends_on:\n      missing:\n        condition: service_healthy\n');
      expect((await composeConfig(root, join(root, 'broken.yml'))).exitCode).not.toBe(0);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
