import { Listr } from 'listr2';
import { describe, expect, it } from 'vitest';
import type { ComposeBuildOptions, ComposeClient, ComposeUpOptions } from '../../src/clients/compose-client.js';
import type { EngineClient } from '../../src/clients/engine-client.js';
import { createContext } from '../../src/context.js';
import { resolveStack } from '../../src/use-cases/resolve-stack.js';
import { buildTargets, upTasks, type UpInput, type UpState } from '../../src/use-cases/up-tasks.js';
import { planStack } from '../../src/plan/plan-stack.js';
import { captureOutput, strictFake } from '../support/run-cli.js';
import { defaultStack } from '../topology/fixtures.js';
import { scriptedEngine, summary } from '../stack/engine-fakes.js';
import { stackRoot, testEnv } from './stack-context.js';

const topology = defaultStack();

async function runUp(options: {
  profile: string;
  engine: EngineClient;
  only?: string[];
  build?: boolean;
  removeEnv?: boolean;
  root?: string;
}) {
  const root = options.root ?? stackRoot([options.profile]);
  if (options.removeEnv) (await import('node:fs')).rmSync(`${root}/.env`);
  const calls: Array<{ method: 'build' | 'up'; options: ComposeBuildOptions | ComposeUpOptions }> = [];
  const compose = strictFake<ComposeClient>('compose', {
    version: async () => '2.26.1',
    build: async (_project, buildOptions) => void calls.push({ method: 'build', options: buildOptions }),
    up: async (_project, upOptions) => void calls.push({ method: 'up', options: upOptions }),
  });
  const out = captureOutput();
  const ctx = createContext({ root, out, topology, dotenv: testEnv, clients: { compose, engine: options.engine }, env: {} });
  const target = await resolveStack(ctx, options.profile);
  const happened: string[] = [];
  const only = options.only ? target.plan.workloads.filter((container) => options.only?.includes(container.name)) : undefined;
  const input: UpInput = {
    ctx,
    compose,
    engine: options.engine,
    probe: async () => true,
    build: options.build ?? true,
    timeoutSeconds: 60,
    tickMilliseconds: 1,
    ...(only ? { only } : {}),
    portHolders: async () => new Map(),
    configureKeycloak: async () => void happened.push('configure-keycloak'),
    publishApis: async () => void happened.push('publish-apis'),
    initEnv: async () => void happened.push('init'),
    generate: async (generated) => void happened.push(`generate ${generated.profile}`),
  };
  const state: UpState = { target, envCreated: false, progress: [], keycloakConfigured: false };
  const list = new Listr<UpState, 'silent'>(upTasks(input), { ctx: state, renderer: 'silent', exitOnError: true, registerSignalListeners: false });
  const error = await list.run().then(() => undefined, (caught: unknown) => caught);
  return { state, calls, happened, out, error, root };
}

/** Image ids as the engine reports them; the same for every call unless `version` changes. */
const images = (version = 1) => ({
  imageIds: async (references: readonly string[]) => Object.fromEntries(references.map((reference) => [reference, `sha256:${reference}:${version}`])),
});

const running = (profile: string) =>
  planStack(topology, profile).workloads.map((container) =>
    container.lifecycle === 'one-shot'
      ? summary(container.name, { state: 'exited', exitCode: 0, health: 'none', status: 'Exited (0) 3 seconds ago' })
      : summary(container.name),
  );

describe('the up task list', () => {
  it('runs preflight, .env, generate, build once per image, up --no-build, then waits for every container', async () => {
    const engine = scriptedEngine([running('lite')], { ping: async () => undefined, ...images() });
    const { state, calls, happened, error } = await runUp({ profile: 'lite', engine });
    expect(error).toBeUndefined();
    expect(happened).toEqual(['generate lite']);
    expect(calls.map((call) => call.method)).toEqual(['build', 'up']);
    expect((calls[0]?.options as ComposeBuildOptions).services).toEqual(topology.services.map((service) => service.name));
    expect(calls[1]?.options).toMatchObject({ build: false, services: [], removeOrphans: true });
    expect(state.progress.map((entry) => entry.name)).toEqual(planStack(topology, 'lite').workloads.map((container) => container.name));
    expect(state.progress.every((entry) => entry.ready)).toBe(true);
    expect(state.keycloakConfigured).toBe(false);
  });

  it('skips the build while the sources and the images are those of the last build', async () => {
    const engine = scriptedEngine([running('lite')], { ping: async () => undefined, ...images() });
    const first = await runUp({ profile: 'lite', engine });
    expect(first.calls.map((call) => call.method)).toEqual(['build', 'up']);
    const second = await runUp({ profile: 'lite', engine, root: first.root });
    expect(second.calls.map((call) => call.method)).toEqual(['up']);
    // An image replaced behind innover's back (innover rebuild, a manual build) means build again.
    const replaced = scriptedEngine([running('lite')], { ping: async () => undefined, ...images(2) });
    const third = await runUp({ profile: 'lite', engine: replaced, root: first.root });
    expect(third.calls.map((call) => call.method)).toEqual(['build', 'up']);
    // So does a changed source file.
    (await import('node:fs')).writeFileSync(`${first.root}/changed.ts`, 'export {};\n');
    const fourth = await runUp({ profile: 'lite', engine: replaced, root: first.root });
    expect(fourth.calls.map((call) => call.method)).toEqual(['build', 'up']);
  });

  it('creates .env (as init) when it is missing', async () => {
    const engine = scriptedEngine([running('lite')], { ping: async () => undefined, ...images() });
    const { state, happened } = await runUp({ profile: 'lite', engine, removeEnv: true });
    expect(happened[0]).toBe('init');
    expect(state.envCreated).toBe(true);
  });

  it('configures Keycloak only when Keycloak and WSO2 are both in the profile', async () => {
    const full = await runUp({ profile: 'full', engine: scriptedEngine([running('full')], { ping: async () => undefined, ...images() }) });
    expect(full.error).toBeUndefined();
    expect(full.happened).toContain('configure-keycloak');
    const identity = await runUp({ profile: 'identity', engine: scriptedEngine([running('identity')], { ping: async () => undefined, ...images() }) });
    expect(identity.happened).not.toContain('configure-keycloak');
  });

  it('publishes the service APIs after configuring Keycloak when WSO2 runs with the services', async () => {
    const full = await runUp({ profile: 'full', engine: scriptedEngine([running('full')], { ping: async () => undefined, ...images() }) });
    expect(full.happened.filter((step) => step !== 'generate full')).toEqual(['configure-keycloak', 'publish-apis']);
    expect(full.state.apisPublished).toBe(true);
    const lite = await runUp({ profile: 'lite', engine: scriptedEngine([running('lite')], { ping: async () => undefined, ...images() }) });
    expect(lite.happened).not.toContain('publish-apis');
  });

  it('up <svc...> starts or updates just those and waits only for them', async () => {
    const engine = scriptedEngine([[summary('payment'), summary('payment-worker')]], { ping: async () => undefined, ...images() });
    const { calls, state, error } = await runUp({ profile: 'lite', engine, only: ['payment-worker'], build: false });
    expect(error).toBeUndefined();
    expect(calls).toEqual([{ method: 'up', options: expect.objectContaining({ services: ['payment-worker'], build: false, removeOrphans: false }) }]);
    expect(calls[0]?.options).not.toHaveProperty('noDeps');
    expect(state.progress.map((entry) => entry.name)).toEqual(['payment-worker']);
  });

  it('fails fast on a container that exits, printing its last log lines and the command to see more', async () => {
    const crashed = running('lite').map((entry) => (entry.service === 'ledger' ? { ...entry, state: 'exited' as const, exitCode: 1, status: 'Exited (1) 1 second ago', health: 'none' as const } : entry));
    const engine = scriptedEngine([crashed], {
      ping: async () => undefined,
      ...images(),
      logs: async (_id, options, onLine) => {
        expect(options).toMatchObject({ tail: 20, follow: false });
        onLine({ stream: 'stderr', text: 'Error: relation "ledger" does not exist' });
      },
    });
    const { error, out } = await runUp({ profile: 'lite', engine });
    expect((error as Error).message).toBe('ledger exited with code 1: see innover logs ledger');
    expect(out.stderr).toEqual(expect.arrayContaining(['ledger | Error: relation "ledger" does not exist', '--- more: innover logs ledger ---']));
  });

  it('stops at preflight when Docker is not reachable', async () => {
    const { dockerUnreachable } = await import('../../src/clients/docker-errors.js');
    const engine = strictFake<EngineClient>('engine', { ping: () => Promise.reject(dockerUnreachable('/var/run/docker.sock')) });
    const { error, calls } = await runUp({ profile: 'lite', engine });
    expect((error as Error).message).toMatch(/^Docker is not reachable at \/var\/run\/docker.sock: start the Docker engine/);
    expect(calls).toEqual([]);
  });
});

describe('buildTargets', () => {
  it('builds each image once, through its API service, so API and worker share one image id', () => {
    const plan = planStack(topology, 'lite');
    expect(buildTargets(plan.workloads, plan.workloads)).toEqual(topology.services.map((service) => service.name));
    const worker = plan.workloads.filter((container) => container.name === 'forex-worker');
    expect(buildTargets(plan.workloads, worker)).toEqual(['forex']);
    expect(buildTargets(plan.workloads, plan.workloads.filter((container) => container.name === 'redis'))).toEqual([]);
  });
});
