import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpTransport } from '../../src/payments/flow-client.js';
import type { FlowTransport } from '../../src/payments/flow-client.js';
import { runSmoke } from '../../src/smoke/run-smoke.js';
import type { SmokeDependencies, SmokeRow } from '../../src/smoke/run-smoke.js';
import { planSmoke } from '../../src/smoke/smoke-plan.js';
import type { SmokeCheckSpec } from '../../src/smoke/smoke-plan.js';
import { planStack } from '../../src/plan/plan-stack.js';
import { freePort } from '../../../test/support/peers.js';
import { startOtlpCollector } from '../../../test/support/otlp-collector.js';
import type { OtlpCollector, ReceivedSpan } from '../../../test/support/otlp-collector.js';
import { sixServices, startSixServices, until } from '../../../test/support/six-services.js';
import type { SixServices } from '../../../test/support/six-services.js';
import { topologyFrom } from '../topology/fixtures.js';
import { startJaegerQuery } from './support/jaeger-query.js';

// smoke's payment and payment trace rows against the six services as processes (real PostgreSQL, Redis,
// the Kafka broker and an OIDC issuer: every API checks tokens, so the rows use the smoke client's), each
// exporting its spans to a stand-in OTLP collector that a stand-in Jaeger query API serves. The rows are
// planned from a topology whose ports are the harness's, as `innover smoke` plans them.
let stack: SixServices;
let collector: OtlpCollector;
let jaeger: { url: string; stop(): Promise<void> };
let specs: SmokeCheckSpec[];

/** The OIDC peer's own client: it holds every service role, as Keycloak's innover-smoke does. */
const smokeClient = { clientId: 'innover-test', secret: 'innover-test-secret' };

beforeAll(async () => {
  collector = await startOtlpCollector();
  const jaegerPort = await freePort();
  jaeger = await startJaegerQuery(collector.spans, jaegerPort);
  stack = await startSixServices({ oidc: true, otlpEndpoint: collector.endpoint });
  const topology = topologyFrom({
    services: sixServices.map((name) => ({ name, hostPort: Number(new URL(String(stack.urls.get(name))).port) })),
    infrastructure: { jaeger: { uiHostPort: jaegerPort } },
  });
  const planned = planSmoke({ topology, plan: planStack(topology, 'full'), endpoints: { WSO2_GATEWAY_URL: 'https://127.0.0.1:1' } });
  specs = [
    // The issuer is the harness's OIDC peer, not Keycloak behind Nginx.
    { kind: 'keycloak', name: 'keycloak', issuerUrl: String(stack.oidc?.issuer), clientId: smokeClient.clientId },
    ...planned.filter((spec) => spec.kind === 'payment' || spec.kind === 'payment-trace'),
  ];
}, 240_000);

afterAll(async () => {
  await stack?.stop();
  await Promise.all([jaeger?.stop(), collector?.stop()]);
});

/** Records every request the rows send (method, path, traceparent), optionally acting on the answers. */
function recordingTransport(onAnswer?: (request: Parameters<FlowTransport['send']>[0], status: number, text: string) => Promise<void>) {
  const sent: Array<{ method: string; path: string; traceparent: string | undefined; authorized: boolean }> = [];
  const transport: FlowTransport = {
    async send(request, signal) {
      sent.push({ method: request.method, path: new URL(request.url).pathname, traceparent: request.headers['traceparent'], authorized: request.headers['authorization']?.startsWith('Bearer ') === true });
      const answer = await httpTransport.send(request, signal);
      await onAnswer?.(request, answer.status, answer.text);
      return answer;
    },
  };
  return { sent, transport };
}

const run = (dependencies: Partial<SmokeDependencies>): Promise<SmokeRow[]> =>
  runSmoke(
    specs,
    {
      secrets: { redisPassword: '', serviceDbPassword: '', smokeClientSecret: smokeClient.secret },
      containers: () => Promise.reject(new Error('no containers check here')),
      runTask: () => Promise.reject(new Error('no worker check here')),
      traceWaitMs: 60_000,
      paymentWaitMs: 60_000,
      ...dependencies,
    },
    AbortSignal.timeout(180_000),
  );

/** The spans of one trace form one tree below the caller's span: each span's parent is in it. */
function orphans(spans: readonly ReceivedSpan[], rootParent: string): ReceivedSpan[] {
  const ids = new Set(spans.map((span) => span.spanId));
  return spans.filter((span) => span.parentSpanId !== rootParent && !ids.has(span.parentSpanId ?? ''));
}

describe('smoke payment rows against the six services', () => {
  it('passes: one payment completes, both wallets and the trial balance agree, and its one trace spans payment, rule-engine, ledger and wallet', async () => {
    const { sent, transport } = recordingTransport();
    const rows = await run({ flowTransport: transport });
    const byName = new Map(rows.map((row) => [row.name, row]));
    expect(rows.map((row) => [row.name, row.status, row.status === 'fail' ? row.detail : ''])).toEqual([
      ['keycloak', 'pass', ''],
      ['payment', 'pass', ''],
      ['payment trace', 'pass', ''],
    ]);
    expect(byName.get('payment')?.detail).toMatch(/^payment [0-9a-f-]{36} of 250 EUR \(minor units\) completed in \d+ ms; wallets 750 and 250, as in the ledger; trial balance equal$/);
    expect(byName.get('payment trace')?.detail).toMatch(
      /^trace [0-9a-f]{32} of payment [0-9a-f-]{36}: spans of payment \d+, rule-engine \d+, ledger \d+, wallet \d+ \(wallet ran ledger\.transfer-changed\.v1 process\)$/,
    );

    // One payment for both rows; every call carries the smoke token; only the payment carries the trace.
    expect(sent.filter((request) => request.method === 'POST' && request.path === '/payments')).toHaveLength(1);
    expect(sent.every((request) => request.authorized)).toBe(true);
    const traced = sent.filter((request) => request.traceparent !== undefined);
    expect(traced.map((request) => `${request.method} ${request.path}`)).toEqual(['POST /payments']);

    // The trace is one tree: every span (all six processes' exports) hangs below smoke's span.
    const [, traceId, parentId] = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(traced[0]?.traceparent ?? '') ?? [];
    expect(byName.get('payment trace')?.detail).toContain(`trace ${traceId} `);
    const spans = await until('the trace to be whole', async () => {
      const inTrace = collector.spans.filter((span) => span.traceId === traceId);
      return orphans(inTrace, String(parentId)).length === 0 ? inTrace : undefined;
    }, 30_000);
    expect(new Set(spans.map((span) => span.serviceName))).toEqual(new Set(['payment', 'rule-engine', 'ledger', 'wallet', 'profile']));
  });

  it('fails with one clear line when the payee is blocked: the payment is rejected, so there is nothing to trace across ledger and wallet', async () => {
    // Block the payee as soon as smoke created it (the smoke rows never change a team's data beyond their own).
    const { transport } = recordingTransport(async (request, status, text) => {
      if (request.method !== 'POST' || !request.url.endsWith('/customers') || status !== 201 || !request.body?.includes('smoke-payee')) return;
      const customer = JSON.parse(text) as { id: string };
      const blocked = await httpTransport.send(
        { method: 'PATCH', url: request.url.replace(/\/customers$/, `/customers/${customer.id}`), headers: request.headers, body: JSON.stringify({ status: 'blocked' }) },
        AbortSignal.timeout(10_000),
      );
      expect(blocked.status).toBe(200);
    });
    const rows = await run({ flowTransport: transport, traceWaitMs: 5_000 });
    const byName = new Map(rows.map((row) => [row.name, row]));
    expect(byName.get('keycloak')?.status).toBe('pass');
    expect(byName.get('payment')).toMatchObject({ status: 'fail' });
    expect(byName.get('payment')?.detail).toMatch(/^payment [0-9a-f-]{36} rejected, customer_blocked: the payee customer is blocked$/);
    expect(byName.get('payment trace')).toMatchObject({ status: 'fail' });
    expect(byName.get('payment trace')?.detail).toMatch(/^no completed payment to trace: payment [0-9a-f-]{36} rejected, customer_blocked: the payee customer is blocked$/);
  });
});
