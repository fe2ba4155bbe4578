import { describe, expect, it } from 'vitest';
import type { ComposeClient } from '../../src/clients/compose-client.js';
import type { EngineClient, ExecOptions } from '../../src/clients/engine-client.js';
import { command as dbShell, databaseShell } from '../../src/commands/db-shell.js';
import { command as redisCli } from '../../src/commands/redis-cli.js';
import { command as testWorker } from '../../src/commands/test-worker.js';
import { command as workers, renderWorkers } from '../../src/commands/workers.js';
import { checkMemory, checkPorts } from '../../src/use-cases/preflight.js';
import { resolveStack } from '../../src/use-cases/resolve-stack.js';
import type { QueueApi } from '../../src/clients/queue-api.js';
import { planStack } from '../../src/plan/plan-stack.js';
import { strictFake, testContext } from '../support/context.js';
import { defaultStack } from '../topology/fixtures.js';
import { scriptedEngine, summary } from '../stack/engine-fakes.js';
import { stackRoot, testEnv } from './stack-context.js';

const topology = defaultStack();

function context(clients: { engine?: EngineClient; compose?: ComposeClient; queue?: QueueApi }) {
  const ctx = testContext(clients, { root: stackRoot(), topology, dotenv: testEnv });
  return { out: ctx.out, ctx };
}

const redisUp = () => scriptedEngine([[summary('redis', { ports: [{ hostIp: '0.0.0.0', hostPort: 6379, containerPort: 6379, protocol: 'tcp' }] })]]);

function fakeQueueApi(overrides: Partial<QueueApi>): QueueApi {
  return strictFake<QueueApi>('queue', {
    parseTaskArgs: (task: string, argv: string[]) => (task === 'add' ? { a: Number(argv[0]), b: Number(argv[1]) } : { seconds: Number(argv[0]) }),
    probeRedis: async () => undefined,
    ...overrides,
  });
}

describe('innover test-worker', () => {
  it('dispatches add 1 2 by default to the service queue over host Redis and prints the result', async () => {
    const seen: unknown[] = [];
    const api = fakeQueueApi({
      runTask: (async (options: unknown) => {
        seen.push(options);
        return 3;
      }) as QueueApi['runTask'],
    });
    const command = testWorker;
    const { ctx } = context({ engine: redisUp(), queue: api });
    const result = await command.handler({ service: 'payment', profile: 'lite' }, ctx);
    expect(command.render?.(result, ctx)).toBe('3');
    expect(seen).toEqual([
      { redisUrl: `redis://:${testEnv.REDIS_PASSWORD}@127.0.0.1:6379/0`, queue: 'payment', task: 'add', args: { a: 1, b: 2 }, timeoutMs: 30_000 },
    ]);
  });

  it('passes the task, its arguments and --timeout; a failure is one line without the Redis password', async () => {
    const api = fakeQueueApi({
      runTask: (async (options: { redisUrl: string }) => {
        throw new Error(`task slow on ${options.redisUrl} gave no result within 90000 ms`);
      }) as unknown as QueueApi['runTask'],
    });
    const command = testWorker;
    const { ctx } = context({ engine: redisUp(), queue: api });
    const error = await command.handler({ service: 'payment', task: 'slow', args: ['5'], timeout: 90, profile: 'lite' }, ctx).catch((caught: unknown) => caught);
    expect((error as Error).message).toBe('task slow on redis gave no result within 90000 ms');
    expect((error as Error).message).not.toContain(testEnv.REDIS_PASSWORD);
  });

  it('refuses an unknown service with exit 2, before touching Redis', async () => {
    // No queue client: asking for it would throw.
    const command = testWorker;
    const { ctx } = context({});
    await expect(command.handler({ service: 'billing', profile: 'lite' }, ctx)).rejects.toMatchObject({ exitCode: 2 });
  });

  it('refuses bad task arguments with exit 2 and the fix, before asking the engine whether Redis runs', async () => {
    const api = fakeQueueApi({
      parseTaskArgs: () => {
        throw new Error('add: expects 2 numbers, e.g. "add 1 2" (got 1 arguments)');
      },
    });
    const command = testWorker;
    const { ctx } = context({ engine: strictFake<EngineClient>('engine', {}), queue: api });
    await expect(command.handler({ service: 'payment', task: 'add', args: ['1'], profile: 'lite' }, ctx)).rejects.toMatchObject({
      exitCode: 2,
      message: 'add: expects 2 numbers, e.g. "add 1 2" (got 1 arguments)',
    });
  });

  it('fails in one line, without the password and without sending a task, when Redis refuses the password', async () => {
    const probed: unknown[] = [];
    const api = fakeQueueApi({
      probeRedis: (async (options: unknown) => {
        probed.push(options);
        throw new Error('AUTH answered WRONGPASS invalid username-password pair or user is disabled. (is REDIS_PASSWORD the one Redis runs with?)');
      }) as QueueApi['probeRedis'],
    });
    const command = testWorker;
    const { ctx } = context({ engine: redisUp(), queue: api });
    const error = await command.handler({ service: 'payment', profile: 'lite' }, ctx).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      exitCode: 1,
      problems: ['Redis at 127.0.0.1:6379: AUTH answered WRONGPASS invalid username-password pair or user is disabled. (is REDIS_PASSWORD the one Redis runs with?)'],
    });
    expect(probed).toEqual([{ host: '127.0.0.1', port: 6379, password: testEnv.REDIS_PASSWORD }]);
  });

  it('says which profiles run workers when this one has none', async () => {
    const command = testWorker;
    const { ctx } = context({ queue: fakeQueueApi({}) });
    await expect(command.handler({ service: 'payment', profile: 'identity' }, ctx)).rejects.toThrow(/profile identity runs no services or workers/);
  });
});

describe('innover workers', () => {
  it('inspects every service queue and renders workers, active jobs, waiting and failed', async () => {
    const queues = topology.services.map((service) => ({ queue: service.name, workers: 1, active: [] as Array<{ id: string; task: string; startedAt: string | undefined }>, waiting: 0, failed: 0, delayed: 0, completed: 0 }));
    queues[1]!.active.push({ id: '7', task: 'slow', startedAt: '2026-01-01T00:00:00.000Z' });
    let asked: string[] = [];
    const command = workers;
    const queue = fakeQueueApi({
      inspectQueues: (async (options: { queues: string[] }) => {
        asked = options.queues;
        return queues;
      }) as unknown as QueueApi['inspectQueues'],
    });
    const { ctx } = context({ engine: redisUp(), queue });
    const result = await command.handler({ profile: 'lite' }, ctx);
    expect(asked).toEqual(topology.services.map((service) => service.name));
    const text = renderWorkers(result);
    expect(text).toMatch(/^QUEUE\s+WORKERS\s+ACTIVE\s+WAITING\s+FAILED/);
    expect(text).toContain('payment: job 7 slow started 2026-01-01T00:00:00.000Z');
  });
});

describe('innover db-shell / redis-cli', () => {
  it('opens psql as the admin or as a service, with the password in the exec environment only', async () => {
    const { ctx } = context({});
    const target = await resolveStack(ctx, 'lite');
    expect(databaseShell(target, testEnv, undefined)).toEqual({
      command: ['psql', '-U', 'postgres', '-d', 'postgres'],
      env: [`PGPASSWORD=${testEnv.POSTGRES_PASSWORD}`],
    });
    const service = databaseShell(target, testEnv, 'rule-engine');
    expect(service.command).toEqual(['psql', '-h', '127.0.0.1', '-U', 'rule_engine', '-d', 'rule_engine']);
    expect(service.command.join(' ')).not.toContain(testEnv.SERVICE_DB_PASSWORD);
    const core = await resolveStack(ctx, 'core');
    expect(databaseShell(core, testEnv, 'payment').command).toEqual(['cockroach', 'sql', '--insecure', '--host=cockroach1:26257', '--user', 'payment', '--database', 'payment']);
  });

  it('execs into the running container and answers with its exit code', async () => {
    const execs: Array<{ id: string; options: ExecOptions }> = [];
    const engine = scriptedEngine([[summary('postgres'), summary('redis')]], {
      exec: async (id, options) => {
        execs.push({ id, options });
        return 0;
      },
    });
    const { ctx } = context({ engine });
    const shell = await dbShell.handler({ profile: 'lite' }, ctx);
    expect(shell).toEqual({ container: 'postgres', exitCode: 0 });
    const redis = await redisCli.handler({ profile: 'lite', args: ['ping'] }, ctx);
    expect(redis.exitCode).toBe(0);
    expect(execs[1]).toEqual({
      id: 'redis-id-0123456789abcdef',
      options: { command: ['redis-cli', '--no-auth-warning', 'ping'], env: [`REDISCLI_AUTH=${testEnv.REDIS_PASSWORD}`], tty: false },
    });
  });

  it('names the profiles that have a component the current one lacks', async () => {
    const { ctx } = context({ engine: scriptedEngine([[]]) });
    const { command: kafkaTopics } = await import('../../src/commands/kafka-topics.js');
    await expect(kafkaTopics.handler({ profile: 'identity' }, ctx)).rejects.toThrow('redpanda is not in profile identity: use --profile core or lite or full');
  });
});

describe('doctor checks', () => {
  const plan = planStack(topology, 'lite');

  it('names the process or the container holding a port; the stack own containers are fine', async () => {
    const foreign = summary('web', { name: 'other-web-1', project: 'other', ports: [{ hostIp: '0.0.0.0', hostPort: 80, containerPort: 80, protocol: 'tcp' }] });
    const own = summary('redis', { ports: [{ hostIp: '0.0.0.0', hostPort: 6379, containerPort: 6379, protocol: 'tcp' }] });
    const findings = await checkPorts(plan, [foreign, own], async () => new Map([[5432, { port: 5432, pid: 42, command: 'postgres' }]]));
    expect(findings.map((finding) => finding.message)).toEqual([
      'port 5432 (postgres SQL) is in use by process postgres (pid 42): stop it or change the port in innover.yaml',
      'port 80 (nginx HTTP) is published by container other-web-1 of project other: stop it (docker stop other-web-1) or change the port in innover.yaml',
    ]);
    expect(findings.every((finding) => finding.level === 'error')).toBe(true);
    expect(await checkPorts(plan, [own], async () => new Map())).toEqual([{ check: 'ports', level: 'ok', message: '10 host ports free (or held by this stack)' }]);
  });

  it('compares the sum of memory limits with the host memory', () => {
    expect(checkMemory(plan, 64 * 1024 ** 3)).toMatchObject({ level: 'ok' });
    expect(checkMemory(plan, 1024 ** 3)).toMatchObject({ level: 'warning', message: expect.stringMatching(/of 1\.0 GiB on this host: use a smaller profile/) });
  });

  it('reports Docker down and Compose missing as findings with their fix, exit 1', async () => {
    const { doctorCommand } = await import('../../src/commands/doctor.js');
    const { dockerUnreachable } = await import('../../src/clients/docker-errors.js');
    const { missingComposeClient } = await import('../../src/clients/compose-client.js');
    const engine = strictFake<EngineClient>('engine', { ping: () => Promise.reject(dockerUnreachable('/var/run/docker.sock')) });
    const compose = missingComposeClient('Docker Compose v2 is not installed: install Docker Compose v2 >= 2.20');
    const doctor = doctorCommand(async () => new Map());
    const { ctx } = context({ engine, compose });
    const report = await doctor.handler({ profile: 'lite' }, ctx);
    expect(doctor.exitCode?.(report)).toBe(1);
    expect(report.ok).toBe(false);
    expect(report.findings[0]?.message).toMatch(/^Docker is not reachable at \/var\/run\/docker.sock: start the Docker engine/);
    expect(report.findings.filter((finding) => finding.level === 'error').map((finding) => finding.check)).toEqual(['docker', 'compose']);
    expect(report.findings.find((finding) => finding.check === 'env')).toMatchObject({ level: 'ok' });
  });

  it('still names a process holding a port when Docker is not reachable', async () => {
    const { doctorCommand } = await import('../../src/commands/doctor.js');
    const { dockerUnreachable } = await import('../../src/clients/docker-errors.js');
    const engine = strictFake<EngineClient>('engine', { ping: () => Promise.reject(dockerUnreachable('/var/run/docker.sock')) });
    const compose = strictFake<ComposeClient>('compose', { version: async () => '2.26.1' });
    const doctor = doctorCommand(async () => new Map([[6379, { port: 6379, pid: 7, command: 'redis-server' }]]));
    const { ctx } = context({ engine, compose });
    const report = await doctor.handler({ profile: 'lite' }, ctx);
    expect(report.findings.filter((finding) => finding.level === 'error').map((finding) => finding.message)).toEqual([
      expect.stringMatching(/^Docker is not reachable/),
      'port 6379 (redis Redis) is in use by process redis-server (pid 7): stop it or change the port in innover.yaml',
    ]);
  });
});
