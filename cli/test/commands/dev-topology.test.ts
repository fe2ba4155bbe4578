import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ComposeBuildOptions, ComposeClient, ComposeProject, ComposeUpOptions } from '../../src/clients/compose-client.js';
import type { ContainerSummary, EngineClient } from '../../src/clients/engine-client.js';
import type { FileWatchClient } from '../../src/clients/file-watch-client.js';
import type { TypeScriptClient } from '../../src/clients/typescript-client.js';
import { UserError, type CommandContext } from '../../src/command.js';
import { devOverridePath, planDev } from '../../src/targets/compose/dev-override.js';
import type { Topology } from '../../src/topology/schema.js';
import { runDev } from '../../src/use-cases/dev-loop.js';
import { ReloadTracker } from '../../src/use-cases/dev-reloads.js';
import { applyTopologyChange, describeTopologyOutcome, followTopology, type DevTopology, type DevTopologySteps } from '../../src/use-cases/dev-topology.js';
import { resolveStack } from '../../src/use-cases/resolve-stack.js';
import type { UpResult } from '../../src/use-cases/up-stack.js';
import { strictFake, testContext } from '../support/context.js';
import { summary } from '../stack/engine-fakes.js';
import { stackRoot, testEnv } from './stack-context.js';

/** The repository's own innover.yaml: the topology a developer edits while dev runs. */
const projectYaml = readFileSync(new URL('../../../innover.yaml', import.meta.url), 'utf8');
const withConcurrency = (yaml: string, concurrency: number): string => {
  const changed = yaml.replace('worker: { concurrency: 32 }', `worker: { concurrency: ${concurrency} }`);
  if (changed === yaml) throw new Error('innover.yaml no longer sets payment\'s worker concurrency to 32: update this test');
  return changed;
};
/**
 * A service the repository's innover.yaml does not have (it may already hold services a user added, such as the
 * new-service e2e's ledger-audit), on a host port above every one it uses.
 */
const added = 'dev-added';
const addedPort = Math.max(...[...projectYaml.matchAll(/hostPort: (\d+)/g)].map((match) => Number(match[1]))) + 1;
const withAddedService = (yaml: string): string => yaml.replace(/^services:\n/m, `services:\n  - name: ${added}\n    hostPort: ${addedPort}\n`);

/**
 * A project root holding innover.yaml, and fakes that stand for the running stack: the engine lists one
 * container per planned workload; compose `up` gives a new id to the containers the test says compose
 * would recreate (compose decides that from their config, which the test does not re-derive).
 */
async function devStack(options: { services?: string[] } = {}) {
  const root = stackRoot(['lite']);
  writeFileSync(join(root, 'innover.yaml'), projectYaml);
  const ids = new Map<string, string>();
  const calls: string[] = [];
  const ups: { project: ComposeProject; options: ComposeUpOptions }[] = [];
  const builds: ComposeBuildOptions[] = [];
  let recreates: string[] = [];
  const compose = strictFake<ComposeClient>('compose', {
    build: async (_project, buildOptions) => {
      calls.push(`compose build ${(buildOptions.services ?? []).join(' ')}`);
      builds.push(buildOptions);
    },
    up: async (project, upOptions) => {
      calls.push('compose up');
      ups.push({ project, options: upOptions });
      for (const name of recreates) ids.set(name, `${name}-recreated-${ups.length}`);
    },
  });
  const engine = strictFake<EngineClient>('engine', {
    listContainers: async () => [...ids].map(([service, id]): ContainerSummary => summary(service, { id })),
  });
  const ctx = testContext({ compose, engine }, { root, dotenv: testEnv });
  const target = await resolveStack(ctx, 'lite');
  for (const workload of target.plan.workloads) ids.set(workload.name, `${workload.name}-0`);
  const overridePath = join(root, devOverridePath('lite'));
  const services = options.services ?? ['payment'];
  const session: DevTopology = {
    services,
    target,
    dev: planDev(target.plan, services),
    overridePath,
    project: { ...target.compose, overrides: [overridePath] },
  };
  const generated: Topology[] = [];
  const steps: DevTopologySteps = {
    loadTopology: async (from) => (await import('../../src/topology/load.js')).loadTopology(from),
    generate: async (scoped: CommandContext, next) => {
      calls.push('generate');
      generated.push(await scoped.topology());
      expect(next.profile).toBe('lite');
    },
    writeText: async (path, text) => {
      calls.push(`write ${path.slice(root.length + 1)}`);
      writeFileSync(path, text);
    },
  };
  const edit = (text: string): void => writeFileSync(join(root, 'innover.yaml'), text);
  const recreate = (names: string[]): void => {
    recreates = names;
  };
  return { root, ctx, session, steps, calls, ups, builds, generated, edit, recreate, overridePath };
}

describe('innover dev applies a changed innover.yaml', () => {
  it('regenerates, rewrites the override and runs compose up over it; reports what compose recreated', async () => {
    const stack = await devStack();
    stack.edit(withConcurrency(projectYaml, 8));
    stack.recreate(['payment-worker']);
    const outcome = await applyTopologyChange(stack.ctx, stack.session, stack.steps);
    expect(stack.calls).toEqual(['generate', 'write .innover/docker-compose.lite.dev.yml', 'compose up']);
    expect(stack.generated[0]?.services.find((service) => service.name === 'payment')?.worker?.concurrency).toBe(8);
    expect(stack.ups[0]?.project.overrides).toEqual([stack.overridePath]);
    expect(stack.ups[0]?.project.file).toBe(join(stack.root, '.innover/docker-compose.lite.yml'));
    // The whole profile, so compose compares every container's config; no image input changed: no build.
    expect(stack.ups[0]?.options).toMatchObject({ build: false, removeOrphans: true });
    expect(stack.ups[0]?.options.services ?? []).toEqual([]);
    expect(outcome).toMatchObject({ kind: 'applied', recreated: ['payment-worker'], removed: [], built: [], watchChanged: false });
    expect(describeTopologyOutcome(['innover.yaml'], outcome)).toBe('innover.yaml: applied (recreated payment-worker)');
    expect(existsSync(stack.overridePath)).toBe(true);
  });

  it('an edit that changes no container recreates none', async () => {
    const stack = await devStack();
    stack.edit(`${projectYaml}\n# a comment\n`);
    const outcome = await applyTopologyChange(stack.ctx, stack.session, stack.steps);
    expect(outcome).toMatchObject({ kind: 'applied', recreated: [], removed: [], built: [], watchChanged: false });
    expect(describeTopologyOutcome(['innover.yaml'], outcome)).toBe('innover.yaml: applied (no container changed)');
  });

  it('refuses a topology that does not validate in one line naming the field, writing nothing', async () => {
    const stack = await devStack();
    stack.edit(projectYaml.replace('hostPort: 8102', 'hostPort: eighty'));
    const outcome = await applyTopologyChange(stack.ctx, stack.session, stack.steps);
    expect(stack.calls).toEqual([]);
    expect(existsSync(stack.overridePath)).toBe(false);
    expect(outcome.kind).toBe('refused');
    const line = describeTopologyOutcome(['innover.yaml'], outcome);
    expect(line).not.toContain('\n');
    // The same text `innover generate` and `up` give: the file, the field's path, the fix.
    await expect((await import('../../src/topology/load.js')).loadTopology(stack.root)).rejects.toThrow(
      (outcome as { problem: string }).problem.replace(/ \(and \d+ more.*$/, ''),
    );
    expect(line).toMatch(/^innover\.yaml: services\[\d+\]\.hostPort: /);
  });

  it('builds the images of a service the change adds, and says the watched set changed', async () => {
    const stack = await devStack({ services: [] });
    stack.edit(withAddedService(projectYaml));
    stack.recreate([added, `${added}-worker`]);
    const outcome = await applyTopologyChange(stack.ctx, stack.session, stack.steps);
    expect(stack.calls).toEqual(['generate', 'write .innover/docker-compose.lite.dev.yml', `compose build ${added} ${added}-worker`, 'compose up']);
    expect(outcome).toMatchObject({ kind: 'applied', recreated: [added, `${added}-worker`], built: [added, `${added}-worker`], watchChanged: true });
    if (outcome.kind !== 'applied') return;
    expect(outcome.next.dev.containers.map((container) => container.name)).toContain(`${added}-worker`);
  });

  it('keeps watching after a refusal: the next good save applies', async () => {
    const stack = await devStack();
    const controller = new AbortController();
    const files = strictFake<FileWatchClient>('files', {
      watch: async (directory, names, options) => {
        expect(directory).toBe(stack.root);
        expect(names).toEqual(['innover.yaml', '.env']);
        stack.edit('services: [{ name: payment, hostPort: eighty }]\n');
        options.onChange(['innover.yaml']);
        await until(() => ctx.out.stdout.includes('nothing applied'));
        stack.edit(withConcurrency(projectYaml, 4));
        stack.recreate(['payment-worker']);
        options.onChange(['innover.yaml']);
        await until(() => ctx.out.stdout.includes('applied ('));
        controller.abort();
      },
    });
    const ctx = testContext({ files, compose: await stack.ctx.client('compose'), engine: await stack.ctx.client('engine') }, { root: stack.root, dotenv: testEnv });
    await followTopology(ctx, stack.session, { signal: controller.signal, steps: stack.steps, onWatchChange: () => expect.fail('the watched set did not change') });
    const lines = ctx.out.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^innover\.yaml: services\[0\]\.hostPort.*\(nothing applied: the stack keeps the last good innover\.yaml\)$/);
    expect(lines[1]).toBe('innover.yaml: applied (recreated payment-worker)');
    expect(stack.calls).toEqual(['generate', 'write .innover/docker-compose.lite.dev.yml', 'compose up']);
  });
});

describe('a change compose cannot apply', () => {
  it('prints one line and keeps watching', async () => {
    const stack = await devStack();
    const controller = new AbortController();
    const compose = strictFake<ComposeClient>('compose', {
      up: () => Promise.reject(new UserError('docker compose up failed (exit 1): dependency failed to start: container innover-redis-1 is unhealthy')),
    });
    const files = strictFake<FileWatchClient>('files', {
      watch: async (_directory, _names, options) => {
        stack.edit(withConcurrency(projectYaml, 2));
        options.onChange(['innover.yaml']);
        await until(() => ctx.out.stdout.includes('not applied'));
        controller.abort();
      },
    });
    const ctx = testContext({ files, compose, engine: await stack.ctx.client('engine') }, { root: stack.root, dotenv: testEnv });
    await followTopology(ctx, stack.session, { signal: controller.signal, steps: stack.steps, onWatchChange: () => expect.fail('nothing was applied') });
    expect(ctx.out.stdout).toBe(
      'innover.yaml: not applied (docker compose up failed (exit 1): dependency failed to start: container innover-redis-1 is unhealthy); the next save retries\n',
    );
  });
});

/** Resolves once `condition` holds, giving the loop's timers a turn in between; fails instead of hanging. */
async function until(condition: () => boolean): Promise<void> {
  for (let turn = 0; turn < 5000; turn += 1) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  throw new Error('condition never held');
}

describe('innover dev over a changing innover.yaml', () => {
  it('a change that adds a service restarts compose watch over the new watched set', async () => {
    const stack = await devStack();
    const controller = new AbortController();
    const watched: string[][] = [];
    const base = await stack.ctx.client('compose');
    const engine = await stack.ctx.client('engine');
    let changed: ((names: string[]) => void) | undefined;
    const compose = strictFake<ComposeClient>('compose', {
      up: (project, options) => (options.services?.length ? Promise.resolve() : base.up(project, options)),
      build: (project, options) => base.build(project, options),
      watch: async (_project, options) => {
        watched.push([...(options.services ?? [])]);
        if (watched.length === 1) {
          await until(() => changed !== undefined);
          stack.edit(withAddedService(projectYaml));
          stack.recreate([added, `${added}-worker`]);
          changed?.(['innover.yaml']);
        } else {
          await until(() => ctx.out.stdout.includes('applied ('));
          controller.abort();
        }
        await new Promise((resolve) => (options.signal?.aborted ? resolve(undefined) : options.signal?.addEventListener('abort', resolve)));
      },
    });
    const ctx = testContext(
      {
        compose,
        engine: strictFake<EngineClient>('engine', {
          listContainers: (filter) => engine.listContainers(filter),
          logs: async (_id, options) => {
            await new Promise((resolve) => (options.signal?.aborted ? resolve(undefined) : options.signal?.addEventListener('abort', resolve)));
          },
        }),
        typescript: strictFake<TypeScriptClient>('typescript', { watch: async () => false }),
        files: strictFake<FileWatchClient>('files', {
          watch: async (_directory, _names, options) => {
            changed = options.onChange;
            await new Promise((resolve) => (options.signal.aborted ? resolve(undefined) : options.signal.addEventListener('abort', resolve)));
          },
        }),
      },
      { root: stack.root, dotenv: testEnv, signal: controller.signal },
    );
    await runDev({ profile: 'lite' }, ctx, {
      up: async () => ({}) as UpResult,
      pollMilliseconds: 1,
      topology: { loadTopology: stack.steps.loadTopology, generate: stack.steps.generate },
    });
    expect(watched).toHaveLength(2);
    expect(watched[0]).not.toContain(added);
    expect(new Set(watched[1])).toEqual(new Set([...(watched[0] ?? []), added, `${added}-worker`]));
    expect(ctx.out.stdout).toContain(`innover.yaml: applied (built ${added}, ${added}-worker; recreated ${added}, ${added}-worker)`);
  });
});

describe('the reload tracker over a changed watched set', () => {
  it('reports the containers a change adds once they are healthy, and forgets the ones it drops', () => {
    const tracker = new ReloadTracker(['payment']);
    tracker.follow(['ledger'], 1000);
    const healthy = (container: string) => ({ container, id: `${container}-1`, state: 'running' as const, health: 'healthy' as const });
    expect(tracker.sighting([healthy('ledger'), healthy('payment')], 3000)).toEqual([{ container: 'ledger', kind: 'started', seconds: 2 }]);
    expect(tracker.composeLine('Syncing service "payment" after 1 changes were detected', 4000)).toBe(false);
  });
});
