import { describe, expect, it } from 'vitest';
import { createServiceClient, createServiceClients, createTokenSource, ServiceCallError, ServiceUnavailableError, tokenRefreshMarginMs } from '../src/service-client.js';
import type { TokenSource } from '../src/service-client.js';

const auth = { tokenUrl: 'http://issuer.test/token', clientId: 'payment-service', clientSecret: 'p@ss word' };

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

describe('createTokenSource', () => {
  it('asks for client credentials with HTTP Basic (form-encoded id and secret) and caches until 30 s before expiry', async () => {
    let clock = 1_000_000;
    const requests: RequestInit[] = [];
    const tokens = createTokenSource(auth, {
      now: () => clock,
      fetch: async (_url, init) => {
        requests.push(init ?? {});
        return json(200, { access_token: `token-${requests.length}`, expires_in: 300, token_type: 'Bearer' });
      },
    });
    expect(await tokens.token()).toBe('token-1');
    expect(requests[0]?.method).toBe('POST');
    expect(String(requests[0]?.body)).toBe('grant_type=client_credentials');
    expect(new Headers(requests[0]?.headers).get('authorization')).toBe(`Basic ${Buffer.from('payment-service:p%40ss%20word').toString('base64')}`);
    clock += 300_000 - tokenRefreshMarginMs - 1;
    expect(await tokens.token()).toBe('token-1');
    clock += 1;
    expect(await tokens.token()).toBe('token-2');
    expect(requests).toHaveLength(2);
  });

  it('keeps one token request in flight for concurrent callers', async () => {
    let release: (response: Response) => void = () => undefined;
    let calls = 0;
    const tokens = createTokenSource(auth, {
      fetch: () => {
        calls += 1;
        return new Promise((resolve) => (release = resolve));
      },
    });
    const all = Promise.all([tokens.token(), tokens.token(), tokens.token()]);
    await Promise.resolve();
    release(json(200, { access_token: 'shared', expires_in: 60 }));
    expect(await all).toEqual(['shared', 'shared', 'shared']);
    expect(calls).toBe(1);
  });

  it('forgets a token only if it is still the cached one', async () => {
    let issued = 0;
    const tokens = createTokenSource(auth, { fetch: async () => json(200, { access_token: `t${++issued}`, expires_in: 600 }) });
    const first = await tokens.token();
    tokens.invalidate(first);
    const second = await tokens.token();
    tokens.invalidate(first); // a late 401 for the old token must not drop the new one
    expect([first, second, await tokens.token()]).toEqual(['t1', 't2', 't2']);
  });

  it('names the OAuth error of a refusal without the secret, and treats a dead endpoint as unavailable', async () => {
    const refused = createTokenSource(auth, { fetch: async () => json(401, { error: 'invalid_client', error_description: 'bad secret p@ss word' }) });
    const error = await refused.token().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ServiceCallError);
    expect(error).toMatchObject({ service: 'oidc', status: 401, code: 'invalid_client' });
    expect((error as Error).message).not.toContain('p@ss');
    const dead = createTokenSource(auth, { fetch: async () => Promise.reject(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } })) });
    await expect(dead.token()).rejects.toBeInstanceOf(ServiceUnavailableError);
  });
});

describe('createServiceClient', () => {
  it('sends JSON, the query, the Idempotency-Key and no Authorization without a token source', async () => {
    const seen: Array<{ url: string; init: RequestInit }> = [];
    const client = createServiceClient('ledger', 'http://ledger:8000/', {
      fetch: async (url, init) => {
        seen.push({ url: String(url), init: init ?? {} });
        return json(201, { id: 't-1' });
      },
    });
    const answer = await client.request<{ id: string }>('POST', '/transfers', { body: { id: 't-1' }, idempotencyKey: 'k-1', query: { limit: 5, cursor: undefined } });
    expect(answer).toMatchObject({ status: 201, body: { id: 't-1' } });
    expect(seen[0]?.url).toBe('http://ledger:8000/transfers?limit=5');
    const headers = new Headers(seen[0]?.init.headers);
    expect([headers.get('idempotency-key'), headers.get('content-type'), headers.get('authorization')]).toEqual(['k-1', 'application/json', null]);
    expect(seen[0]?.init.body).toBe('{"id":"t-1"}');
  });

  it('throws ServiceCallError with the answer\'s code for a non-2xx answer, ServiceUnavailableError for 502/503/504 and refused connections', async () => {
    const answers: Array<() => Promise<Response>> = [
      async () => json(409, { error: 'insufficient_funds', message: 'account would go negative' }),
      async () => new Response('teapot', { status: 418 }),
      async () => json(503, { error: 'unavailable' }),
      async () => Promise.reject(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } })),
    ];
    const client = createServiceClient('ledger', 'http://ledger:8000', { fetch: () => (answers.shift() ?? (async () => json(200, {})))() });
    await expect(client.request('POST', '/transfers')).rejects.toMatchObject({ name: 'ServiceCallError', service: 'ledger', status: 409, code: 'insufficient_funds', message: 'account would go negative' });
    await expect(client.request('GET', '/x')).rejects.toMatchObject({ name: 'ServiceCallError', status: 418, code: 'http_418' });
    await expect(client.request('GET', '/x')).rejects.toMatchObject({ name: 'ServiceUnavailableError', service: 'ledger', status: 503, retryable: true });
    await expect(client.request('GET', '/x')).rejects.toMatchObject({ name: 'ServiceUnavailableError', message: 'GET ledger/x failed: ECONNREFUSED' });
  });

  it('on a 401 refreshes the token once and retries; a second 401 is the answer', async () => {
    let issued = 0;
    const invalidated: string[] = [];
    const tokens: TokenSource = { token: async () => `t${++issued}`, invalidate: (token) => void invalidated.push(token) };
    const sent: string[] = [];
    let accept = 't2';
    const client = createServiceClient('ledger', 'http://ledger:8000', {
      tokens,
      fetch: async (_url, init) => {
        const token = new Headers(init?.headers).get('authorization') ?? '';
        sent.push(token);
        return token === `Bearer ${accept}` ? json(200, { ok: true }) : json(401, { error: 'unauthorized', message: 'token expired' });
      },
    });
    expect((await client.request('GET', '/accounts/a')).body).toEqual({ ok: true });
    expect(sent).toEqual(['Bearer t1', 'Bearer t2']);
    expect(invalidated).toEqual(['t1']);
    accept = 'never';
    await expect(client.request('GET', '/accounts/a')).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
    expect(sent).toHaveLength(4);
  });
});

describe('createServiceClients', () => {
  it('answers a client per called service and names the fix for any other', () => {
    const clients = createServiceClients({ urls: { ledger: 'http://ledger:8000' }, auth: undefined, timeoutMs: 1_000 });
    expect(clients.get('ledger').baseUrl).toBe('http://ledger:8000');
    expect(clients.names()).toEqual(['ledger']);
    expect(() => clients.get('rule-engine')).toThrow('no client for service "rule-engine": add it to SERVICE_CALLS and set RULE_ENGINE_URL (this process calls ledger)');
  });
});
