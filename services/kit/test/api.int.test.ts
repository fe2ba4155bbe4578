import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createHttpServer } from 'node:http';
import type { Server } from 'node:http';
import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicName } from '@innover/kit';
import { createEventBus } from '@innover/kit/events';
import type { EventBus, ReceivedEvent } from '@innover/kit/events';
import { paymentInitiatedCodec, paymentStatusChangedCodec } from '@innover/proto/events.js';
import { PaymentStatus } from '@innover/proto/payment/v1/payment_pb.js';
import type { PaymentInitiated, PaymentStatusChanged } from '@innover/proto/payment/v1/payment_pb.js';
import { freePort, startKafka, startOidcIssuer, startPostgres, startRedis } from '../../../test/support/peers.js';
import type { KafkaPeer, OidcPeer, PostgresPeer, RedisPeer } from '../../../test/support/peers.js';
import { startOtlpCollector } from '../../../test/support/otlp-collector.js';
import type { OtlpCollector } from '../../../test/support/otlp-collector.js';
import { apiBaseUrl, buildService, spawnService } from '../../../test/support/service-process.js';
import type { ServiceProcess } from '../../../test/support/service-process.js';
import { until as pollUntil } from '../../../test/support/until.js';

// The payment service stands in for all six: everything exercised here lives in the kit. Its peers (wallet,
// profile, rule-engine, forex, ledger) are one stub HTTP server: every wallet is found and every customer is
// blocked, so each saga ends at `rejected` (customer_blocked) after its first step. The real services' wiring
// is all-services.int.test.ts.
let redis: RedisPeer;
let postgres: PostgresPeer;
let kafka: KafkaPeer;
let oidc: OidcPeer;
let collector: OtlpCollector;
let api: ServiceProcess;
let worker: ServiceProcess;
let baseUrl: string;
let consumerBus: EventBus;
const received: Array<ReceivedEvent<PaymentStatusChanged>> = [];
const initiated: Array<ReceivedEvent<PaymentInitiated>> = [];
let environment: Record<string, string>;

const until = <T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> => pollUntil(what, probe, timeoutMs, 100);

const payment = { payerWalletId: randomUUID(), payeeWalletId: randomUUID(), amountMinor: 1250, currency: 'EUR' };
const blockedCustomer = randomUUID();
let peers: Server;

/** The stub peers: GET /wallets/:id (any id, owned by the blocked customer), GET /customers/:id and ?ids= (blocked), else 404. */
async function startStubPeers(): Promise<{ server: Server; url: string }> {
  const server = createHttpServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://stub');
    const [, resource, id] = url.pathname.split('/');
    const answer = (status: number, body: unknown) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const customer = (customerId: string) => ({ id: customerId, displayName: 'Stub', email: 'stub@example.com', country: 'DE', status: 'blocked', createdAt: new Date().toISOString() });
    if (request.method === 'GET' && resource === 'wallets' && id) answer(200, { id, customerId: blockedCustomer, currency: 'EUR', ledgerAccountId: randomUUID() });
    else if (request.method === 'GET' && resource === 'customers' && id) answer(200, customer(id));
    else if (request.method === 'GET' && url.pathname === '/customers') answer(200, { items: (url.searchParams.get('ids') ?? '').split(',').map(customer), nextCursor: null });
    else answer(404, { error: 'not_found', message: `the stub peers have no ${request.method ?? ''} ${request.url ?? ''}` });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}` };
}

/** Headers of a POST /payments: JSON, a fresh Idempotency-Key, and whatever else is given. */
function paymentHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return { 'content-type': 'application/json', 'idempotency-key': randomUUID(), ...extra };
}

/** The workers' heartbeat files, removed at the end. */
const heartbeats = mkdtempSync(join(tmpdir(), 'innover-api-test-'));

beforeAll(async () => {
  buildService('payment');
  [redis, postgres, kafka, oidc, collector] = await Promise.all([startRedis({ password: 'api-test-secret' }), startPostgres(), startKafka(), startOidcIssuer({ audience: 'innover-api' }), startOtlpCollector()]);
  const databaseUrl = await postgres.createDatabase('payment');
  const stub = await startStubPeers();
  peers = stub.server;
  const called = ['wallet', 'profile', 'rule-engine', 'forex', 'ledger'];
  environment = {
    SERVICE_CALLS: called.join(','),
    ...Object.fromEntries(called.map((service) => [`${service.toUpperCase().replace(/-/g, '_')}_URL`, stub.url])),
    PORT: '0',
    DATABASE_URL: databaseUrl,
    REDIS_URL: redis.url,
    KAFKA_BROKERS: kafka.brokers.join(','),
    OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
    OIDC_ISSUER_URL: oidc.issuer,
    OIDC_JWKS_URL: oidc.jwksUrl,
    WORKER_HEARTBEAT_FILE: join(heartbeats, 'payment'),
  };
  api = spawnService('payment', 'api', environment);
  worker = spawnService('payment', 'worker', environment);
  baseUrl = await apiBaseUrl(api);
  await worker.waitForLog((line) => line.msg === 'worker ready');
  consumerBus = createEventBus({ brokers: kafka.brokers, serviceName: 'api-test', logger: pino({ level: 'silent' }) });
  await consumerBus.subscribe<PaymentStatusChanged>({
    groupId: 'api-test',
    topic: topicName('payment', 'status-changed'),
    codec: paymentStatusChangedCodec,
    fromBeginning: true,
    handler: async (event) => void received.push(event),
  });
  await consumerBus.subscribe<PaymentInitiated>({
    groupId: 'api-test-initiated',
    topic: topicName('payment', 'initiated'),
    codec: paymentInitiatedCodec,
    fromBeginning: true,
    handler: async (event) => void initiated.push(event),
  });
});

afterAll(async () => {
  await consumerBus?.close();
  for (const child of [api, worker]) {
    if (child && child.child.exitCode === null) {
      child.kill('SIGTERM');
      await child.exited;
    }
  }
  await Promise.allSettled([redis?.stop(), postgres?.stop(), kafka?.stop(), oidc?.stop(), collector?.stop(), new Promise((resolve) => (peers ? peers.close(resolve) : resolve(undefined)))]);
  rmSync(heartbeats, { recursive: true, force: true });
});

describe('api', () => {
  it('answers /health without I/O and without a token', async () => {
    const response = await fetch(`${baseUrl}/health`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ service: 'payment', status: 'ok', version: '0.1.0' });
    expect(typeof body['uptimeSeconds']).toBe('number');
  });

  it('traces a /health request that carries a traceparent (bare probes are not traced)', async () => {
    const traceId = randomUUID().replaceAll('-', '');
    expect((await fetch(`${baseUrl}/health`, { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } })).status).toBe(200);
    const [span] = await until('the /health span', async () => {
      const spans = collector.spans.filter((entry) => entry.traceId === traceId);
      return spans.length > 0 ? spans : undefined;
    });
    expect(span).toMatchObject({ serviceName: 'payment', name: 'GET /health', parentSpanId: '00f067aa0ba902b7' });
  });

  it('reports readiness of exactly the configured dependencies, with latency', async () => {
    const response = await fetch(`${baseUrl}/readiness`);
    const body = (await response.json()) as { status: string; checks: Record<string, { status: string; latencyMs: number }> };
    expect(response.status).toBe(200);
    // KAFKA_BROKERS is set, but the API holds no Kafka client: events leave through the worker's outbox relay.
    expect(Object.keys(body.checks).sort()).toEqual(['redis', 'sql']);
    for (const check of Object.values(body.checks)) {
      expect(check.status).toBe('ok');
      expect(check.latencyMs).toBeGreaterThanOrEqual(0);
    }
  });

  it('answers 401 without a token or with a bad one, 403 without the role, 200 with a real token', async () => {
    const url = `${baseUrl}/payments/${randomUUID()}`;
    const missing = await fetch(url);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ error: 'unauthorized' });

    const forged = await fetch(url, { headers: { authorization: 'Bearer not.a.token' } });
    expect(forged.status).toBe(401);

    const wrongAudience = await fetch(url, { headers: { authorization: `Bearer ${await oidc.token({ roles: ['payment-read'], audience: 'someone-else' })}` } });
    expect(wrongAudience.status).toBe(401);
    expect(await wrongAudience.json()).toMatchObject({ error: 'unauthorized', message: 'token claim "aud" is invalid' });

    const readOnly = await oidc.token({ roles: ['payment-read'] });
    const forbidden = await fetch(`${baseUrl}/payments`, { method: 'POST', headers: paymentHeaders({ authorization: `Bearer ${readOnly}` }), body: JSON.stringify(payment) });
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toEqual({ error: 'forbidden', message: 'the token lacks the realm role payment-write', requiredRole: 'payment-write' });

    const writer = await oidc.token({ roles: ['payment-write'] });
    const created = await fetch(`${baseUrl}/payments`, { method: 'POST', headers: paymentHeaders({ authorization: `Bearer ${writer}` }), body: JSON.stringify(payment) });
    expect(created.status).toBe(202);
    const { id } = (await created.json()) as { id: string };
    const read = await fetch(`${baseUrl}/payments/${id}`, { headers: { authorization: `Bearer ${readOnly}` } });
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ id, ...payment });

    // Tokens never reach the logs.
    const logged = JSON.stringify(api.logs);
    expect(logged).not.toContain(readOnly);
    expect(logged).not.toContain(writer);
    expect(logged).not.toContain('api-test-secret');
  });

  it('answers 400 with field paths for a bad body, and for malformed JSON', async () => {
    const headers = paymentHeaders({ authorization: `Bearer ${await oidc.token({ roles: ['payment-write'] })}` });
    const invalid = await fetch(`${baseUrl}/payments`, { method: 'POST', headers, body: JSON.stringify({ payerWalletId: 'alice', amountMinor: 12.5, currency: 'euro' }) });
    expect(invalid.status).toBe(400);
    const body = (await invalid.json()) as { error: string; issues: Array<{ path: string }> };
    expect(body.error).toBe('invalid_request');
    expect(body.issues.map((issue) => issue.path).sort()).toEqual(['amountMinor', 'currency', 'payeeWalletId', 'payerWalletId']);
    const malformed = await fetch(`${baseUrl}/payments`, { method: 'POST', headers, body: '{"payerWalletId":' });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({ error: 'invalid_request', message: 'request body is not valid JSON' });
  });

  it('never loads kafkajs in the API process, even with KAFKA_BROKERS set', async () => {
    expect(api.logs.find((line) => line.msg === 'api listening')).toMatchObject({ checks: ['sql', 'redis'] });
    expect(api.logs.some((line) => (line as { component?: string }).component === 'kafka')).toBe(false);
  });

  it('carries the trace context from the request into the job, the outbox and the relay\'s Kafka headers, and exports it over OTLP', async () => {
    const traceId = randomUUID().replaceAll('-', '');
    const response = await fetch(`${baseUrl}/payments`, {
      method: 'POST',
      headers: paymentHeaders({ authorization: `Bearer ${await oidc.token({ roles: ['payment-write'] })}`, traceparent: `00-${traceId}-00f067aa0ba902b7-01` }),
      body: JSON.stringify(payment),
    });
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };

    const jobLog = await worker.waitForLog((line) => line.msg === 'job completed' && line['jobId'] === `run-payment-${id}-0`, 30_000);
    expect(jobLog['trace_id']).toBe(traceId);

    // payment.initiated.v1 is written by the API's transaction, the saga's transitions (screening, then rejected)
    // by the worker's: all through the outbox, relayed by the worker.
    const accepted = await until('the payment.initiated.v1 event', async () => initiated.find((entry) => entry.value.payment?.paymentId === id));
    expect(accepted.key).toBe(id);
    expect(accepted.headers['traceparent']).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    const events = await until('the screening and rejected payment.status-changed.v1 events', async () => {
      const ofPayment = received.filter((entry) => entry.value.paymentId === id);
      return ofPayment.some((entry) => entry.value.status === PaymentStatus.SCREENING) && ofPayment.some((entry) => entry.value.status === PaymentStatus.REJECTED) ? ofPayment : undefined;
    });
    for (const event of [accepted, ...events]) {
      // Protobuf on the wire, decoded with the generated codec; key = payment id; the request's trace.
      expect(event.headers['content-type']).toBe('application/x-protobuf');
      expect(event.key).toBe(id);
      expect(event.value.metadata?.source).toBe('payment');
      expect(event.value.payment).toMatchObject({ paymentId: id, payerWalletId: payment.payerWalletId, payeeWalletId: payment.payeeWalletId, payerCustomerId: blockedCustomer, amount: { currencyCode: 'EUR', minorUnits: '1250' } });
      expect(event.headers['traceparent']).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    }
    expect(events.find((entry) => entry.value.status === PaymentStatus.REJECTED)?.value.reason).toMatchObject({ code: 'customer_blocked' });

    const spans = await until('API and worker spans at the collector', async () => {
      const ofTrace = collector.spans.filter((span) => span.traceId === traceId);
      return ofTrace.some((span) => span.name === 'run-payment process') && ofTrace.some((span) => span.name === 'POST /payments') ? ofTrace : undefined;
    });
    expect(new Set(spans.map((span) => span.serviceName))).toEqual(new Set(['payment']));
    const names = spans.map((span) => span.name);
    expect(names).toEqual(expect.arrayContaining(['POST /payments', 'payment publish', 'run-payment process']));
    // The job span is a child of the enqueue span, which is a child of the request span.
    const byName = (name: string) => spans.find((span) => span.name === name);
    expect(byName('run-payment process')?.parentSpanId).toBe(byName('payment publish')?.spanId);
    expect(byName('payment publish')?.parentSpanId).toBe(byName('POST /payments')?.spanId);
  });

  it('chains ledger -> wallet through the outbox: a top-up\'s transfer reaches the wallet\'s projection over protobuf events, in the request\'s trace', async () => {
    buildService('ledger');
    buildService('wallet');
    const ledgerDatabase = await postgres.createDatabase('ledger');
    const walletDatabase = await postgres.createDatabase('wallet');
    // Both without OIDC, so the wallet calls the ledger without a token; profile is the stub (GET /customers/:id).
    const common = { ...environment, OIDC_ISSUER_URL: '', OIDC_JWKS_URL: '' };
    const ledgerEnvironment = { ...common, SERVICE_CALLS: '', DATABASE_URL: ledgerDatabase, WORKER_HEARTBEAT_FILE: join(heartbeats, 'ledger') };
    // The APIs own migrations; the workers never run them.
    const ledgerApi = spawnService('ledger', 'api', ledgerEnvironment);
    const ledgerUrl = await apiBaseUrl(ledgerApi);
    const walletEnvironment = { ...common, SERVICE_CALLS: 'profile,ledger', LEDGER_URL: ledgerUrl, DATABASE_URL: walletDatabase, WORKER_HEARTBEAT_FILE: join(heartbeats, 'wallet') };
    const walletApi = spawnService('wallet', 'api', walletEnvironment);
    const walletUrl = await apiBaseUrl(walletApi);
    const ledgerWorker = spawnService('ledger', 'worker', ledgerEnvironment);
    const walletWorker = spawnService('wallet', 'worker', walletEnvironment);
    try {
      await Promise.all([ledgerWorker, walletWorker].map(async (child) => await child.waitForLog((line) => line.msg === 'worker ready', 30_000)));
      const opened = await fetch(`${walletUrl}/wallets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ customerId: randomUUID(), currency: 'EUR' }) });
      expect(opened.status).toBe(201);
      const { id: walletId, ledgerAccountId } = (await opened.json()) as { id: string; ledgerAccountId: string };
      const traceId = randomUUID().replaceAll('-', '');
      const topUp = await fetch(`${walletUrl}/wallets/${walletId}/top-ups`, { method: 'POST', headers: paymentHeaders({ traceparent: `00-${traceId}-00f067aa0ba902b7-01` }), body: JSON.stringify({ amountMinor: 1250 }) });
      expect(topUp.status).toBe(201);
      const { transferId } = (await topUp.json()) as { transferId: string };

      // ledger POST /transfers writes transfer-changed to its outbox; the ledger worker relays it; the wallet worker projects it.
      const balance = await until(
        'the projected top-up',
        async () => {
          const body = (await (await fetch(`${walletUrl}/wallets/${walletId}`)).json()) as { balance: { postedMinor: number } };
          return body.balance.postedMinor === 1250 ? body.balance : undefined;
        },
        30_000,
      );
      expect(balance).toEqual({ postedMinor: 1250, pendingMinor: 0, availableMinor: 1250 });
      expect(await (await fetch(`${ledgerUrl}/accounts/${ledgerAccountId}`)).json()).toMatchObject({ balanceMinor: 1250 });
      const transactions = (await (await fetch(`${walletUrl}/wallets/${walletId}/transactions`)).json()) as { items: Array<Record<string, unknown>> };
      expect(transactions.items).toEqual([expect.objectContaining({ transferId, direction: 'credit', amountMinor: 1250, status: 'posted' })]);

      // One trace from the wallet request through the ledger's request and relay to the wallet's consumer.
      const spans = await until('wallet and ledger spans of the top-up', async () => {
        const ofTrace = collector.spans.filter((span) => span.traceId === traceId);
        return ofTrace.some((span) => span.name === 'POST /transfers') && ofTrace.some((span) => span.name === 'ledger.transfer-changed.v1 process') ? ofTrace : undefined;
      });
      expect(new Set(spans.map((span) => span.serviceName))).toEqual(new Set(['wallet', 'ledger']));
      expect(spans.map((span) => span.name)).toEqual(expect.arrayContaining(['POST /wallets/:id/top-ups', 'POST /transfers', 'ledger.transfer-changed.v1 process']));
      // The consumer's span is the wallet worker's, a descendant of the ledger's request through the outbox row's traceparent.
      expect(spans.find((span) => span.name === 'ledger.transfer-changed.v1 process')?.serviceName).toBe('wallet');
    } finally {
      for (const child of [walletWorker, walletApi, ledgerWorker, ledgerApi]) {
        child.kill('SIGTERM');
        await child.exited;
      }
    }
  });

  it('keeps answering fast when the trace collector is down', async () => {
    const deadCollector = `http://127.0.0.1:${await freePort()}`;
    const other = spawnService('payment', 'api', { ...environment, OTEL_EXPORTER_OTLP_ENDPOINT: deadCollector, OIDC_ISSUER_URL: '', OIDC_JWKS_URL: '' });
    try {
      const url = await apiBaseUrl(other);
      const durations: number[] = [];
      for (let index = 0; index < 30; index += 1) {
        const started = performance.now();
        const response = await fetch(`${url}/payments`, { method: 'POST', headers: paymentHeaders(), body: JSON.stringify(payment) });
        durations.push(performance.now() - started);
        expect(response.status).toBe(202);
        if (index === 10) await new Promise((resolve) => setTimeout(resolve, 1_500)); // let a failed export happen mid-run
      }
      expect(Math.max(...durations)).toBeLessThan(500);
    } finally {
      other.kill('SIGTERM');
      expect(await other.exited).toBe(0);
    }
  });

  it('on SIGTERM stops accepting, finishes the request in flight, then exits 0', async () => {
    // A Redis that accepts connections and never answers keeps the readiness request in flight.
    const sockets = new Set<Socket>();
    const silentBroker = createServer((socket) => void sockets.add(socket));
    await new Promise<void>((resolve) => silentBroker.listen(0, '127.0.0.1', resolve));
    const other = spawnService('payment', 'api', { ...environment, REDIS_URL: `redis://127.0.0.1:${(silentBroker.address() as AddressInfo).port}/0`, OIDC_ISSUER_URL: '', OIDC_JWKS_URL: '', SHUTDOWN_TIMEOUT_MS: '3000' });
    try {
      const url = await apiBaseUrl(other);
      const inFlight = fetch(`${url}/readiness`);
      await new Promise((resolve) => setTimeout(resolve, 300));
      other.kill('SIGTERM');
      await other.waitForLog((line) => line.msg === 'shutting down: draining requests');
      await expect(fetch(`${url}/health`)).rejects.toThrow();
      const response = await inFlight;
      expect(response.status).toBe(503);
      expect(((await response.json()) as { checks: Record<string, { error?: string }> }).checks['redis']?.error).toMatch(/timed out/);
      expect(await other.exited).toBe(0);
      expect(other.logs.find((line) => line.msg === 'stopped')).toMatchObject({ drained: true });
    } finally {
      for (const socket of sockets) socket.destroy();
      silentBroker.close();
    }
  });

  it('answers concurrent first readiness probes of a fresh process all with 200', async () => {
    const other = spawnService('payment', 'api', { ...environment, OIDC_ISSUER_URL: '', OIDC_JWKS_URL: '' });
    try {
      const url = await apiBaseUrl(other);
      const statuses = await Promise.all([1, 2, 3, 4].map(async () => (await fetch(`${url}/readiness`)).status));
      expect(statuses).toEqual([200, 200, 200, 200]);
    } finally {
      other.kill('SIGTERM');
      expect(await other.exited).toBe(0);
    }
  });

  it('turns readiness 503 when Redis stops and 200 when it returns', async () => {
    await redis.stop();
    const down = await until('a 503 readiness', async () => {
      const response = await fetch(`${baseUrl}/readiness`);
      return response.status === 503 ? ((await response.json()) as { status: string; checks: Record<string, { status: string; error?: string }> }) : undefined;
    });
    expect(down.status).toBe('failing');
    expect(down.checks['redis']?.status).toBe('failing');
    expect(down.checks['sql']?.status).toBe('ok');
    await redis.start();
    await until('a 200 readiness', async () => ((await fetch(`${baseUrl}/readiness`)).status === 200 ? true : undefined));
  });

  it('refuses a taken PORT and an unreachable database with one line each and exit 1, never a stack trace', async () => {
    const takenPort = new URL(baseUrl).port;
    const second = spawnService('payment', 'api', { ...environment, PORT: takenPort });
    expect(await second.exited).toBe(1);
    expect(second.stderr().trim().split('\n')).toEqual([`payment api: cannot listen on PORT ${takenPort}: the port is already in use; stop what holds it or set PORT to a free port`]);
    const noDatabase = spawnService('payment', 'api', { ...environment, DATABASE_START_TIMEOUT_MS: '1500', DATABASE_URL: `postgresql://payment:db-secret@127.0.0.1:${await freePort()}/payment` });
    expect(await noDatabase.exited).toBe(1);
    const lines = noDatabase.stderr().trim().split('\n');
    // Retried (logged on stdout) until DATABASE_START_TIMEOUT_MS, then one line on stderr.
    expect(noDatabase.logs.filter((line) => line.msg === 'database not reachable yet; retrying the migrations').length).toBeGreaterThan(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^payment api: migrations failed: .*ECONNREFUSED/);
    expect(lines[0]).not.toContain('db-secret');
  });

  it('drains and exits 0 on SIGTERM', async () => {
    api.kill('SIGTERM');
    expect(await api.exited).toBe(0);
    expect(api.logs.some((line) => line.msg === 'stopped' && line['drained'] === true)).toBe(true);
  });
});
