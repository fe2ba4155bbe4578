/**
 * `images push`, `save` and `load` on the real Docker engine, with the repository's own `lite`
 * profile (the only one whose images exist here). Push goes to Debian's docker-registry on a free
 * loopback port and is checked through the registry's HTTP API; save and load make a round trip
 * that deletes no image another test or stack needs: only a throwaway alias is removed and restored.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineClient } from '../../src/clients/engine-client.js';
import { createContext } from '../../src/context.js';
import { saveImageArchive } from '../../src/images/image-archive.js';
import type { PushResult } from '../../src/images/push-images.js';
import { loadTopology } from '../../src/topology/load.js';
import { planStack } from '../../src/plan/plan-stack.js';
import { captureOutput, runCli } from '../support/run-cli.js';
import { manifestAccept, startLocalRegistry, type LocalRegistry } from './local-registry.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
// Its own Compose project, so the build record never mixes with a developer's or the e2e's stack.
const env: Record<string, string | undefined> = { ...process.env, INNOVER_PROJECT: 'innover-images-int', NO_COLOR: '1' };
delete env['INNOVER_REGISTRY_USERNAME'];
delete env['INNOVER_REGISTRY_PASSWORD'];
const minutes = 60_000;

function engineClient(): Promise<EngineClient> {
  return createContext({ root, env, out: captureOutput() }).client('engine');
}

describe('innover images push (a local docker-registry)', () => {
  let registry: LocalRegistry;
  let engine: EngineClient;
  const pushedTags: string[] = [];

  beforeAll(async () => {
    registry = await startLocalRegistry();
    engine = await engineClient();
  }, 2 * minutes);

  afterAll(async () => {
    // Only the references this test made: the pushed names on this engine.
    if (engine && pushedTags.length > 0) await engine.removeImages(pushedTags);
    await registry?.stop();
  }, 2 * minutes);

  it(
    "builds, tags and pushes a service image and, with --all, a third-party one; the registry holds them under the digests reported",
    async () => {
      const tag = `int-${process.pid}`;
      const result = await runCli(['images', 'push', '--registry', registry.host, '--tag', tag, '--profile', 'lite', '--all', 'payment', 'redis', '--json'], { root, env });
      const pushed = JSON.parse(result.stdout || '{}') as Partial<PushResult>;
      pushedTags.push(...(pushed.images ?? []).map((image) => image.reference));
      expect(result.stderr.filter((line) => line.startsWith('innover:')), result.stderr.slice(-20).join('\n')).toEqual([]);
      expect(result.exitCode).toBe(0);
      expect(pushed.images?.map((image) => [image.source, image.reference])).toEqual([
        ['innover/payment:local', `${registry.host}/innover/payment:${tag}`],
        ['redis:7.4-bookworm', `${registry.host}/redis:7.4-bookworm`],
      ]);
      expect(result.stderr).toContain(`[1/2] innover/payment:local -> ${registry.host}/innover/payment:${tag}`);

      for (const [image, [name, reference]] of (pushed.images ?? []).map((entry) => [entry, [entry.reference.slice(registry.host.length + 1).split(':')[0], entry.reference.split(':').pop()]] as const)) {
        const tags = (await (await fetch(`${registry.url}/v2/${name}/tags/list`)).json()) as { name: string; tags: string[] };
        expect(tags).toEqual({ name, tags: [reference] });
        const manifest = await fetch(`${registry.url}/v2/${name}/manifests/${reference}`, { method: 'HEAD', headers: { accept: manifestAccept } });
        expect(manifest.status).toBe(200);
        expect(manifest.headers.get('docker-content-digest')).toBe(image.digest);
      }
    },
    30 * minutes,
  );
});

describe('innover images save / load (round trip of lite)', () => {
  const folder = mkdtempSync(join(tmpdir(), 'innover-images-'));
  const archive = join(folder, 'lite.tar');
  const alias = `innover-roundtrip/redis:test-${process.pid}`;
  let engine: EngineClient;

  beforeAll(async () => {
    const { bavail, bsize } = statfsSync(folder);
    const free = bavail * bsize;
    if (free < 4 * 1024 ** 3) throw new Error(`${folder} has ${(free / 1024 ** 3).toFixed(1)} GiB free; the lite archive needs about 1.5 GiB plus room: free some space (df -h)`);
    engine = await engineClient();
  });

  afterAll(async () => {
    if (engine) await engine.removeImages([alias]);
    rmSync(folder, { recursive: true, force: true });
  }, 2 * minutes);

  it(
    'saves every lite image into one archive and loads it back: a removed alias returns with its image id',
    async () => {
      const topology = await loadTopology(root);
      const images = [...new Set(planStack(topology, 'lite').workloads.map((container) => container.image))];
      const source = topology.infrastructure.redis.image;
      const id = (await engine.imageIds([source]))[source];
      expect(id, `${source} is on this engine`).toBeDefined();
      await engine.tagImage(source, alias);

      const out = captureOutput();
      const ctx = createContext({ root, env, out });
      const saved = await saveImageArchive(ctx, { file: archive, profile: 'lite', build: true, extraImages: [alias] });
      expect(saved.images).toEqual([...images.filter((image) => image.startsWith('innover/')), ...images.filter((image) => !image.startsWith('innover/')), alias]);
      expect(readdirSync(folder)).toEqual(['lite.tar']);
      expect(out.stderr.some((line) => /^written \d+ MB$/.test(line))).toBe(true);

      // The archive's manifest names every lite image (and the alias).
      const manifest = JSON.parse(execFileSync('tar', ['-xOf', archive, 'manifest.json'], { maxBuffer: 16 * 1024 * 1024 }).toString()) as Array<{ RepoTags: string[] | null }>;
      const tags = manifest.flatMap((entry) => entry.RepoTags ?? []);
      for (const image of [...images, alias]) expect(tags).toContain(image);

      expect(await engine.removeImages([alias])).toEqual({ removed: [alias], missing: [] });
      expect((await engine.imageIds([alias]))[alias]).toBeUndefined();
      // The image itself stays: only the alias was removed.
      expect((await engine.imageIds([source]))[source]).toBe(id);

      const loaded = await runCli(['images', 'load', archive, '--json'], { root, env });
      expect(loaded.exitCode, loaded.stderr.join('\n')).toBe(0);
      const result = JSON.parse(loaded.stdout) as { loaded: string[] };
      expect(result.loaded).toContain(alias);
      for (const image of images) expect(result.loaded).toContain(image);
      expect((await engine.imageIds([alias]))[alias]).toBe(id);
      expect(existsSync(archive)).toBe(true);
    },
    30 * minutes,
  );
});
