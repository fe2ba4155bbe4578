import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { ComposeClient, ComposeProject } from '../../src/clients/compose-client.js';
import type { ContainerSummary, EngineClient } from '../../src/clients/engine-client.js';
import type { FileWatchClient } from '../../src/clients/file-watch-client.js';
import type { TypeScriptClient } from '../../src/clients/typescript-client.js';
import type { UpResult } from '../../src/use-cases/up-stack.js';
import { runDev, type DevSteps } from '../../src/use-cases/dev-loop.js';
import { describeDevEvent, ReloadTracker, TypeErrorReport } from '../../src/use-cases/dev-reloads.js';
import { strictFake, testContext } from '../support/context.js';
import { defaultStack } from '../topology/fixtures.js';
import { summary } from '../stack/engine-fakes.js';
import { stackRoot, testEnv } from './stack-context.js';

const topology = defaultStack();

/** Resolves once `condition` holds, giving the loop's timers a turn in between; fails instead of hanging. */
async function until(condition: () => boolean): Promise<void> {
  for (let turn = 0; turn < 5000; turn += 1) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  throw new Error('condition never held');
}

/**
 * A dev session against fakes: `up` and the compose calls are recorded; the engine lists the
 * watched containers with the health the test sets and streams the logs the test writes; watch
 * prints a sync of payment, whose dev runner then fails a reload (a syntax error), keeping the old
 * code (payment stays healthy throughout), and reloads the next save; then the test presses Ctrl-C.
 */
async function devSession(services: string[] = []) {
  const root = stackRoot(['lite']);
  const controller = new AbortController();
  const calls: string[] = [];
  const projects: ComposeProject[] = [];
  const watched: string[][] = [];
  const health = new Map<string, Partial<ContainerSummary>>();
  const logs = new Map<string, (text: string) => void>();
  const log = (id: string, text: string) => logs.get(id)?.(text);
  const listed = (): ContainerSummary[] =>
    [...health.entries()].map(([name, state]) => summary(name, { project: 'innover', ...state }));
  const ctx = testContext(
    {
      compose: strictFake<ComposeClient>('compose', {
        up: async (project, options) => {
          calls.push(`compose up ${(options.services ?? []).join(' ')}`);
          projects.push(project);
          for (const name of options.services ?? []) health.set(name, { id: `${name}-dev`, health: 'starting' });
        },
        watch: async (project, options) => {
          calls.push('compose watch');
          projects.push(project);
          watched.push([...(options.services ?? [])]);
          for (const name of health.keys()) health.set(name, { id: `${name}-dev`, health: 'healthy' });
          await until(() => ctx.out.stdout.includes('payment: running from its sources') && logs.has('payment-dev'));
          options.onLine?.('Syncing service "payment" after 1 changes were detected');
          log('payment-dev', 'innover-dev: kept the last good code: services/payment/src/domain/x.ts:12: SyntaxError: Expression expected');
          await until(() => ctx.out.stdout.includes('payment: kept the last good code'));
          options.onLine?.('Syncing service "payment" after 1 changes were detected');
          log('payment-dev', 'innover-dev: reloaded in 0.3 s after services/payment/src/domain/x.ts changed');
          await until(() => ctx.out.stdout.includes('payment: reloaded in'));
          controller.abort();
        },
      }),
      typescript: strictFake<TypeScriptClient>('typescript', {
        watch: async (projects, options) => {
          calls.push(`tsc --watch ${projects.join(' ')}`);
          options.onLine("services/payment/src/api.ts(3,1): error TS2304: Cannot find name 'oops'.");
          options.onLine('4:20:01 PM - Found 1 error. Watching for file changes.');
          await new Promise((resolve) => (options.signal.aborted ? resolve(undefined) : options.signal.addEventListener('abort', resolve)));
          return true;
        },
      }),
      // innover.yaml does not change in this session.
      files: strictFake<FileWatchClient>('files', {
        watch: (_directory, _names, options) => new Promise((resolve) => (options.signal.aborted ? resolve() : options.signal.addEventListener('abort', () => resolve()))),
      }),
      engine: strictFake<EngineClient>('engine', {
        listContainers: async () => listed(),
        logs: async (id, options, onLine) => {
          onLine({ stream: 'stdout', text: `hello from ${id}` });
          logs.set(id, (text) => onLine({ stream: 'stdout', text }));
          // Following ends at Ctrl-C, as the real client does.
          await new Promise((resolve) => (options.signal?.aborted ? resolve(undefined) : options.signal?.addEventListener('abort', resolve)));
        },
      }),
    },
    { root, topology, dotenv: testEnv, signal: controller.signal },
  );
  let clock = 0;
  const saves: string[] = [];
  const steps: Partial<DevSteps> = {
    modifiedAt: (path) => {
      saves.push(path);
      return clock - 700;
    },
    up: async (args) => {
      calls.push(`up --profile ${args.profile}`);
      return {} as UpResult;
    },
    now: () => (clock += 100),
    pollMilliseconds: 1,
  };
  const result = await runDev({ profile: 'lite', services }, ctx, steps);
  return { root, ctx, calls, projects, watched, result, saves };
}

describe('innover dev', () => {
  it('runs up for the profile, the dev containers, then compose watch over the override; Ctrl-C leaves the stack up', async () => {
    const { root, ctx, calls, projects, watched, result, saves } = await devSession(['payment']);
    // No `compose down` (the strict fake would have thrown): Ctrl-C only stops watching.
    expect(calls).toEqual(['up --profile lite', 'compose up payment payment-worker', 'compose watch', 'tsc --watch services/payment']);
    expect(ctx.out.stdout).toMatch(/^types: services\/payment\/src\/api\.ts\(3,1\): error TS2304: Cannot find name 'oops'\.$/m);
    expect(ctx.out.stdout).toMatch(/^types: 1 error \(the containers run the code anyway\)$/m);
    const override = join(root, '.innover/docker-compose.lite.dev.yml');
    for (const project of projects) {
      expect(project.file).toBe(join(root, '.innover/docker-compose.lite.yml'));
      expect(project.overrides).toEqual([override]);
    }
    expect(watched).toEqual([['payment', 'payment-worker']]);
    expect(existsSync(override)).toBe(true);
    expect(Object.keys((parse(readFileSync(override, 'utf8')) as { services: object }).services)).toEqual(['payment', 'payment-worker']);
    expect(ctx.out.stdout).toMatch(/^payment\s+\| hello from payment-dev$/m);
    // The dev runner's lines become the loop's own, once each; its raw lines are not repeated as log.
    expect(ctx.out.stdout).toMatch(/^payment: kept the last good code: services\/payment\/src\/domain\/x\.ts:12: SyntaxError: Expression expected$/m);
    // From the save: the file's mtime on the host, 0.7 s before the line arrived.
    expect(ctx.out.stdout).toMatch(/^payment: reloaded in 0\.7 s$/m);
    expect(saves).toEqual([join(root, 'services/payment/src/domain/x.ts')]);
    expect(ctx.out.stdout).not.toMatch(/innover-dev:/);
    expect(result.events.map((event) => `${event.container} ${event.kind}`)).toContain('payment-worker started');
    expect(result.events.filter((event) => event.container === 'payment').map((event) => event.kind)).toEqual(['started', 'kept', 'reloaded']);
  });

  it('refuses an unknown service before starting anything', async () => {
    const ctx = testContext({}, { root: stackRoot(['lite']), topology, dotenv: testEnv });
    await expect(runDev({ profile: 'lite', services: ['paymnet'] }, ctx, { up: () => Promise.reject(new Error('up must not run')) })).rejects.toThrow(
      /no service 'paymnet' in profile 'lite'/,
    );
  });
});

describe('the reload tracker', () => {
  const sighting = (state: Partial<{ id: string; state: ContainerSummary['state']; health: ContainerSummary['health'] }>) => [
    { container: 'payment', id: 'a', state: 'running' as const, health: 'healthy' as const, ...state },
  ];

  it("a sync is reloaded in place: the dev runner's line completes it, timed from the save on the host", () => {
    const tracker = new ReloadTracker(['payment']);
    expect(tracker.composeLine('Syncing service "payment" after 2 changes were detected', 1000)).toBe(true);
    // The container never leaves healthy: the runner swaps the process inside.
    expect(tracker.sighting(sighting({}), 1100)).toEqual([]);
    expect(tracker.logLine('payment', '{"level":30,"msg":"api listening"}', 1200)).toBeUndefined();
    const saved = (path: string) => (path === 'services/payment/src/x.ts' ? 400 : undefined);
    expect(tracker.logLine('payment', 'innover-dev: reloaded in 0.3 s after services/payment/src/x.ts changed', 1300, saved)).toEqual({ container: 'payment', kind: 'reloaded', seconds: 0.9 });
    expect(tracker.sighting(sighting({}), 1400)).toEqual([]);
  });

  it('a reload of a deleted file is timed from the sync line, or by the runner without one', () => {
    const tracker = new ReloadTracker(['payment']);
    tracker.composeLine('Syncing service "payment" after 1 changes were detected', 1000);
    expect(tracker.logLine('payment', 'innover-dev: reloaded in 0.3 s after services/payment/src/gone.ts changed', 1500)).toMatchObject({ kind: 'reloaded', seconds: 0.5 });
    expect(tracker.logLine('payment', 'innover-dev: reloaded in 0.3 s after services/payment/src/gone.ts changed', 9000)).toMatchObject({ kind: 'reloaded', seconds: 0.3 });
  });

  it('a failed reload keeps the last good code: one event with file and line; the next good save recovers', () => {
    const tracker = new ReloadTracker(['payment']);
    tracker.composeLine('Syncing service "payment" after 1 changes were detected', 0);
    expect(tracker.logLine('payment', 'innover-dev: kept the last good code: services/payment/src/x.ts:3: SyntaxError: Unexpected token', 400)).toEqual({
      container: 'payment',
      kind: 'kept',
      seconds: 0.4,
      detail: 'services/payment/src/x.ts:3: SyntaxError: Unexpected token',
    });
    expect(tracker.sighting(sighting({}), 900)).toEqual([]);
    tracker.composeLine('Syncing service "payment" after 1 changes were detected', 2000);
    expect(tracker.logLine('payment', 'innover-dev: reloaded in 0.4 s after services/payment/src/x.ts changed', 2600, () => 2000)).toMatchObject({ kind: 'reloaded', seconds: 0.6 });
  });

  it('nothing serving (the first start failed): said as such', () => {
    const tracker = new ReloadTracker(['payment']);
    const event = tracker.logLine('payment', 'innover-dev: nothing to serve until a good save: services/payment/src/api.ts:1: SyntaxError: x', 0);
    expect(event).toMatchObject({ kind: 'failed', detail: 'services/payment/src/api.ts:1: SyntaxError: x' });
    expect(describeDevEvent(event!)).toBe('payment: nothing to serve until a good save: services/payment/src/api.ts:1: SyntaxError: x');
    expect(describeDevEvent({ container: 'payment', kind: 'kept', seconds: 0, detail: 'a.ts:1: E' })).toBe('payment: kept the last good code: a.ts:1: E');
    expect(describeDevEvent({ container: 'payment', kind: 'reloaded', seconds: 1 })).toBe('payment: reloaded in 1.0 s');
    expect(tracker.logLine('ledger', 'innover-dev: reloaded in 0.6 s after services/ledger/src/x.ts changed', 0)).toBeUndefined();
  });

  it('reports a crash loop once, and the next good save recovers', () => {
    const tracker = new ReloadTracker(['payment']);
    tracker.composeLine('Syncing service "payment" after 1 changes were detected', 0);
    expect(tracker.sighting(sighting({ state: 'restarting', health: 'none' }), 500)).toMatchObject([{ kind: 'failed' }]);
    expect(tracker.sighting(sighting({ state: 'restarting', health: 'none' }), 900)).toEqual([]);
    tracker.composeLine('Syncing service "payment" after 1 changes were detected', 2000);
    expect(tracker.sighting(sighting({ health: 'starting' }), 2300)).toEqual([]);
    expect(tracker.sighting(sighting({}), 2500)).toEqual([{ container: 'payment', kind: 'reloaded', seconds: 0.5 }]);
  });

  it('a sync while the container starts leaves the start to be reported when it is healthy', () => {
    const tracker = new ReloadTracker(['payment']);
    tracker.starting(0);
    tracker.composeLine('Syncing service "payment" after 1 changes were detected', 100);
    expect(tracker.logLine('payment', 'innover-dev: reloaded in 0.3 s after services/payment/src/x.ts changed', 500, () => 50)).toMatchObject({ kind: 'reloaded', seconds: 0.5 });
    expect(tracker.sighting(sighting({}), 900)).toEqual([{ container: 'payment', kind: 'started', seconds: 0.9 }]);
  });

  it('a rebuild completes when the recreated container is healthy', () => {
    const tracker = new ReloadTracker(['payment']);
    tracker.sighting(sighting({}), 0);
    tracker.composeLine('Rebuilding service "payment" after changes were detected...', 0);
    expect(tracker.sighting(sighting({}), 100)).toEqual([]);
    expect(tracker.sighting(sighting({ id: 'b' }), 4000)).toEqual([{ container: 'payment', kind: 'rebuilt', seconds: 4 }]);
  });

  it("reads Compose 2.26's own line, erase-line escape and all", () => {
    const tracker = new ReloadTracker(['payment']);
    expect(tracker.composeLine('\u001b[2KSyncing "payment" after changes were detected', 0)).toBe(true);
  });

  it('ignores other lines and containers it does not watch', () => {
    const tracker = new ReloadTracker(['payment']);
    expect(tracker.composeLine('Syncing service "ledger" after 1 changes were detected', 0)).toBe(false);
    expect(tracker.composeLine('Watch enabled', 0)).toBe(false);
  });
});

describe('the type errors beside the loop', () => {
  it('prints each error with its file and line, the count, and when they are gone; nothing else', () => {
    const report = new TypeErrorReport();
    expect(report.line('4:20:00 PM - Starting compilation in watch mode...')).toBeUndefined();
    expect(report.line('4:20:01 PM - Found 0 errors. Watching for file changes.')).toBeUndefined();
    expect(report.line("services/payment/src/api.ts(3,1): error TS2304: Cannot find name 'oops'.")).toBe("types: services/payment/src/api.ts(3,1): error TS2304: Cannot find name 'oops'.");
    expect(report.line('4:20:05 PM - Found 1 error. Watching for file changes.')).toBe('types: 1 error (the containers run the code anyway)');
    expect(report.line('4:20:09 PM - Found 0 errors. Watching for file changes.')).toBe('types: no errors');
  });
});
