/**
 * `innover new service` end to end (issue 12): in a scratch copy of the repository, the CLI of that
 * copy adds `ledger-audit`; then the checks pass, `innover up --profile lite` starts its API and worker
 * healthy beside the others, `test-worker` answers 3, its sample route answers through Nginx, smoke has
 * its rows, and after `down`, `remove service` leaves the copy as it was. The copy is deleted in
 * afterAll, and the stack taken down, whatever happened.
 *
 * The stack runs on the lite profile's fixed host ports, so this file holds the real-engine lock
 * (stack-lock.ts) for its whole run, as stack.e2e.test.ts does; it is its own Compose project.
 */
import { readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTopology } from '../../cli/src/topology/load.js';
import { copyRepository, treeFingerprint } from '../support/scratch-repository.js';
import { prepareEngine } from './engine-setup.js';
import { acquireStackLock } from './stack-lock.js';

const profile = 'lite';
const project = 'innover-e2e-new-service';
const service = 'ledger-audit';
const scratchPrefix = 'innover-e2e-new-service-';
const cliEnv = { ...process.env, INNOVER_PROJECT: project, NO_COLOR: '1' };
// What `up` leaves in the copy besides the build outputs: ignored by git, and not the service's.
const runState = ['.env', '.innover'];
// The integration files that read the repository's innover.yaml, docker-compose.yml, chart or services/.
const topologyIntegrationFiles = ['cli/test/render/compose-config.int.test.ts', 'cli/test/targets/kubernetes/chart.int.test.ts', 'services/kit/test/service-dockerfile.int.test.ts'];
let scratch: string | undefined;
let before: Record<string, string>;
let nginxPort: number;
let releaseLock: (() => void) | undefined;

/** Runs a command in the scratch copy, output interleaved in `all`. */
async function inScratch(file: string, args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string; all: string }> {
  const result = await execa(file, args, { reject: false, env: cliEnv, cwd: scratch, all: true, stdin: 'ignore' });
  return { exitCode: result.exitCode ?? 1, stdout: result.stdout, stderr: result.stderr, all: result.all };
}

/** The scratch copy's own CLI. */
async function innover(...args: string[]): ReturnType<typeof inScratch> {
  return await inScratch('node', ['bin/innover.js', ...args]);
}

/** The last lines of a command's output, for a failure message. */
function tail(output: string, lines = 40): string {
  return output.split('\n').slice(-lines).join('\n');
}

async function projectLeftovers(): Promise<string[]> {
  const label = `label=com.docker.compose.project=${project}`;
  const listed = await Promise.all([['ps', '-aq'], ['network', 'ls', '-q'], ['volume', 'ls', '-q']].map(async (command) => (await execa('docker', [...command, '--filter', label])).stdout));
  return listed.join('\n').split('\n').filter(Boolean);
}

beforeAll(async () => {
  releaseLock = await acquireStackLock('e2e new service');
  const prepared = await prepareEngine(profile);
  console.info(`[e2e new service] ${prepared.engine.replace(/\n/g, ', ')}`);
  // Copies a killed run left behind: no other run of this file is alive while this one holds the lock.
  for (const entry of readdirSync(tmpdir()).filter((name) => name.startsWith(scratchPrefix))) rmSync(join(tmpdir(), entry), { recursive: true, force: true });
  scratch = copyRepository(scratchPrefix);
  console.info(`[e2e new service] scratch copy ${scratch}`);
  // The copy's CLI, built (incrementally, from the copied outputs) as the repository's sources say.
  const build = await inScratch('npx', ['tsc', '-b', 'cli']);
  if (build.exitCode !== 0) throw new Error(`the CLI does not build:\n${build.all}`);
  nginxPort = (await loadTopology(scratch)).infrastructure.nginx.hostPort;
  before = treeFingerprint(scratch, runState);
  // A run that died without cleaning up must not make this one pass or fail.
  if ((await projectLeftovers()).length > 0) await innover('down', '--profile', profile);
});

afterAll(async () => {
  try {
    if (scratch && (await projectLeftovers()).length > 0) {
      const down = await innover('down', '--profile', profile);
      if (down.exitCode !== 0) console.error(`[e2e new service] cleanup: innover down failed: ${down.stderr}`);
    }
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    releaseLock?.();
  }
});

describe(`innover new service ${service}, then the stack, in a scratch copy`, () => {
  it(`1. new service ${service} exits 0`, async () => {
    const added = await innover('new', 'service', service);
    expect(added.exitCode, added.all).toBe(0);
    expect(added.stdout).toMatch(new RegExp(`service ${service} added on host port \\d+`));
  });

  it('2. the checks of npm run check pass: every static check, the unit and contract tiers, the topology-driven integration files', async () => {
    // `npm run check` ends in `npm test`, whose last tier is the e2e: in the copy it would run this
    // file again, which would wait for the lock this run holds; the rest of that tier is the stack
    // below. Of the integration tier, the files whose input is the repository's own topology, Compose
    // file, chart or services folder: the rest build their own fixtures, so a new service cannot change
    // what they see. Every other step of `npm run check` runs here as it is.
    const steps: Array<[string, string[]]> = [
      ['npm', ['run', 'typecheck']],
      ['npx', ['eslint', '.']],
      ['node', ['bin/innover.js', 'generate', '--check']],
      ['node', ['bin/innover.js', 'k8s', 'render', '--check']],
      ['node', ['bin/innover.js', 'proto', '--check']],
      ['npm', ['run', 'lint:cycles']],
      ['npx', ['vitest', 'run', '--project', 'unit', '--project', 'contract']],
      ['npx', ['vitest', 'run', '--project', 'integration', ...topologyIntegrationFiles]],
    ];
    for (const [file, args] of steps) {
      const started = Date.now();
      const step = await inScratch(file, args);
      expect(step.exitCode, `${file} ${args.join(' ')}:\n${tail(step.all)}`).toBe(0);
      console.info(`[e2e new service] ${file} ${args.join(' ')}: passed in ${Math.round((Date.now() - started) / 1000)} s`);
    }
  });

  it(`3. up --profile ${profile} exits 0 with every container healthy, ${service}'s API and worker among them`, async () => {
    const up = await innover('up', '--profile', profile);
    expect(up.exitCode, tail(up.all)).toBe(0);
    const health = await innover('health', '--json');
    expect(health.exitCode, health.stderr).toBe(0);
    const containers = (JSON.parse(health.stdout) as { containers: Array<{ name: string; health: string; ready: boolean }> }).containers;
    // postgres, redis, redpanda, nginx, and an API and a worker per service: seven now.
    expect(containers).toHaveLength(4 + 7 * 2);
    expect(containers.map((container) => container.name)).toEqual(expect.arrayContaining([service, `${service}-worker`]));
    for (const container of containers) expect(container, container.name).toMatchObject({ health: 'healthy', ready: true });
  });

  it(`4. test-worker ${service} prints 3`, async () => {
    const run = await innover('test-worker', service);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe('3');
  });

  it(`5. its sample route answers through Nginx, and a note it stores reads back`, async () => {
    const base = `http://127.0.0.1:${nginxPort}/svc/${service}`;
    const hello = await fetch(`${base}/hello`);
    expect(hello.status).toBe(200);
    expect(await hello.json()).toEqual({ service, message: `hello from ${service}` });
    const created = await fetch(`${base}/notes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ body: 'audited' }) });
    const note = (await created.json()) as { id: string; body: string };
    expect(created.status, JSON.stringify(note)).toBe(201);
    const read = await fetch(`${base}/notes/${note.id}`);
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ id: note.id, body: 'audited' });
  });

  it(`6. smoke --json has ${service}'s rows, passing`, async () => {
    const smoke = await innover('smoke', '--profile', profile, '--json');
    const rows = (JSON.parse(smoke.stdout) as { rows: Array<{ name: string; status: string; detail: string }> }).rows;
    const own = rows.filter((row) => row.name.endsWith(` ${service}`));
    expect(own.map((row) => row.name)).toEqual([`http ${service}`, `sql ${service}`, `worker ${service}`]);
    for (const row of own) expect(row, row.name).toMatchObject({ status: 'pass' });
  });

  it('7. down leaves no container, network or volume of the project', async () => {
    const down = await innover('down');
    expect(down.exitCode, down.stderr).toBe(0);
    expect(await projectLeftovers()).toEqual([]);
  });

  it(`8. remove service ${service} leaves the copy as it was before new service`, async () => {
    const removed = await innover('remove', 'service', service);
    expect(removed.exitCode, removed.all).toBe(0);
    expect(treeFingerprint(scratch ?? '', runState)).toEqual(before);
  });
});
