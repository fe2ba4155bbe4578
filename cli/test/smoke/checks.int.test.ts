import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTask } from '@innover/kit/queue';
import {
  checkGateway,
  checkHttpTargets,
  checkKafka,
  checkRedis,
  checkSql,
  checkTrace,
  checkWorker,
  fetchClientCredentialsToken,
} from '../../src/smoke/checks.js';
import { runSmoke } from '../../src/smoke/run-smoke.js';
import { startKafka, startOidcIssuer, startPostgres, startRedis } from '../../../test/support/peers.js';
import type { KafkaPeer, OidcPeer, PostgresPeer, RedisPeer } from '../../../test/support/peers.js';
import { startOtlpCollector } from '../../../test/support/otlp-collector.js';
import { apiBaseUrl, buildService, spawnService } from '../../../test/support/service-process.js';
import { startGatewayStandIn } from './support/wso2-gateway.js';
import { startJaegerQuery } from './support/jaeger-query.js';

// Each smoke check against a real peer: Redis, the Kafka broker and PostgreSQL containers,
// oidc-provider as the OIDC issuer, an in-process WSO2-like gateway, and a real service process.
const open = () => new AbortController().signal;
/** The client oidc-provider's peer registers (test/support/peers.ts). */
const oidcClient = { clientId: 'innover-test', clientSecret: 'innover-test-secret' };

describe('redis check', () => {
  let secured: RedisPeer;
  let open_: RedisPeer;
  beforeAll(async () => {
    [secured, open_] = await Promise.all([startRedis({ password: 'smoke-redis-secret' }), startRedis()]);
  });
  afterAll(async () => {
    await Promise.all([secured?.stop(), open_?.stop()]);
  });

  it('passes: AUTH + PING answers PONG and PING without AUTH is refused with NOAUTH', async () => {
    await expect(checkRedis({ host: '127.0.0.1', port: secured.port, password: 'smoke-redis-secret' }, open())).resolves.toBe(
      'AUTH + PING: PONG; without AUTH: NOAUTH',
    );
  });

  it('fails on a wrong password', async () => {
    await expect(checkRedis({ host: '127.0.0.1', port: secured.port, password: 'not-the-password' }, open())).rejects.toThrow(
      /^AUTH answered WRONGPASS invalid username-password pair or user is disabled\. \(is REDIS_PASSWORD the one Redis runs with\?\)$/,
    );
  });

  it('fails when Redis runs without a password (it would let unauthenticated clients in)', async () => {
    await expect(checkRedis({ host: '127.0.0.1', port: open_.port, password: 'anything-at-all' }, open())).rejects.toThrow(
      /^AUTH answered ERR AUTH <password> called without any password configured/,
    );
  });
});

describe('kafka check (broker container)', () => {
  let kafka: KafkaPeer;
  beforeAll(async () => {
    kafka = await startKafka();
  });
  afterAll(async () => {
    await kafka?.stop();
  });

  it('produces to the smoke topic and consumes the same message back, twice in a row', async () => {
    await expect(checkKafka({ brokers: kafka.brokers, topic: 'innover-smoke' }, open())).resolves.toMatch(/^produced to innover-smoke\[\d+\] and consumed it back at offset \d+ in \d+ ms$/);
    // The second run reads the first run's message too (from the beginning) and must wait for its own.
    await expect(checkKafka({ brokers: kafka.brokers, topic: 'innover-smoke' }, open())).resolves.toMatch(/consumed it back at offset \d+ /);
  });

  it('fails with the reason when no broker answers', async () => {
    await expect(checkKafka({ brokers: ['127.0.0.1:1'], topic: 'innover-smoke' }, AbortSignal.timeout(8_000))).rejects.toThrow(/Connection|out of time|ECONNREFUSED/);
  });
});

describe('sql check (PostgreSQL)', () => {
  let postgres: PostgresPeer;
  beforeAll(async () => {
    postgres = await startPostgres();
    const { default: pg } = await import('pg');
    const admin = new pg.Client({ connectionString: postgres.url });
    await admin.connect();
    for (const name of ['payment', 'rule_engine']) {
      await admin.query(`CREATE ROLE ${name} LOGIN PASSWORD 'service-db-secret'`);
      await admin.query(`CREATE DATABASE ${name} OWNER ${name}`);
    }
    await admin.end();
  });
  afterAll(async () => {
    await postgres?.stop();
  });

  it("connects as each service's user to its own database and runs SELECT 1", async () => {
    for (const name of ['payment', 'rule_engine']) {
      await expect(checkSql({ host: '127.0.0.1', port: postgres.port, user: name, database: name, password: 'service-db-secret' }, open())).resolves.toBe(
        `${name}@${name}: SELECT 1 = 1`,
      );
    }
  });

  it('fails naming user and database when the database is missing', async () => {
    await expect(checkSql({ host: '127.0.0.1', port: postgres.port, user: 'payment', database: 'ledger', password: 'service-db-secret' }, open())).rejects.toThrow(
      /^payment@ledger: database "ledger" does not exist$/,
    );
  });
});

describe('keycloak and gateway checks (oidc-provider, WSO2-like gateway)', () => {
  let issuer: OidcPeer;
  let backend: { url: string; close(): void };
  beforeAll(async () => {
    issuer = await startOidcIssuer();
    const server = createServer((request, response) => {
      if (request.url === '/health') response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    backend = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
  });
  afterAll(async () => {
    backend?.close();
    await issuer?.stop();
  });

  it('discovers the issuer and gets a client-credentials token', async () => {
    const result = await fetchClientCredentialsToken({ issuerUrl: issuer.issuer, ...oidcClient }, open());
    expect(result.accessToken.split('.')).toHaveLength(3);
    expect(result.detail).toMatch(new RegExp(`^discovery of ${issuer.issuer}, client-credentials token for innover-test \\(JWT, expires in \\d+ s\\)$`));
  });

  it('fails on a wrong client secret, and on an issuer that is not the expected one', async () => {
    await expect(fetchClientCredentialsToken({ issuerUrl: issuer.issuer, clientId: 'innover-test', clientSecret: 'wrong-secret' }, open())).rejects.toThrow(
      /^client innover-test got no token: invalid_client/,
    );
    // Serve the same discovery under a path: its issuer does not match what smoke expects there.
    const proxy = createServer((request, response) => {
      void fetch(`${issuer.issuer}${(request.url ?? '').replace('/realms/innover', '')}`).then(async (answer) => response.writeHead(answer.status).end(await answer.text()));
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', () => resolve()));
    const base = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/realms/innover`;
    try {
      await expect(fetchClientCredentialsToken({ issuerUrl: base, ...oidcClient }, open())).rejects.toThrow(
        `discovery names issuer ${issuer.issuer}, expected ${base} (check KC_HOSTNAME: infrastructure.keycloak.hostname, or Nginx's /auth route)`,
      );
    } finally {
      proxy.close();
    }
  });

  it('the gateway answers 200 with the token and 401 without, over HTTPS with a self-signed certificate', async () => {
    const gateway = await startGatewayStandIn({ apis: { '/api/payment': backend.url }, issuer: issuer.issuer, jwksUrl: issuer.jwksUrl });
    try {
      const { accessToken } = await fetchClientCredentialsToken({ issuerUrl: issuer.issuer, ...oidcClient }, open());
      await expect(checkGateway({ url: `${gateway.url}/api/payment/health`, accessToken }, open())).resolves.toBe('/api/payment/health: 200 with token, 401 without');
      expect(gateway.calls).toEqual([
        { path: '/api/payment/health', authorization: `Bearer ${accessToken}` },
        { path: '/api/payment/health', authorization: undefined },
      ]);
      await expect(checkGateway({ url: `${gateway.url}/api/payment/health`, accessToken: 'not.a.token' }, open())).rejects.toThrow(
        /with the smoke token answered 401 \{"code":"900901","message":"Invalid Credentials"/,
      );
      await expect(checkGateway({ url: `${gateway.url}/api/ledger/health`, accessToken }, open())).rejects.toThrow(/answered 404 .*\(is the API published\? run innover publish-apis\)$/);
    } finally {
      await gateway.stop();
    }
  });

  it('fails when the gateway lets calls without a token through', async () => {
    const gateway = await startGatewayStandIn({ apis: { '/api/payment': backend.url }, issuer: issuer.issuer, jwksUrl: issuer.jwksUrl, enforceAuth: false });
    try {
      const { accessToken } = await fetchClientCredentialsToken({ issuerUrl: issuer.issuer, ...oidcClient }, open());
      await expect(checkGateway({ url: `${gateway.url}/api/payment/health`, accessToken }, open())).rejects.toThrow(/without a token answered 200, expected 401/);
    } finally {
      await gateway.stop();
    }
  });
});

describe('worker, http and trace checks (real payment service processes)', () => {
  let redis: RedisPeer;
  beforeAll(async () => {
    buildService('payment');
    redis = await startRedis({ password: 'smoke-worker-secret' });
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it("round-trips add through the service's worker; fails clearly when no worker listens", async () => {
    const worker = spawnService('payment', 'worker', { REDIS_URL: redis.url, QUEUE_NAME: 'payment' });
    try {
      await worker.waitForLog((line) => line.msg === 'worker ready');
      await expect(checkWorker({ redisUrl: redis.url, queue: 'payment', timeoutMs: 10_000, runTask }, open())).resolves.toMatch(/^add \d+ \d+ = \d+ on queue payment$/);
      await expect(checkWorker({ redisUrl: redis.url, queue: 'nobody-listens', timeoutMs: 1_000, runTask }, open())).rejects.toThrow(/gave no result within 1000 ms/);
    } finally {
      worker.kill();
      await worker.exited;
    }
  });

  it('finds the trace of its own request in the Jaeger query API, from the span the service exported', async () => {
    const collector = await startOtlpCollector();
    const jaeger = await startJaegerQuery(collector.spans);
    const api = spawnService('payment', 'api', { PORT: '0', OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint });
    try {
      const base = await apiBaseUrl(api);
      await expect(checkHttpTargets([{ label: 'health', url: `${base}/health` }, { label: 'readiness', url: `${base}/readiness` }], open())).resolves.toBe('health, readiness: 200');
      const detail = await checkTrace({ service: 'payment', requestUrl: `${base}/health`, jaegerUrl: jaeger.url, waitMs: 15_000, pollMs: 200 }, open());
      expect(detail).toMatch(/^trace [0-9a-f]{32} in Jaeger: 1 span\(s\) of payment \(GET \/health\)$/);
      const traceId = /^trace ([0-9a-f]{32})/.exec(detail)?.[1];
      expect(collector.spans.filter((span) => span.traceId === traceId).map((span) => span.serviceName)).toEqual(['payment']);
      // A service that never exports: the check gives up with the reason.
      await expect(checkTrace({ service: 'ledger', requestUrl: `${base}/health`, jaegerUrl: jaeger.url, waitMs: 1_500, pollMs: 200 }, open())).rejects.toThrow(
        /^trace [0-9a-f]{32} of ledger: trace found without a span of the service after 2 s/,
      );
    } finally {
      api.kill();
      await api.exited;
      await jaeger.stop();
      await collector.stop();
    }
  });

  it('http check names each endpoint that does not answer 200', async () => {
    const server = createServer((request, response) => response.writeHead(request.url === '/health' ? 200 : 503).end('{"status":"degraded"}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      await expect(checkHttpTargets([{ label: 'health', url: `${base}/health` }, { label: 'readiness', url: `${base}/readiness` }], open())).rejects.toThrow(
        'readiness answered 503 {"status":"degraded"}',
      );
    } finally {
      server.close();
    }
  });
});

describe('runSmoke gateway rows without Keycloak', () => {
  it('fails each gateway check with the reason the token could not be had', async () => {
    const rows = await runSmoke(
      [
        { kind: 'keycloak', name: 'keycloak', issuerUrl: 'http://127.0.0.1:1/realms/innover', clientId: 'innover-smoke' },
        { kind: 'gateway', name: 'gateway payment', api: 'payment', url: 'https://127.0.0.1:1/api/payment/health' },
      ],
      {
        secrets: { redisPassword: 'r-secret-123456', serviceDbPassword: 'd-secret-123456', smokeClientSecret: 's-secret-123456' },
        containers: () => Promise.resolve('unused'),
        runTask: () => Promise.reject(new Error('unused')),
      },
      open(),
    );
    expect(rows.map((row) => row.status)).toEqual(['fail', 'fail']);
    expect(rows[1]?.detail).toMatch(/^no smoke token: discovery http:\/\/127\.0\.0\.1:1\/realms\/innover\/\.well-known\/openid-configuration: fetch failed/);
  });
});
