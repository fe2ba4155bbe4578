import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnvConfig } from '../../src/env/schema.js';
import type { SmokeResult } from '../../src/commands/smoke.js';
import { createHttpProbeClient } from '../../src/clients/http-probe.js';
import { loadQueueApi } from '../../src/clients/queue-api.js';
import { createRedisProbeClient } from '../../src/clients/redis-probe.js';
import { planStack } from '../../src/plan/plan-stack.js';
import type { Topology } from '../../src/topology/schema.js';
import { freePort, startKafka, startPostgres, startRedis } from '../../../test/support/peers.js';
import type { KafkaPeer, PostgresPeer, RedisPeer } from '../../../test/support/peers.js';
import { startOtlpCollector } from '../../../test/support/otlp-collector.js';
import type { OtlpCollector } from '../../../test/support/otlp-collector.js';
import { buildService, spawnService } from '../../../test/support/service-process.js';
import type { ServiceProcess } from '../../../test/support/service-process.js';
import { runCli } from '../support/run-cli.js';
import { testEnv } from '../commands/stack-context.js';
import { scriptedEngine, summary } from '../stack/engine-fakes.js';
import { topologyFrom } from '../topology/fixtures.js';
import { startJaegerQuery } from './support/jaeger-query.js';
import { composeHealth } from '../../src/targets/compose/compose-plan.js';

// `innover smoke` on a profile with Kafka and tracing but no identity or gateway: the real payment
// service (API and worker) on Redis, PostgreSQL and a Kafka broker (containers), exporting its spans
// to a stand-in OTLP collector that a stand-in Jaeger query API serves. The Kafka and trace checks
// run through the command with the endpoints the topology plans.
const redisPassword = 'smoke-observed-redis-secret';
const serviceDbPassword = 'smoke-observed-db-secret';

let redis: RedisPeer;
let postgres: PostgresPeer;
let kafka: KafkaPeer;
let collector: OtlpCollector;
let jaeger: { url: string; stop(): Promise<void> };
let topology: Topology;
let root: string;
const processes: ServiceProcess[] = [];

const dotenv: EnvConfig = {
  ...testEnv,
  REDIS_PASSWORD: redisPassword,
  SERVICE_DB_PASSWORD: serviceDbPassword,
};

beforeAll(async () => {
  buildService('payment');
  [redis, postgres, kafka, collector] = await Promise.all([startRedis({ password: redisPassword }), startPostgres(), startKafka(), startOtlpCollector()]);
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  await admin.query(`CREATE ROLE payment LOGIN PASSWORD '${serviceDbPassword}'`);
  await admin.query('CREATE DATABASE payment OWNER payment');
  await admin.end();

  const [apiPort, jaegerPort, jaegerHealthPort, grpcPort, httpPort] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
  jaeger = await startJaegerQuery(collector.spans, jaegerPort, jaegerHealthPort);
  const kafkaPort = Number(kafka.brokers[0]?.split(':')[1]);
  topology = topologyFrom({
    services: [{ name: 'payment', hostPort: apiPort }],
    database: { postgres: { hostPort: postgres.port } },
    infrastructure: {
      redis: { hostPort: redis.port },
      redpanda: { hostPort: kafkaPort },
      jaeger: { uiHostPort: jaegerPort, healthHostPort: jaegerHealthPort },
      // The stand-in collector answers 200 on every path, its health endpoint included.
      otelCollector: { grpcHostPort: grpcPort, httpHostPort: httpPort, healthHostPort: Number(new URL(collector.endpoint).port) },
    },
    profiles: {
      observed: {
        description: 'services, PostgreSQL, Redis, Kafka and tracing',
        components: ['services', 'database', 'redis', 'redpanda', 'otel-collector', 'jaeger'],
        database: 'postgres',
      },
    },
  });
  const environment = {
    PORT: String(apiPort),
    DATABASE_URL: `postgresql://payment:${serviceDbPassword}@127.0.0.1:${postgres.port}/payment`,
    REDIS_URL: redis.url,
    KAFKA_BROKERS: kafka.brokers.join(','),
    OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
    QUEUE_NAME: 'payment',
  };
  const api = spawnService('payment', 'api', environment);
  const worker = spawnService('payment', 'worker', environment);
  processes.push(api, worker);
  await Promise.all([api.waitForLog((line) => line.msg === 'api listening', 30_000), worker.waitForLog((line) => line.msg === 'worker ready', 30_000)]);
  root = await mkdtemp(join(tmpdir(), 'innover-smoke-observed-'));
}, 120_000);

afterAll(async () => {
  for (const child of processes) child.kill();
  await Promise.all(processes.map((child) => child.exited));
  await Promise.all([redis?.stop(), postgres?.stop(), kafka?.stop(), jaeger?.stop(), collector?.stop()]);
  if (root) await rm(root, { recursive: true, force: true });
});

describe('innover smoke on a profile with Kafka and tracing', () => {
  it('passes the Kafka round trip and finds its request as a trace of the service in Jaeger', async () => {
    const plan = planStack(topology, 'observed');
    const engine = scriptedEngine([plan.workloads.map((container) => summary(container.name, composeHealth(container).kind === 'host-probe' ? { health: 'none', status: 'Up 1 minute' } : {}, plan.project))]);
    // The real HTTP probe, queue and Redis clients: the containers check probes the stand-in Jaeger and collector.
    const run = await runCli(['smoke', '--profile', 'observed', '--json'], { root, topology, dotenv, env: {}, clients: { engine, http: createHttpProbeClient(), queue: await loadQueueApi(), redis: createRedisProbeClient() } });
    const result = JSON.parse(run.stdout) as SmokeResult;
    expect(result.rows.map((row) => [row.name, row.status, row.status === 'fail' ? row.detail : ''])).toEqual([
      ['containers', 'pass', ''],
      ['http payment', 'pass', ''],
      ['redis', 'pass', ''],
      ['kafka', 'pass', ''],
      ['sql payment', 'pass', ''],
      ['keycloak', 'not in profile', ''],
      ['gateway', 'not in profile', ''],
      ['worker payment', 'pass', ''],
      ['trace payment', 'pass', ''],
      ['payment', 'not in profile', ''],
      ['payment trace', 'not in profile', ''],
    ]);
    expect(run.exitCode).toBe(0);
    const byName = new Map(result.rows.map((row) => [row.name, row.detail]));
    expect(byName.get('kafka')).toMatch(/^produced to innover-smoke\[\d+\] and consumed it back at offset \d+ in \d+ ms$/);
    expect(byName.get('trace payment')).toMatch(/^trace [0-9a-f]{32} in Jaeger: 1 span\(s\) of payment \(GET \/health\)$/);
    expect(byName.get('gateway')).toBe('needs wso2, keycloak');
  });
});
