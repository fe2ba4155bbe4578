import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadApiConfig } from '../../src/gateway/load-api-config.js';
import { checkGateway, fetchClientCredentialsToken } from '../../src/smoke/checks.js';
import { planSmoke, type SmokeCheckSpec } from '../../src/smoke/smoke-plan.js';
import { serviceApiContext } from '../../src/components/services-names.js';
import { planStack } from '../../src/plan/plan-stack.js';
import { ContractServer } from '../contract-support/contract-server.js';
import { contractEnv, projectWithApiConfig, runAgainst, topology } from '../contract-support/harness.js';
import { startOidcIssuer, type OidcPeer } from '../../../test/support/peers.js';
import { publishedRoutes, startGatewayStandIn } from './support/wso2-gateway.js';

// smoke's gateway checks against exactly what `innover publish-apis` made live. publish-apis runs
// against the contract server, which validates every publisher, admin and devportal call against
// WSO2 4.5's own OpenAPI specs; the gateway stand-in then serves only the APIs that ended up
// PUBLISHED and deployed, with their operations, and checks tokens from oidc-provider (standing in
// for Keycloak, WSO2's key manager).
const open = () => new AbortController().signal;

let issuer: OidcPeer;
let backend: Server;
let backendUrl: string;
const backendPaths: string[] = [];

beforeAll(async () => {
  issuer = await startOidcIssuer();
  backend = createServer((request, response) => {
    backendPaths.push(request.url ?? '');
    if (request.url === '/health') response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', () => resolve()));
  backendUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
});

afterAll(async () => {
  backend?.close();
  await issuer?.stop();
});

/** Publishes with the CLI, then starts a gateway serving what the publisher made live. */
async function publishThenServe(argv: string[]) {
  const contract = await new ContractServer().start();
  // The key manager configure-keycloak registers, so publish-apis can map the smoke keys through it.
  contract.keyManagers.set('km-1', { id: 'km-1', name: 'Keycloak', type: 'KeyCloak', enabled: true });
  const root = await projectWithApiConfig();
  const env = contractEnv(contract.url);
  const publish = await runAgainst(['publish-apis', ...argv], env, root);
  expect(contract.violations).toEqual([]);
  expect(publish.exitCode, publish.stderr.join('\n')).toBe(0);
  const endpoints: string[] = [];
  const routes = publishedRoutes(contract.apis.values(), contract.deployments, (endpoint) => {
    endpoints.push(endpoint);
    return backendUrl;
  });
  await contract.stop();
  const gateway = await startGatewayStandIn({ apis: routes, issuer: issuer.issuer, jwksUrl: issuer.jwksUrl });
  const config = await loadApiConfig(join(root, 'wso2', 'api-config.yaml'), 'wso2/api-config.yaml');
  const specs = planSmoke({
    topology,
    plan: planStack(topology, 'full'),
    endpoints: { WSO2_GATEWAY_URL: gateway.url },
    gatewayApis: config.apis.map((api) => ({ name: api.name, context: api.context })),
  }).flatMap((spec) => (spec.kind === 'gateway' ? [spec] : []));
  const { accessToken } = await fetchClientCredentialsToken({ issuerUrl: issuer.issuer, clientId: 'innover-test', clientSecret: 'innover-test-secret' }, open());
  const check = (spec: Extract<SmokeCheckSpec, { kind: 'gateway' }>) =>
    checkGateway({ url: spec.url, accessToken }, open()).then(
      (detail) => ({ name: spec.name, detail }),
      (error: unknown) => ({ name: spec.name, error: (error as Error).message }),
    );
  return { routes, endpoints, gateway, specs, results: await Promise.all(specs.map(check)) };
}

describe('smoke gateway checks against the APIs publish-apis published', () => {
  it('every published API answers /health with the smoke token and 401 without, at the context smoke plans', async () => {
    const { routes, endpoints, gateway, specs, results } = await publishThenServe([]);
    try {
      expect(Object.keys(routes).sort()).toEqual(topology.services.map((service) => serviceApiContext(service)).sort());
      expect(endpoints.sort()).toEqual(topology.services.map((service) => `http://${service.name}:8000`).sort());
      expect(specs).toHaveLength(topology.services.length);
      for (const result of results) expect(result, result.name).toEqual({ name: result.name, detail: expect.stringMatching(/^\/api\/[a-z-]+\/health: 200 with token, 401 without$/) });
      expect(backendPaths.filter((path) => path === '/health').length).toBeGreaterThanOrEqual(topology.services.length);
    } finally {
      await gateway.stop();
    }
  });

  it('an API that was not published fails its row with 404 and the command that publishes it', async () => {
    const { routes, gateway, results } = await publishThenServe(['--only', 'Payment']);
    try {
      expect(Object.keys(routes)).toEqual(['/api/payment']);
      for (const result of results) {
        if (result.name === 'gateway Payment') expect(result).toEqual({ name: 'gateway Payment', detail: '/api/payment/health: 200 with token, 401 without' });
        else expect(result, result.name).toEqual({ name: result.name, error: expect.stringMatching(/answered 404 .*\(is the API published\? run innover publish-apis\)$/) });
      }
    } finally {
      await gateway.stop();
    }
  });

  it('the gateway serves only the resources the published operations expose', async () => {
    const gateway = await startGatewayStandIn({
      apis: { '/api/payment': { backend: backendUrl, operations: [{ target: '/payments', verb: 'POST' }] } },
      issuer: issuer.issuer,
      jwksUrl: issuer.jwksUrl,
    });
    try {
      const { accessToken } = await fetchClientCredentialsToken({ issuerUrl: issuer.issuer, clientId: 'innover-test', clientSecret: 'innover-test-secret' }, open());
      await expect(checkGateway({ url: `${gateway.url}/api/payment/health`, accessToken }, open())).rejects.toThrow(/answered 404 \{"code":"404","message":"Runtime Error","description":"No matching resource found for given API Request"\}/);
    } finally {
      await gateway.stop();
    }
  });
});
