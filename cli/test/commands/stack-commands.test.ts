import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ComposeClient } from '../../src/clients/compose-client.js';
import { dockerUnreachable } from '../../src/clients/docker-errors.js';
import type { EngineClient, LogOptions } from '../../src/clients/engine-client.js';
import { secretKeys } from '../../src/env/schema.js';
import type { QueueApi } from '../../src/clients/queue-api.js';
import { planStack } from '../../src/plan/plan-stack.js';
import { runCli, strictFake } from '../support/run-cli.js';
import { defaultStack } from '../topology/fixtures.js';
import { scriptedEngine, summary } from '../stack/engine-fakes.js';
import { stackRoot, testEnv } from './stack-context.js';

const topology = defaultStack();
const lite = planStack(topology, 'lite');
const allHealthy = () =>
  lite.workloads.map((container) => summary(container.name, { ports: container.ports.map((port) => ({ hostIp: port.hostOnly ? '127.0.0.1' : '0.0.0.0', hostPort: port.host, containerPort: port.container, protocol: 'tcp' })) }));

const pingOnly = () => strictFake<EngineClient>('engine', { ping: async () => undefined });

const run = (argv: string[], clients: { engine?: EngineClient; compose?: ComposeClient; queue?: QueueApi }, root = stackRoot()) =>
  runCli(argv, { root, topology, dotenv: testEnv, clients, env: {} });

describe('innover ps / health', () => {
  it('prints container, state, health, ports and uptime from one list call', async () => {
    const engine = scriptedEngine([allHealthy()]);
    const result = await run(['ps', '--profile', 'lite'], { engine });
    expect(result.exitCode).toBe(0);
    expect(engine.listCalls).toBe(1);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^CONTAINER\s+STATE\s+HEALTH\s+PORTS\s+UPTIME$/);
    expect(lines).toContainEqual(expect.stringMatching(/^payment\s+running\s+healthy\s+127\.0\.0\.1:8102->8000\s+2 minutes$/));
    expect(lines).toHaveLength(1 + lite.workloads.length);
  });

  it('health exits 1 and names the problem when a container is unhealthy; --json is the rows', async () => {
    const containers = allHealthy().map((entry) => (entry.service === 'payment-worker' ? { ...entry, health: 'unhealthy' as const, status: 'Up 1 minute (unhealthy)' } : entry));
    const result = await run(['health', '--profile', 'lite', '--json'], { engine: scriptedEngine([containers]) });
    expect(result.exitCode).toBe(1);
    const status = JSON.parse(result.stdout) as { healthy: boolean; containers: Array<{ name: string; health: string; problem?: string }> };
    expect(status.healthy).toBe(false);
    expect(status.containers.find((row) => row.name === 'payment-worker')).toMatchObject({ health: 'unhealthy', problem: 'is unhealthy' });

    const healthy = await run(['health', '--profile', 'lite'], { engine: scriptedEngine([allHealthy()]) });
    expect(healthy.exitCode).toBe(0);
  });

  it('says in one line, with the fix, when Docker is not reachable', async () => {
    const down = () => Promise.reject(dockerUnreachable('/var/run/docker.sock'));
    const engine = strictFake<EngineClient>('engine', { listContainers: down, ping: down });
    const compose = strictFake<ComposeClient>('compose', {});
    // test-worker checks its task arguments before it asks whether Redis runs.
    const queue = strictFake<QueueApi>('queue', { parseTaskArgs: () => ({ a: 1, b: 2 }) });
    for (const command of [['ps'], ['health'], ['logs'], ['down'], ['nuke'], ['rebuild'], ['restart', 'payment'], ['test-worker', 'payment'], ['workers'], ['redis-cli', 'ping']]) {
      const result = await run([...command, '--profile', 'lite'], { engine, compose, queue });
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toEqual(['innover: Docker is not reachable at /var/run/docker.sock: start the Docker engine (e.g. sudo systemctl start docker) or set DOCKER_HOST']);
    }
  });

  it('refuses an unknown profile with exit 2', async () => {
    const result = await run(['ps', '--profile', 'huge'], {});
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toEqual([expect.stringMatching(/--profile: no profile .huge.: use one of .*lite/)]);
  });
});

describe('innover logs', () => {
  it('prefixes each line with its container, 200 lines by default, without following', async () => {
    const asked: Array<{ id: string; options: LogOptions }> = [];
    const engine = scriptedEngine([allHealthy()], {
      logs: async (id, options, onLine) => {
        asked.push({ id, options });
        onLine({ stream: 'stdout', text: 'api listening' });
        onLine({ stream: 'stderr', text: 'a warning' });
      },
    });
    const result = await run(['logs', '--profile', 'lite', 'payment', 'payment-worker'], { engine });
    expect(result.exitCode).toBe(0);
    expect(asked.map((entry) => entry.options.tail)).toEqual([200, 200]);
    expect(asked.every((entry) => !entry.options.follow)).toBe(true);
    expect(result.stdout.split('\n').filter(Boolean)).toEqual([
      'payment        | api listening',
      'payment        | a warning',
      'payment-worker | api listening',
      'payment-worker | a warning',
    ]);
  });

  it('passes --tail and -f through', async () => {
    const asked: LogOptions[] = [];
    const engine = scriptedEngine([allHealthy()], { logs: async (_id, options) => void asked.push(options) });
    await run(['logs', '--profile', 'lite', 'redis', '--tail', '5', '-f'], { engine });
    expect(asked).toEqual([expect.objectContaining({ tail: 5, follow: true })]);
  });

  it('refuses a container the profile does not have, with the list, exit 2', async () => {
    const result = await run(['logs', '--profile', 'lite', 'keycloak'], { engine: scriptedEngine([allHealthy()]) });
    expect(result.exitCode).toBe(2);
    expect(result.stderr[0]).toMatch(/no container 'keycloak' in profile 'lite': use one of postgres, redis, redpanda, profile/);
  });
});

describe('innover down / nuke / rebuild / restart', () => {
  const composeRecorder = () => {
    const calls: Array<{ method: string; args: unknown[] }> = [];
    const record = (method: string) => async (...args: unknown[]) => void calls.push({ method, args });
    const compose = strictFake<ComposeClient>('compose', {
      down: record('down'),
      build: record('build'),
      restart: record('restart'),
    });
    return { compose, calls };
  };

  it('down removes volumes unless --keep-volumes, on the profile compose file and project', async () => {
    const root = stackRoot();
    const { compose, calls } = composeRecorder();
    expect((await run(['down', '--profile', 'lite'], { compose, engine: pingOnly() }, root)).exitCode).toBe(0);
    expect((await run(['down', '--profile', 'lite', '--keep-volumes'], { compose, engine: pingOnly() }, root)).exitCode).toBe(0);
    expect(calls.map((call) => call.args[0])).toEqual([
      { root, project: 'innover', file: join(root, '.innover', 'docker-compose.lite.yml'), envFile: join(root, '.env') },
      expect.anything(),
    ]);
    expect(calls.map((call) => (call.args[1] as { volumes: boolean }).volumes)).toEqual([true, false]);
  });

  it('INNOVER_PROJECT overrides the compose project name', async () => {
    const { compose, calls } = composeRecorder();
    await runCli(['down', '--profile', 'lite'], { root: stackRoot(), topology, dotenv: testEnv, clients: { compose, engine: pingOnly() }, env: { INNOVER_PROJECT: 'innover-e2e' } });
    expect(calls[0]?.args[0]).toMatchObject({ project: 'innover-e2e' });
  });

  it('nuke is down with volumes plus removing the images innover built', async () => {
    const { compose, calls } = composeRecorder();
    const removed: string[][] = [];
    const engine = strictFake<EngineClient>('engine', {
      ping: async () => undefined,
      removeImages: async (references) => {
        removed.push([...references]);
        return { removed: [...references], missing: [] };
      },
    });
    const result = await run(['nuke', '--profile', 'lite'], { compose, engine });
    expect(result.exitCode).toBe(0);
    expect(calls).toEqual([{ method: 'down', args: [expect.anything(), expect.objectContaining({ volumes: true })] }]);
    expect(removed[0]?.sort()).toEqual(topology.services.map((service) => `innover/${service.name}:local`).sort());
  });

  it('rebuild builds without cache and starts nothing; an unknown service is exit 2', async () => {
    const { compose, calls } = composeRecorder();
    expect((await run(['rebuild', '--profile', 'lite', 'payment'], { compose, engine: pingOnly() })).exitCode).toBe(0);
    expect(calls).toEqual([{ method: 'build', args: [expect.anything(), expect.objectContaining({ services: ['payment'], noCache: true })] }]);
    const bad = await run(['rebuild', '--profile', 'lite', 'redis'], { compose });
    expect(bad.exitCode).toBe(2);
  });

  it('rebuild of a worker builds its image through the API service (the worker service has no build section)', async () => {
    const { compose, calls } = composeRecorder();
    const result = await run(['rebuild', '--profile', 'lite', 'payment-worker', '--json'], { compose, engine: pingOnly() });
    expect(result.exitCode).toBe(0);
    expect(calls).toEqual([{ method: 'build', args: [expect.anything(), expect.objectContaining({ services: ['payment'], noCache: true })] }]);
    expect(JSON.parse(result.stdout)).toEqual({ profile: 'lite', built: ['payment', 'payment-worker'], images: ['innover/payment:local'] });
  });

  it('rebuild with no service builds each service image once, through its API', async () => {
    const { compose, calls } = composeRecorder();
    expect((await run(['rebuild', '--profile', 'lite'], { compose, engine: pingOnly() })).exitCode).toBe(0);
    expect(calls).toEqual([
      { method: 'build', args: [expect.anything(), expect.objectContaining({ services: topology.services.map((service) => service.name), noCache: true })] },
    ]);
  });

  it('restart restarts through compose, then waits until healthy again', async () => {
    const { compose, calls } = composeRecorder();
    const engine = scriptedEngine([[summary('payment', { health: 'starting' })], [summary('payment')]], { ping: async () => undefined });
    const result = await run(['restart', '--profile', 'lite', 'payment'], { compose, engine });
    expect(result.exitCode).toBe(0);
    expect(calls).toEqual([{ method: 'restart', args: [expect.anything(), ['payment'], expect.anything()] }]);
    expect(engine.listCalls).toBe(2);
    expect(result.stdout).toMatch(/^payment restarted, healthy after/);
  });
});

describe('the remembered profile', () => {
  it('is the one of the last up when --profile is not given, else the default', async () => {
    const { writeState } = await import('../../src/host/state.js');
    const root = stackRoot();
    const fresh = await run(['urls', '--json'], {}, root);
    expect(JSON.parse(fresh.stdout)).toMatchObject({ profile: 'full' });
    await writeState(root, { profile: 'lite' });
    const remembered = await run(['urls', '--json'], {}, root);
    expect(JSON.parse(remembered.stdout)).toMatchObject({ profile: 'lite' });
  });
});

describe('innover urls', () => {
  it('lists only what the profile has, as a table, --json or --format env, with no secret', async () => {
    const env = await run(['urls', '--profile', 'lite', '--format', 'env'], {});
    expect(env.exitCode).toBe(0);
    expect(env.stdout).toContain('PAYMENT_URL=http://localhost:8102\n');
    expect(env.stdout).toContain('PAYMENT_NGINX_URL=http://localhost/svc/payment/\n');
    expect(env.stdout).toContain('POSTGRES_URL=postgresql://postgres@localhost:5432/postgres\n');
    expect(env.stdout).not.toMatch(/KEYCLOAK|WSO2|JAEGER|COCKROACH/);

    const full = await run(['urls', '--profile', 'full', '--json'], {});
    const keys = (JSON.parse(full.stdout) as { urls: Array<{ key: string }> }).urls.map((entry) => entry.key);
    expect(keys).toEqual(expect.arrayContaining(['KEYCLOAK_URL', 'WSO2_PUBLISHER_URL', 'WSO2_DEVPORTAL_URL', 'WSO2_GATEWAY_HTTPS_URL', 'JAEGER_URL', 'COCKROACH_UI_URL', 'COCKROACH_SQL_URL', 'REDIS_URL', 'REDPANDA_BROKERS']));
    for (const key of secretKeys(topology)) expect(full.stdout).not.toContain(testEnv[key as keyof typeof testEnv]!);
  });
});
