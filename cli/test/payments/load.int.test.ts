/**
 * `runLoad` against the six services as processes (real PostgreSQL, Redis, the Kafka broker; OIDC off
 * as on lite), straight on their ports and through the WSO2 gateway stand-in in front of them (its
 * tokens from the OIDC issuer, as WSO2's from Keycloak). Every invariant must hold after each run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFlowClient, httpTransport, gatewayTransport } from '../../src/payments/flow-client.js';
import type { FlowService } from '../../src/payments/flow-client.js';
import { runLoad } from '../../src/payments/load.js';
import type { LoadReport } from '../../src/payments/load.js';
import { renderLoad } from '../../src/payments/load-render.js';
import { startOidcIssuer } from '../../../test/support/peers.js';
import type { OidcPeer } from '../../../test/support/peers.js';
import { startSixServices } from '../../../test/support/six-services.js';
import type { SixServices } from '../../../test/support/six-services.js';
import { startGatewayStandIn } from '../smoke/support/wso2-gateway.js';
import type { GatewayStandIn } from '../smoke/support/wso2-gateway.js';

/** The API contexts of the default topology (serviceApiContext). */
const contexts: Record<FlowService, string> = {
  profile: '/api/profile',
  payment: '/api/payment',
  ledger: '/api/ledger',
  wallet: '/api/wallet',
  'rule-engine': '/api/rules',
  forex: '/api/forex',
};

let stack: SixServices;
let issuer: OidcPeer;
let gateway: GatewayStandIn;

beforeAll(async () => {
  // The harness waits 15 s for each API; on the shared 2-core machine a cold start can take longer: one more try.
  stack = await startSixServices().catch(() => startSixServices());
  issuer = await startOidcIssuer({ audience: 'innover-api' });
  gateway = await startGatewayStandIn({
    apis: Object.fromEntries(Object.entries(contexts).map(([service, context]) => [context, String(stack.urls.get(service as FlowService))])),
    issuer: issuer.issuer,
    jwksUrl: issuer.jwksUrl,
  });
}, 360_000);

afterAll(async () => {
  await gateway?.stop();
  await Promise.allSettled([stack?.stop(), issuer?.stop()]);
}, 120_000);

function expectEveryInvariant(report: LoadReport): void {
  const failed = report.invariants.results.filter((result) => !result.ok).map((result) => `${result.name}: ${result.detail}`);
  expect(failed).toEqual([]);
  expect(report.invariants.results).toHaveLength(6);
  expect(report).toMatchObject({ notAccepted: 0, unfinished: 0, ok: true });
}

describe('innover load payments against the six services', () => {
  it('direct, 30% cross-currency: every payment completes and every invariant holds', async () => {
    const client = createFlowClient({ baseUrl: (service) => String(stack.urls.get(service)), transport: httpTransport });
    const report = await runLoad(client, { count: 150, concurrency: 10, crossCurrency: 0.3, timeoutMs: 180_000 });
    console.info(`[load direct]\n${renderLoad({ ...report, profile: 'six-services', via: 'direct' })}`);
    expectEveryInvariant(report);
    expect(report).toMatchObject({ accepted: 150, completed: 150, statuses: { completed: 150 } });
    expect(report.setup).toMatchObject({ customers: 20, wallets: 40 });
    expect(report.completeLatencyMs.count).toBe(150);
  }, 400_000);

  it('--via gateway: every call goes through the gateway with the bearer token, and every invariant holds', async () => {
    const token = await issuer.token({ roles: [] });
    const before = gateway.calls.length;
    const client = createFlowClient({
      baseUrl: (service) => `${gateway.url}${contexts[service]}`,
      authorization: async () => `Bearer ${token}`,
      transport: gatewayTransport,
    });
    const report = await runLoad(client, { count: 40, concurrency: 4, crossCurrency: 0.3, timeoutMs: 180_000 });
    console.info(`[load gateway]\n${renderLoad({ ...report, profile: 'six-services', via: 'gateway' })}`);
    expectEveryInvariant(report);
    expect(report).toMatchObject({ accepted: 40, completed: 40 });
    const calls = gateway.calls.slice(before);
    expect(calls.filter((call) => call.path === '/api/payment/payments')).toHaveLength(40 + (report.httpErrors['POST /payments 409 idempotency_key_in_use'] ?? 0));
    expect(calls.every((call) => call.authorization === `Bearer ${token}`)).toBe(true);
    // load calls every API but forex's (the saga asks forex for quotes; the invariants read the ledger).
    expect(new Set(calls.map((call) => call.path.split('/').slice(0, 3).join('/')))).toEqual(new Set(Object.values(contexts).filter((context) => context !== contexts.forex)));
  }, 400_000);
});
