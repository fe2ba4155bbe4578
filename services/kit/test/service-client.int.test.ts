import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpError, startApi } from '@innover/kit';
import type { ApiHandle } from '@innover/kit';
import { freePort, startOidcIssuer } from '../../../test/support/peers.js';
import type { OidcPeer } from '../../../test/support/peers.js';
import { createServiceClient, createTokenSource, ServiceCallError, ServiceUnavailableError } from '../src/service-client.js';
import type { ServiceClient, TokenSource } from '../src/service-client.js';

// Two kit apps in this process: `ledger` requires roles (OIDC on), `payment` calls it through
// dependencies.services, with client-credentials tokens from a real oidc-provider issuer.
// test/support/peers.ts registers one client; its credentials are these.
const clientId = 'innover-test';
const clientSecret = 'innover-test-secret';

let oidc: OidcPeer;
let tokenUrl: string;
let callee: ApiHandle;
let caller: ApiHandle;
let calleeUrl: string;
let callerUrl: string;
const seenByCallee: Array<{ traceparent: string | undefined; idempotencyKey: string | undefined; authorization: boolean }> = [];

beforeAll(async () => {
  // The issuer grants every token `ledger-read` only: GET passes, POST lacks `ledger-write`.
  oidc = await startOidcIssuer({ audience: 'innover-api', roles: ['ledger-read'] });
  tokenUrl = ((await (await fetch(`${oidc.issuer}/.well-known/openid-configuration`)).json()) as { token_endpoint: string }).token_endpoint;
  callee = await startApi(
    {
      routes: (router) => {
        router.use((request, _response, next) => {
          seenByCallee.push({ traceparent: request.get('traceparent'), idempotencyKey: request.get('idempotency-key'), authorization: Boolean(request.headers.authorization) });
          next();
        });
        router.get('/accounts/:id', (request, response) => {
          if (request.params['id'] === 'missing') throw new HttpError(404, 'account_not_found', 'no account missing');
          response.json({ id: request.params['id'], query: request.query });
        });
        router.post('/transfers', (request, response) => void response.status(201).json(request.body));
        router.get('/slow', async (_request, response) => {
          await new Promise((resolve) => setTimeout(resolve, 3_000));
          response.json({});
        });
      },
    },
    { SERVICE_NAME: 'ledger', PORT: '0', LOG_LEVEL: 'silent', OIDC_ISSUER_URL: oidc.issuer, OIDC_JWKS_URL: oidc.jwksUrl },
  );
  calleeUrl = `http://127.0.0.1:${callee.port}`;
  caller = await startApi(
    {
      routes: (router, dependencies) => {
        router.get('/through/:id', async (request, response) => {
          const answer = await dependencies.services.get('ledger').request<{ id: string }>('GET', `/accounts/${request.params['id']}`);
          response.json({ status: answer.status, body: answer.body });
        });
      },
    },
    { SERVICE_NAME: 'payment', PORT: '0', LOG_LEVEL: 'silent', SERVICE_CALLS: 'ledger', LEDGER_URL: calleeUrl, OIDC_TOKEN_URL: tokenUrl, OIDC_CLIENT_ID: clientId, OIDC_CLIENT_SECRET: clientSecret },
  );
  callerUrl = `http://127.0.0.1:${caller.port}`;
});

afterAll(async () => {
  await Promise.allSettled([caller?.shutdown(), callee?.shutdown()]);
  await oidc?.stop();
});

function countingTokens(): { tokens: TokenSource; requests: () => number } {
  let requests = 0;
  const tokens = createTokenSource(
    { tokenUrl, clientId, clientSecret },
    {
      fetch: (input, init) => {
        requests += 1;
        return fetch(input, init);
      },
    },
  );
  return { tokens, requests: () => requests };
}

describe('service-to-service calls', () => {
  it('calls through dependencies.services with a client-credentials token and continues the caller\'s trace', async () => {
    const traceId = 'c'.repeat(32);
    seenByCallee.length = 0;
    const response = await fetch(`${callerUrl}/through/acc-1`, { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 200, body: { id: 'acc-1', query: {} } });
    expect(seenByCallee).toHaveLength(1);
    expect(seenByCallee[0]?.authorization).toBe(true);
    // The callee's parent is the caller's CLIENT span in the same trace, not the caller's own parent.
    expect(seenByCallee[0]?.traceparent).toMatch(new RegExp(`^00-${traceId}-(?!00f067aa0ba902b7)[0-9a-f]{16}-01$`));
  });

  it('answers 200 with a role the token has and 403 ServiceCallError without; caches the token across calls', async () => {
    const { tokens, requests } = countingTokens();
    const ledger = createServiceClient('ledger', calleeUrl, { tokens });
    const read = await ledger.request<{ id: string; query: Record<string, string> }>('GET', '/accounts/acc-2', { query: { limit: 5 } });
    expect(read).toMatchObject({ status: 200, body: { id: 'acc-2', query: { limit: '5' } } });
    const refused = await ledger.request('POST', '/transfers', { body: { id: 't-1' }, idempotencyKey: 'key-1' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ServiceCallError);
    expect(refused).toMatchObject({ service: 'ledger', status: 403, code: 'forbidden', message: 'the token lacks the realm role ledger-write' });
    await ledger.request('GET', '/accounts/acc-2', { idempotencyKey: 'key-1' });
    expect(seenByCallee.at(-1)?.idempotencyKey).toBe('key-1');
    await expect(ledger.request('GET', '/accounts/missing')).rejects.toMatchObject({ name: 'ServiceCallError', status: 404, code: 'account_not_found', message: 'no account missing' });
    expect(requests()).toBe(1);
  });

  it('without OIDC settings sends no Authorization header, which a callee with OIDC on answers 401', async () => {
    const ledger = createServiceClient('ledger', calleeUrl);
    // The kit's answer to a request without the header (a bad token would say why it is invalid).
    await expect(ledger.request('GET', '/accounts/acc-3')).rejects.toMatchObject({ name: 'ServiceCallError', status: 401, code: 'unauthorized', message: 'a bearer token is required in the Authorization header' });
  });

  it('on a 401 fetches a new token from the issuer once and retries', async () => {
    const { tokens: real, requests } = countingTokens();
    let handedOut = 0;
    // The first token handed out is one the callee refuses, as after a key rotation.
    const tokens: TokenSource = { token: async () => (handedOut++ === 0 ? 'revoked.token.value' : await real.token()), invalidate: (token) => real.invalidate(token) };
    const ledger = createServiceClient('ledger', calleeUrl, { tokens });
    await expect(ledger.request('GET', '/accounts/acc-4')).resolves.toMatchObject({ status: 200, body: { id: 'acc-4' } });
    expect([handedOut, requests()]).toEqual([2, 1]);
  });

  it('reports a refused client secret as ServiceCallError invalid_client, never echoing the secret', async () => {
    const ledger = createServiceClient('ledger', calleeUrl, { tokens: createTokenSource({ tokenUrl, clientId, clientSecret: 'wrong-secret' }) });
    const error = await ledger.request('GET', '/accounts/acc-5').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'ServiceCallError', service: 'oidc', code: 'invalid_client' });
    expect((error as Error).message).not.toContain('wrong-secret');
  });

  it('turns a timeout and a refused connection into ServiceUnavailableError', async () => {
    const ledger: ServiceClient = createServiceClient('ledger', calleeUrl, { tokens: countingTokens().tokens });
    const slow = await ledger.request('GET', '/slow', { timeoutMs: 300 }).catch((error: unknown) => error);
    expect(slow).toBeInstanceOf(ServiceUnavailableError);
    expect(slow).toMatchObject({ service: 'ledger', retryable: true, message: 'GET ledger/slow failed: no answer within 300 ms' });
    const nobody = createServiceClient('ledger', `http://127.0.0.1:${await freePort()}`);
    const refused = await nobody.request('GET', '/accounts/a').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ServiceUnavailableError);
    expect((refused as Error).message).toBe('GET ledger/accounts/a failed: ECONNREFUSED');
  });
});
