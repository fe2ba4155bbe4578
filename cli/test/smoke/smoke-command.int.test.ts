import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnvConfig } from '../../src/env/schema.js';
import type { SmokeResult } from '../../src/commands/smoke.js';
import { loadQueueApi } from '../../src/clients/queue-api.js';
import { createRedisProbeClient } from '../../src/clients/redis-probe.js';
import { planStack } from '../../src/plan/plan-stack.js';
import type { Topology } from '../../src/topology/schema.js';
import { freePort, startKafka, startPostgres, startRedis } from '../../../test/support/peers.js';
import type { KafkaPeer, PostgresPeer, RedisPeer } from '../../../test/support/peers.js';
import { buildService, spawnService } from '../../../test/support/service-process.js';
import type { ServiceProcess } from '../../../test/support/service-process.js';
import { runCli } from '../support/run-cli.js';
import { testEnv } from '../commands/stack-context.js';
import { scriptedEngine, summary } from '../stack/engine-fakes.js';
import { topologyFrom } from '../topology/fixtures.js';

// `innover smoke --profile lite` end to end in-process: the real payment and ledger services (API
// and worker processes) on real Redis, PostgreSQL and a Kafka-protocol broker, an Nginx stand-in routing /svc/<name>/, and
// a fake engine reporting the planned containers. Only the Docker engine itself is faked.
const services = ['payment', 'ledger'];
const redisPassword = 'smoke-command-redis-secret';
const serviceDbPassword = 'smoke-command-db-secret';
const smokeClientSecret = 'smoke-command-client-secret';

let redis: RedisPeer;
let postgres: PostgresPeer;
let kafka: KafkaPeer;
let nginx: Server;
let topology: Topology;
let root: string;
const processes = new Map<string, ServiceProcess>();

const dotenv: EnvConfig = {
  ...testEnv,
  REDIS_PASSWORD: redisPassword,
  SERVICE_DB_PASSWORD: serviceDbPassword,
  SMOKE_CLIENT_SECRET: smokeClientSecret,
};

/** The engine reports every planned container of the profile as the given summary says. */
function engineReporting(overrides: Record<string, Partial<ReturnType<typeof summary>>> = {}) {
  const plan = planStack(topology, 'lite');
  return scriptedEngine([plan.workloads.map((container) => summary(container.name, overrides[container.name] ?? {}, plan.project))]);
}

async function smoke(argv: string[], engine = engineReporting()) {
  // The real queue and Redis clients: the worker check runs a task through the real Redis.
  return await runCli(['smoke', '--profile', 'lite', ...argv], { root, topology, dotenv, env: {}, clients: { engine, queue: await loadQueueApi(), redis: createRedisProbeClient() } });
}

beforeAll(async () => {
  for (const service of services) buildService(service);
  [redis, postgres, kafka] = await Promise.all([startRedis({ password: redisPassword }), startPostgres(), startKafka()]);
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  for (const service of services) {
    await admin.query(`CREATE ROLE ${service} LOGIN PASSWORD '${serviceDbPassword}'`);
    await admin.query(`CREATE DATABASE ${service} OWNER ${service}`);
  }
  await admin.end();

  const ports = new Map<string, number>();
  for (const service of services) ports.set(service, await freePort());
  const nginxPort = await freePort();
  topology = topologyFrom({
    services: services.map((name) => ({ name, hostPort: ports.get(name) })),
    database: { postgres: { hostPort: postgres.port } },
    infrastructure: {
      redis: { hostPort: redis.port },
      // smoke reaches the broker on 127.0.0.1 at the Redpanda host port, as on a real stack.
      redpanda: { hostPort: Number(new URL(`kafka://${kafka.brokers[0]}`).port) },
      nginx: { hostPort: nginxPort },
    },
  });

  for (const service of services) {
    const environment = {
      PORT: String(ports.get(service)),
      DATABASE_URL: `postgresql://${service}:${serviceDbPassword}@127.0.0.1:${postgres.port}/${service}`,
      REDIS_URL: redis.url,
      KAFKA_BROKERS: kafka.brokers.join(','),
      QUEUE_NAME: service,
    };
    const api = spawnService(service, 'api', environment);
    const worker = spawnService(service, 'worker', environment);
    processes.set(`${service}-api`, api);
    processes.set(`${service}-worker`, worker);
    await Promise.all([api.waitForLog((line) => line.msg === 'api listening'), worker.waitForLog((line) => line.msg === 'worker ready')]);
  }

  // Nginx stand-in: /svc/<name>/<path> → the service's published port, as nginx/innover.conf routes it.
  nginx = createServer((request, response) => {
    const match = /^\/svc\/([a-z-]+)\/(.*)$/.exec(request.url ?? '');
    const port = match ? ports.get(match[1] ?? '') : undefined;
    if (!match || !port) return void response.writeHead(404).end();
    void fetch(`http://127.0.0.1:${port}/${match[2]}`)
      .then(async (answer) => response.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text()))
      .catch(() => response.writeHead(502).end('502 Bad Gateway'));
  });
  await new Promise<void>((resolve) => nginx.listen(nginxPort, '127.0.0.1', () => resolve()));
  root = await mkdtemp(join(tmpdir(), 'innover-smoke-'));
}, 120_000);

afterAll(async () => {
  for (const child of processes.values()) child.kill();
  await Promise.all([...processes.values()].map((child) => child.exited));
  nginx?.close();
  await Promise.all([redis?.stop(), postgres?.stop(), kafka?.stop()]);
  if (root) await rm(root, { recursive: true, force: true });
});

describe('innover smoke --profile lite', () => {
  it('passes every check of the profile and shows the others as not in profile; --json carries no secret', async () => {
    // lite has no gateway: its API config is not read, so even a broken one cannot fail the run.
    await mkdir(join(root, 'wso2'), { recursive: true });
    await writeFile(join(root, 'wso2', 'api-config.yaml'), 'apis: 5\n');
    const run = await smoke(['--json']);
    const result = JSON.parse(run.stdout) as SmokeResult;
    expect(result.rows.map((row) => [row.name, row.status])).toEqual([
      ['containers', 'pass'],
      ['http payment', 'pass'],
      ['http ledger', 'pass'],
      ['redis', 'pass'],
      ['kafka', 'pass'],
      ['sql payment', 'pass'],
      ['sql ledger', 'pass'],
      ['keycloak', 'not in profile'],
      ['gateway', 'not in profile'],
      ['worker payment', 'pass'],
      ['worker ledger', 'pass'],
      ['trace', 'not in profile'],
      // The payment flow needs all six services; this topology has two.
      ['payment', 'not in profile'],
      ['payment trace', 'not in profile'],
    ]);
    expect(run.exitCode).toBe(0);
    expect(result).toMatchObject({ profile: 'lite', passed: 9, failed: 0, notInProfile: 5 });
    expect(result.rows.find((row) => row.name === 'payment')?.detail).toBe('needs the services profile, wallet, rule-engine, forex');
    expect(result.rows.find((row) => row.name === 'http ledger')?.detail).toMatch(/nginx \/svc\/ledger\/readiness: 200$/);
    for (const row of result.rows) expect(typeof row.ms).toBe('number');
    for (const secret of Object.values(dotenv).filter((value): value is string => value?.includes('secret') === true)) expect(run.stdout).not.toContain(secret);
  });

  it('fails, exits 1 and says why when a worker is gone, an API is down and a container unhealthy (--timeout bounds the run)', async () => {
    const worker = processes.get('ledger-worker')!;
    worker.kill();
    await worker.exited;
    const api = processes.get('payment-api')!;
    api.kill();
    await api.exited;
    const started = Date.now();
    const run = await smoke(['--timeout', '4'], engineReporting({ 'ledger-worker': { state: 'exited', exitCode: 0, status: 'Exited (0) 3 seconds ago', health: 'none' } }));
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(run.exitCode).toBe(1);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(/^CHECK\s+STATUS\s+TIME\s+DETAIL$/);
    expect(lines.find((line) => line.startsWith('containers '))).toMatch(/fail .*ledger-worker exited with code 0/);
    expect(lines.find((line) => line.startsWith('http payment '))).toMatch(/fail .*:\d+\/health: fetch failed/);
    expect(lines.find((line) => line.startsWith('worker ledger '))).toMatch(/fail .*task add \(job \d+\) on queue ledger gave no result within \d+ ms; is a worker running for that queue\?$/);
    expect(lines.find((line) => line.startsWith('worker payment '))).toMatch(/ pass /);
    expect(lines.find((line) => line.startsWith('kafka '))).toMatch(/ pass .*consumed it back/);
    expect(lines.find((line) => line.startsWith('trace '))).toMatch(/not in profile\s+-\s+needs otel-collector, jaeger/);
    expect(lines.at(-2)).toMatch(/^smoke FAILED \(profile lite\): \d+ passed, 3 failed, 5 not in profile$/);
  });
});
