import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ComposeBuildOptions, ComposeClient } from '../../src/clients/compose-client.js';
import type { EngineClient, PushOptions } from '../../src/clients/engine-client.js';
import { planStack } from '../../src/plan/plan-stack.js';
import { version } from '../../src/version.js';
import { runCli, strictFake } from '../support/run-cli.js';
import { defaultStack } from '../topology/fixtures.js';
import { stackRoot, testEnv } from '../commands/stack-context.js';
import { scratchDirectory } from '../support/scratch.js';

const topology = defaultStack();

interface Recorded {
  tags: Array<[string, string]>;
  pushes: Array<{ reference: string; options: PushOptions | undefined }>;
  pulls: string[];
  builds: ComposeBuildOptions[];
}

/** An engine holding `present` images (all of the profile's by default) that records tag, push and pull. */
function fakeEngine(options: { present?: (reference: string) => boolean; pushError?: string; pullError?: string } = {}): { engine: EngineClient; recorded: Recorded } {
  const recorded: Recorded = { tags: [], pushes: [], pulls: [], builds: [] };
  const present = options.present ?? (() => true);
  const engine = strictFake<EngineClient>('engine', {
    ping: async () => undefined,
    imageIds: async (references) => Object.fromEntries(references.map((reference) => [reference, present(reference) ? `sha256:id-of-${reference}` : undefined])),
    tagImage: async (source, target) => void recorded.tags.push([source, target]),
    pushImage: async (reference, pushOptions) => {
      recorded.pushes.push({ reference, options: pushOptions });
      if (options.pushError) throw new Error(options.pushError);
      pushOptions?.onProgress?.({ layer: 'abc123', status: 'Pushed' });
      return { digest: `sha256:${String(recorded.pushes.length).padStart(64, '0')}` };
    },
    pullImage: async (reference) => {
      recorded.pulls.push(reference);
      if (options.pullError) throw new Error(options.pullError);
    },
  });
  return { engine, recorded };
}

const composeRecording = (recorded: Recorded): ComposeClient =>
  strictFake<ComposeClient>('compose', { build: async (_project, buildOptions) => void recorded.builds.push(buildOptions) });

const run = (argv: string[], clients: { engine?: EngineClient; compose?: ComposeClient }, env: Record<string, string> = {}, root = stackRoot(['lite'])) =>
  runCli(argv, { root, topology, dotenv: testEnv, clients, env });

describe('innover images push', () => {
  it('with --all on the full profile: builds once per service image, then tags and pushes every image of the plan', async () => {
    const { engine, recorded } = fakeEngine({ present: (reference) => !reference.startsWith('wso2/') });
    const result = await run(['images', 'push', '--registry', 'registry.example.com:5000/team', '--all', '--profile', 'full', '--json'], {
      engine,
      compose: composeRecording(recorded),
    });
    expect(result.stderr.filter((line) => line.startsWith('innover:'))).toEqual([]);
    expect(result.exitCode).toBe(0);
    // One build of the six service images, through their API containers (never a worker's).
    expect(recorded.builds).toHaveLength(1);
    expect(recorded.builds[0]?.services).toEqual(topology.services.map((service) => service.name));
    // Only the absent third-party image is pulled.
    expect(recorded.pulls).toEqual(['wso2/wso2am:4.5.0']);
    const json = JSON.parse(result.stdout) as { tag: string; registry: string; images: Array<{ kind: string; source: string; reference: string; digest: string }> };
    expect(json.tag).toBe(version);
    const r = 'registry.example.com:5000/team';
    expect(json.images.map((image) => [image.source, image.reference])).toEqual([
      ...topology.services.map((service) => [`innover/${service.name}:local`, `${r}/innover/${service.name}:${version}`]),
      ['cockroachdb/cockroach:v24.3.6', `${r}/cockroachdb/cockroach:v24.3.6`],
      ['redis:7.4-bookworm', `${r}/redis:7.4-bookworm`],
      ['docker.redpanda.com/redpandadata/redpanda:v24.3.6', `${r}/redpandadata/redpanda:v24.3.6`],
      ['jaegertracing/jaeger:2.20.0', `${r}/jaegertracing/jaeger:2.20.0`],
      ['otel/opentelemetry-collector-contrib:0.115.1', `${r}/otel/opentelemetry-collector-contrib:0.115.1`],
      ['quay.io/keycloak/keycloak:26.6.0', `${r}/keycloak/keycloak:26.6.0`],
      ['nginx:1.27-bookworm', `${r}/nginx:1.27-bookworm`],
      ['wso2/wso2am:4.5.0', `${r}/wso2/wso2am:4.5.0`],
    ]);
    // Every image of the plan, each once.
    const planned = new Set(planStack(topology, 'full').workloads.map((container) => container.image));
    expect(new Set(json.images.map((image) => image.source))).toEqual(planned);
    expect(json.images.every((image) => /^sha256:[0-9]{64}$/.test(image.digest))).toBe(true);
    expect(recorded.tags.map(([, target]) => target)).toEqual(json.images.map((image) => image.reference));
    expect(recorded.pushes.map((push) => push.reference)).toEqual(json.images.map((image) => image.reference));
    // Progress: one line per image and per layer done.
    expect(result.stderr).toContain(`[1/14] innover/profile:local -> ${r}/innover/profile:${version}`);
    expect(result.stderr).toContain(`[1/14] ${r}/innover/profile:${version}: layer abc123 pushed (1 done)`);
  });

  it('without --all pushes only the service images; --tag sets their tag; --no-build builds nothing', async () => {
    const { engine, recorded } = fakeEngine();
    const result = await run(['images', 'push', '--registry', '127.0.0.1:5000', '--tag', 'abc1234', '--profile', 'lite', '--no-build'], { engine });
    expect(result.exitCode).toBe(0);
    expect(recorded.pulls).toEqual([]);
    expect(recorded.pushes.map((push) => push.reference)).toEqual(topology.services.map((service) => `127.0.0.1:5000/innover/${service.name}:abc1234`));
    expect(result.stdout).toContain('image.registry=127.0.0.1:5000, image.tag=abc1234');
  });

  it('named containers select their images; a worker names its service image; a third-party one needs --all', async () => {
    const { engine, recorded } = fakeEngine();
    const ok = await run(['images', 'push', '--registry', 'r.example', '--profile', 'lite', '--no-build', '--all', 'payment-worker', 'redis'], { engine });
    expect(ok.exitCode).toBe(0);
    expect(recorded.pushes.map((push) => push.reference)).toEqual([`r.example/innover/payment:${version}`, 'r.example/redis:7.4-bookworm']);

    const refused = await run(['images', 'push', '--registry', 'r.example', '--profile', 'lite', 'redis'], { engine });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toEqual(["innover: 'redis' runs a third-party image: add --all to push third-party images too"]);

    const unknown = await run(['images', 'push', '--registry', 'r.example', '--profile', 'lite', 'keycloak'], { engine });
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toEqual([expect.stringMatching(/^innover: no container 'keycloak' in profile 'lite': use one of postgres, redis, /)]);
  });

  it('refuses a missing or malformed --registry and a bad --tag with exit 2, one line each, before touching the engine', async () => {
    const engine = strictFake<EngineClient>('engine', {});
    const cases: Array<[string[], RegExp]> = [
      [[], /^innover: --registry: give the registry to push to/],
      [['--registry', 'https://registry.example.com'], /^innover: --registry: drop the scheme \('registry.example.com'\)/],
      [['--registry', 'bob:hunter2secret@registry.example.com'], /^innover: --registry: no credentials in the registry: set INNOVER_REGISTRY_USERNAME and INNOVER_REGISTRY_PASSWORD instead$/],
      [['--registry', 'https://bob:hunter2secret@registry.example.com'], /^innover: --registry: drop the scheme \('registry.example.com'\)/],
      [['--registry', 'Not A Registry'], /^innover: --registry: 'Not A Registry' is not a registry: use host\[:port\]\[\/path\]/],
      [['--registry', 'r.example', '--tag', '-bad'], /^innover: --tag: '-bad' is not a Docker tag/],
    ];
    for (const [flags, message] of cases) {
      const result = await run(['images', 'push', '--profile', 'lite', ...flags], { engine });
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toEqual([expect.stringMatching(message)]);
      expect(result.stderr.join('\n')).not.toContain('hunter2secret');
    }
  });

  it('sends the login from the environment to the engine only: never in output, --json or an error', async () => {
    const env = { INNOVER_REGISTRY_USERNAME: 'ci-bot', INNOVER_REGISTRY_PASSWORD: 'pa55-w0rd-secret' };
    const { engine, recorded } = fakeEngine();
    const result = await run(['images', 'push', '--registry', 'r.example:443/team', '--profile', 'lite', '--no-build', '--json', 'payment'], { engine }, env);
    expect(result.exitCode).toBe(0);
    expect(recorded.pushes[0]?.options?.auth).toEqual({ username: 'ci-bot', password: 'pa55-w0rd-secret', serveraddress: 'r.example:443' });
    expect(`${result.stdout}${result.stderr.join('\n')}`).not.toContain('pa55-w0rd-secret');

    // An engine message that echoes the password is masked.
    const failing = fakeEngine({ pushError: 'unauthorized: login pa55-w0rd-secret refused' });
    const denied = await run(['images', 'push', '--registry', 'r.example', '--profile', 'lite', '--no-build', 'payment'], { engine: failing.engine }, env);
    expect(denied.exitCode).toBe(1);
    expect(denied.stderr.filter((line) => line.startsWith('innover:'))).toEqual([
      `innover: push of r.example/innover/payment:${version} failed (unauthorized: login *** refused): set INNOVER_REGISTRY_USERNAME and INNOVER_REGISTRY_PASSWORD to an account that may push to r.example`,
    ]);

    const half = await run(['images', 'push', '--registry', 'r.example', '--profile', 'lite'], { engine }, { INNOVER_REGISTRY_PASSWORD: 'x' });
    expect(half.exitCode).toBe(1);
    expect(half.stderr).toEqual(['innover: set both INNOVER_REGISTRY_USERNAME and INNOVER_REGISTRY_PASSWORD for a registry that needs a login (or neither for an anonymous push)']);
  });

  it("falls back to the login `docker login` stored inline for the registry's host", async () => {
    const config = scratchDirectory('innover-docker-config-');
    const auth = Buffer.from('robot:d0cker-l0gin-secret').toString('base64');
    writeFileSync(join(config, 'config.json'), JSON.stringify({ auths: { 'https://r.example:5000': { auth }, 'other.example': { auth: 'eDp5' } } }));
    const { engine, recorded } = fakeEngine();
    const result = await run(['images', 'push', '--registry', 'r.example:5000/team', '--profile', 'lite', '--no-build', '--json', 'payment'], { engine }, { DOCKER_CONFIG: config });
    expect(result.exitCode).toBe(0);
    expect(recorded.pushes[0]?.options?.auth).toEqual({ username: 'robot', password: 'd0cker-l0gin-secret', serveraddress: 'r.example:5000' });
    expect(`${result.stdout}${result.stderr.join('\n')}`).not.toContain('d0cker-l0gin-secret');
    expect(`${result.stdout}${result.stderr.join('\n')}`).not.toContain(auth);

    const anonymous = fakeEngine();
    await run(['images', 'push', '--registry', 'elsewhere.example', '--profile', 'lite', '--no-build', 'payment'], { engine: anonymous.engine }, { DOCKER_CONFIG: config });
    expect(anonymous.recorded.pushes[0]?.options?.auth).toBeUndefined();
  });

  it('names the image and the fix, in one line, when a third-party image is absent and cannot be pulled', async () => {
    const { engine } = fakeEngine({
      present: (reference) => reference !== 'redis:7.4-bookworm',
      pullError: 'Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: no such host\nmore detail',
    });
    const result = await run(['images', 'push', '--registry', 'r.example', '--profile', 'lite', '--no-build', '--all'], { engine });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('pulling redis:7.4-bookworm (not on this engine)');
    expect(result.stderr.filter((line) => line.startsWith('innover:'))).toEqual([
      'innover: image redis:7.4-bookworm is not on this engine and could not be pulled (Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: no such host): pull it where its registry answers, then bring it here with innover images save and innover images load',
    ]);
  });

  it('with --no-build, a service image never built is one line with the fix', async () => {
    const { engine } = fakeEngine({ present: (reference) => reference !== 'innover/ledger:local' });
    const result = await run(['images', 'push', '--registry', 'r.example', '--profile', 'lite', '--no-build'], { engine });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toEqual(['innover: image innover/ledger:local is not built: run innover images push without --no-build (or innover up --profile lite)']);
  });

  it('names the registry and the fix when the engine cannot reach it', async () => {
    const { engine } = fakeEngine({ pushError: 'Get "http://127.0.0.1:1/v2/": dial tcp 127.0.0.1:1: connect: connection refused' });
    const result = await run(['images', 'push', '--registry', '127.0.0.1:1', '--profile', 'lite', '--no-build', 'payment'], { engine });
    expect(result.exitCode).toBe(1);
    expect(result.stderr.filter((line) => line.startsWith('innover:'))).toEqual([
      `innover: push of 127.0.0.1:1/innover/payment:${version} failed (Get "http://127.0.0.1:1/v2/": dial tcp 127.0.0.1:1: connect: connection refused): check that 127.0.0.1:1 runs and that the Docker engine reaches it`,
    ]);
  });
});

/** An archive's first bytes: a tar header (ustar magic at 257). */
function tarBytes(size = 2048): Buffer {
  const bytes = Buffer.alloc(size);
  bytes.write('manifest.json', 0, 'latin1');
  bytes.write('ustar', 257, 'latin1');
  return bytes;
}

describe('innover images save', () => {
  it('writes every image of the profile, third-party ones included, into one archive, and nothing else beside it', async () => {
    const folder = scratchDirectory('innover-save-');
    const asked: string[][] = [];
    const { engine } = fakeEngine();
    const exporting = strictFake<EngineClient>('engine', {
      ping: engine.ping,
      imageIds: engine.imageIds,
      exportImages: async (references) => {
        asked.push([...references]);
        return Readable.from([tarBytes(1024), tarBytes(1024)]);
      },
    });
    const file = join(folder, 'lite.tar');
    const result = await run(['images', 'save', file, '--profile', 'lite', '--no-build', '--json'], { engine: exporting });
    expect(result.exitCode).toBe(0);
    const planned = [...new Set(planStack(topology, 'lite').workloads.map((container) => container.image))];
    expect(asked).toHaveLength(1);
    expect(new Set(asked[0])).toEqual(new Set(planned));
    expect(asked[0]).toHaveLength(planned.length);
    expect(readFileSync(file).length).toBe(2048);
    expect(readdirSync(folder)).toEqual(['lite.tar']);
    expect(JSON.parse(result.stdout)).toMatchObject({ profile: 'lite', file, bytes: 2048 });
  });

  it('leaves no archive under the final name, and no temporary file, when the stream fails halfway', async () => {
    const folder = scratchDirectory('innover-save-');
    const { engine } = fakeEngine();
    const failing = strictFake<EngineClient>('engine', {
      ping: engine.ping,
      imageIds: engine.imageIds,
      exportImages: async () =>
        Readable.from(
          (async function* () {
            yield tarBytes();
            throw new Error('unexpected EOF');
          })(),
        ),
    });
    const result = await run(['images', 'save', join(folder, 'lite.tar'), '--profile', 'lite', '--no-build'], { engine: failing });
    expect(result.exitCode).toBe(1);
    expect(result.stderr.filter((line) => line.startsWith('innover:'))).toEqual([
      `innover: images save: writing ${join(folder, 'lite.tar')} failed (unexpected EOF): check the free space there (df -h) and that the images exist`,
    ]);
    expect(readdirSync(folder)).toEqual([]);
  });

  it('refuses a path in a missing folder, or a folder, in one line with the fix, before asking the engine', async () => {
    const folder = scratchDirectory('innover-save-');
    const engine = strictFake<EngineClient>('engine', {});
    const missing = await run(['images', 'save', join(folder, 'nope', 'lite.tar'), '--profile', 'lite'], { engine });
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toEqual([`innover: images save: folder ${join(folder, 'nope')} does not exist: create it, or give a path in an existing folder`]);
    const isFolder = await run(['images', 'save', folder, '--profile', 'lite'], { engine });
    expect(isFolder.stderr).toEqual([`innover: images save: ${folder} is a folder: give a file path, e.g. ${join(folder, 'innover-images.tar')}`]);
  });
});

describe('innover images load', () => {
  it('streams the archive to the engine and lists what it loaded', async () => {
    const folder = scratchDirectory('innover-load-');
    const file = join(folder, 'lite.tar');
    writeFileSync(file, tarBytes(4096));
    let received = 0;
    const engine = strictFake<EngineClient>('engine', {
      ping: async () => undefined,
      importImages: async (archive) => {
        for await (const chunk of archive) received += (chunk as Buffer).length;
        return { loaded: ['redis:7.4-bookworm', 'innover/payment:local'] };
      },
    });
    const result = await run(['images', 'load', file], { engine });
    expect(result.exitCode).toBe(0);
    expect(received).toBe(4096);
    expect(result.stdout).toBe(`loaded 2 images from ${file}:\n  redis:7.4-bookworm\n  innover/payment:local\n`);
    const json = await run(['images', 'load', file, '--json'], { engine });
    expect(JSON.parse(json.stdout)).toEqual({ file, bytes: 4096, loaded: ['redis:7.4-bookworm', 'innover/payment:local'] });
  });

  it('refuses a missing file, a folder and a file that is no archive, one line each with the fix', async () => {
    const folder = scratchDirectory('innover-load-');
    writeFileSync(join(folder, 'notes.txt'), 'hello, not a tar\n');
    const engine = strictFake<EngineClient>('engine', {});
    const cases: Array<[string, string]> = [
      [join(folder, 'missing.tar'), `innover: images load: no file ${join(folder, 'missing.tar')}: give the path of an archive written by innover images save`],
      [folder, `innover: images load: ${folder} is a folder: give the path of an archive written by innover images save`],
      [join(folder, 'notes.txt'), `innover: images load: ${join(folder, 'notes.txt')} is not an image archive (docker save format): make one with innover images save <file>`],
    ];
    for (const [file, message] of cases) {
      const result = await run(['images', 'load', file], { engine });
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toEqual([message]);
    }
    expect(existsSync(join(folder, 'missing.tar'))).toBe(false);
  });

  it("turns the engine's refusal of a damaged archive into one line", async () => {
    const folder = scratchDirectory('innover-load-');
    const file = join(folder, 'broken.tar');
    writeFileSync(file, tarBytes());
    const engine = strictFake<EngineClient>('engine', {
      ping: async () => undefined,
      importImages: async () => {
        throw new Error('unexpected EOF\nstack');
      },
    });
    const result = await run(['images', 'load', file], { engine });
    expect(result.exitCode).toBe(1);
    expect(result.stderr.filter((line) => line.startsWith('innover:'))).toEqual([`innover: images load: the engine refused ${file} (unexpected EOF): give an archive written by innover images save (or docker save)`]);
  });
});
