import { describe, expect, it } from 'vitest';
import { planStack } from '../../src/plan/plan-stack.js';
import type { Workload } from '../../src/plan/types.js';
import { ContainerHealthError, waitForHealth, type ContainerProgress } from '../../src/use-cases/wait-for-health.js';
import { defaultStack } from '../topology/fixtures.js';
import { scriptedEngine, summary } from './engine-fakes.js';

/** A clock that advances one tick per sleep, so timeouts are exercised without waiting. */
function fakeClock(tickMs = 1000) {
  let now = 0;
  return { now: () => now, sleep: async () => void (now += tickMs) };
}

/** A long-running workload with a Docker healthcheck (bash in the image, a TCP probe). */
const container = (name: string, overrides: Partial<Workload> = {}): Workload => ({
  name,
  lifecycle: 'long-running',
  role: 'infrastructure',
  component: 'redis',
  image: 'x',
  imageTools: ['bash'],
  category: 'support',
  resources: { cpus: 1, memory: '64m' },
  resourcesOverridden: false,
  dependsOn: [],
  ports: [],
  readiness: { check: { kind: 'tcp', port: 6379 }, startPeriodSeconds: 5, intervalSeconds: 5, timeoutSeconds: 5, failureThreshold: 6 },
  startTimeoutSeconds: 60,
  environment: {},
  volumes: [],
  restart: 'always',
  security: { readOnlyRootFilesystem: false, tmpfs: [], noNewPrivileges: false },
  stateful: false,
  secrets: [],
  ...overrides,
});

const noProbe = async () => {
  throw new Error('unexpected probe');
};

describe('waitForHealth', () => {
  it('polls the whole project with one list call per tick, never one per container', async () => {
    const plan = planStack(defaultStack(), 'lite');
    const starting = plan.workloads.map((entry) => summary(entry.name, { health: 'starting', status: 'Up 1 second (health: starting)' }));
    const healthy = plan.workloads.map((entry) => summary(entry.name));
    const engine = scriptedEngine([starting, starting, healthy]);
    const clock = fakeClock();
    const progress = await waitForHealth({ project: 'innover', containers: plan.workloads, engine, probe: noProbe, timeoutSeconds: 60, ...clock });
    expect(engine.listCalls).toBe(3);
    expect(progress.map((entry) => entry.name)).toEqual(plan.workloads.map((entry) => entry.name));
    expect(progress.every((entry) => entry.ready)).toBe(true);
  });

  it('reports each container state (starting / healthy) on every tick', async () => {
    const containers = [container('redis'), container('payment', { dependsOn: [{ name: 'redis', condition: 'healthy' }] })];
    const engine = scriptedEngine([
      [summary('redis'), summary('payment', { health: 'starting' })],
      [summary('redis'), summary('payment')],
    ]);
    const seen: ContainerProgress[][] = [];
    await waitForHealth({ project: 'innover', containers, engine, probe: noProbe, timeoutSeconds: 60, onProgress: (p) => seen.push([...p]), ...fakeClock() });
    expect(seen.map((tick) => tick.map((entry) => `${entry.name}:${entry.phase}`))).toEqual([
      ['redis:healthy', 'payment:starting'],
      ['redis:healthy', 'payment:healthy'],
    ]);
  });

  it('accepts a one-shot job that exits 0 and fails fast when one exits non-zero', async () => {
    const job = container('cockroach-bootstrap', { role: 'job', lifecycle: 'one-shot', restart: 'never' });
    const done = scriptedEngine([[summary('cockroach-bootstrap', { state: 'running', health: 'none' })], [summary('cockroach-bootstrap', { state: 'exited', exitCode: 0, status: 'Exited (0) 1 second ago' })]]);
    await expect(waitForHealth({ project: 'innover', containers: [job], engine: done, probe: noProbe, timeoutSeconds: 60, ...fakeClock() })).resolves.toEqual([
      expect.objectContaining({ name: 'cockroach-bootstrap', phase: 'completed', ready: true }),
    ]);

    const failed = scriptedEngine([[summary('cockroach-bootstrap', { state: 'exited', exitCode: 1, status: 'Exited (1) 1 second ago' })]]);
    const error = await waitForHealth({ project: 'innover', containers: [job], engine: failed, probe: noProbe, timeoutSeconds: 60, ...fakeClock() }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ContainerHealthError);
    expect((error as ContainerHealthError).problems).toEqual(['cockroach-bootstrap exited with code 1: see innover logs cockroach-bootstrap']);
    expect(failed.listCalls).toBe(1);
  });

  it('fails fast on an unhealthy container or a service that exited', async () => {
    const unhealthy = scriptedEngine([[summary('redis', { health: 'unhealthy' })]]);
    await expect(waitForHealth({ project: 'innover', containers: [container('redis')], engine: unhealthy, probe: noProbe, timeoutSeconds: 60, ...fakeClock() })).rejects.toThrow(
      'redis is unhealthy: see innover logs redis',
    );
    const exited = scriptedEngine([[summary('redis', { state: 'exited', exitCode: 137, health: 'none', status: 'Exited (137) 2 seconds ago' })]]);
    await expect(waitForHealth({ project: 'innover', containers: [container('redis')], engine: exited, probe: noProbe, timeoutSeconds: 60, ...fakeClock() })).rejects.toThrow(
      'redis exited with code 137',
    );
  });

  it("counts each container's own timeout from when its dependencies became ready", async () => {
    // The slow database takes 100 s (its timeout is 120 s); the service behind it gets its own 30 s after that.
    const database = container('postgres', { startTimeoutSeconds: 120 });
    const service = container('payment', { startTimeoutSeconds: 30, dependsOn: [{ name: 'postgres', condition: 'healthy' }] });
    const snapshots = [
      ...Array.from({ length: 100 }, () => [summary('postgres', { health: 'starting' }), summary('payment', { health: 'starting' })]),
      ...Array.from({ length: 20 }, () => [summary('postgres'), summary('payment', { health: 'starting' })]),
      [summary('postgres'), summary('payment')],
    ];
    const engine = scriptedEngine(snapshots);
    await expect(waitForHealth({ project: 'innover', containers: [database, service], engine, probe: noProbe, timeoutSeconds: 900, ...fakeClock() })).resolves.toHaveLength(2);

    const stuck = scriptedEngine([[summary('postgres'), summary('payment', { health: 'starting' })]]);
    await expect(waitForHealth({ project: 'innover', containers: [database, service], engine: stuck, probe: noProbe, timeoutSeconds: 900, ...fakeClock() })).rejects.toThrow(
      'payment is not healthy after 30 s (starting)',
    );
  });

  it('stops at the overall --timeout, naming what it still waits for', async () => {
    const engine = scriptedEngine([[summary('redis', { health: 'starting' })]]);
    await expect(waitForHealth({ project: 'innover', containers: [container('redis', { startTimeoutSeconds: 600 })], engine, probe: noProbe, timeoutSeconds: 5, ...fakeClock() })).rejects.toThrow(
      /redis is not healthy within --timeout 5 s \(still waiting: redis starting\)/,
    );
  });

  it('probes shell-less containers from the host, only while they run and until healthy', async () => {
    const jaeger = container('jaeger', {
      imageTools: [],
      ports: [{ host: 16686, container: 16686, purpose: 'UI' }],
      readiness: { check: { kind: 'http', port: 16686, path: '/' }, startPeriodSeconds: 10, intervalSeconds: 10, timeoutSeconds: 5, failureThreshold: 6 },
    });
    const probed: string[] = [];
    const answers = [false, true];
    const engine = scriptedEngine([[summary('jaeger', { state: 'created', health: 'none' })], [summary('jaeger', { health: 'none' })]]);
    const progress = await waitForHealth({
      project: 'innover',
      containers: [jaeger],
      engine,
      probe: async (url) => {
        probed.push(url);
        return answers.shift() ?? true;
      },
      timeoutSeconds: 60,
      ...fakeClock(),
    });
    expect(probed).toEqual(['http://localhost:16686/', 'http://localhost:16686/']);
    expect(progress[0]).toMatchObject({ phase: 'healthy', ready: true });
  });
});
