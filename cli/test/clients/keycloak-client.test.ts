import { afterEach, describe, expect, it, vi } from 'vitest';
import { connectionFailure, createKeycloakHttpClient, KeycloakResponseError, KeycloakUnreachableError } from '../../src/clients/keycloak-client.js';

// The client over a stubbed global fetch (which the admin client library uses too): no I/O.
const url = 'http://keycloak.test:8080';
const client = () => createKeycloakHttpClient(() => ({ url, managementUrl: 'http://keycloak.test:9000', adminUser: 'admin', adminPassword: 'admin-password-123', timeoutMs: 1_000 }));
const socketError = (code: string) => Object.assign(new Error(`connect ${code} 10.0.0.9:8080`), { code });
const fetchFailed = (cause: unknown) => new TypeError('fetch failed', { cause });
const login = () => Response.json({ access_token: 'token', expires_in: 60, refresh_token: 'refresh', token_type: 'Bearer' });

/** Answers the admin login, then `answer` for every other request. */
function stubFetch(answer: (request: { url: string; method: string }) => Response | Promise<Response>): void {
  vi.stubGlobal('fetch', async (input: string | URL | Request, init?: RequestInit) => {
    const href = input instanceof Request ? input.url : String(input);
    if (href.endsWith('/realms/master/protocol/openid-connect/token')) return login();
    return answer({ url: href, method: init?.method ?? 'GET' });
  });
}
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('Keycloak client errors: "unreachable" only when Keycloak never answered', () => {
  it.each([
    ['connection refused', fetchFailed(socketError('ECONNREFUSED'))],
    ['an unknown host', fetchFailed(socketError('ENOTFOUND'))],
    ['no route to the host', fetchFailed(socketError('EHOSTUNREACH'))],
    ['a reset connection', fetchFailed(socketError('ECONNRESET'))],
    ['every address refusing (happy eyeballs)', fetchFailed(Object.assign(new AggregateError([socketError('ECONNREFUSED'), socketError('ECONNREFUSED')]), { code: 'ECONNREFUSED' }))],
    ['undici connect timeout', fetchFailed(Object.assign(new Error('Connect Timeout Error'), { code: 'UND_ERR_CONNECT_TIMEOUT' }))],
    ['a request timeout', new DOMException('The operation was aborted due to timeout', 'TimeoutError')],
  ])('%s is unreachable', async (_, error) => {
    stubFetch(() => Promise.reject(error));
    const failure = await client().findClient('innover', 'wso2am').catch((caught: unknown) => caught);
    expect(failure).toBeInstanceOf(KeycloakUnreachableError);
    expect((failure as Error).message).toMatch(/^Keycloak at http:\/\/keycloak\.test:8080 is unreachable \(.+\)$/);
  });

  it('a failed admin login by connection is unreachable too', async () => {
    vi.stubGlobal('fetch', () => Promise.reject(fetchFailed(socketError('ECONNREFUSED'))));
    await expect(client().realmExists('innover')).rejects.toBeInstanceOf(KeycloakUnreachableError);
  });

  it('a 201 without the Location header a create needs says what happened, in one line', async () => {
    stubFetch(({ method }) => (method === 'POST' ? new Response(null, { status: 201 }) : Response.json([])));
    const failure = await client().createClient('innover', { clientId: 'wso2am' }).catch((caught: unknown) => caught);
    expect(failure).toBeInstanceOf(KeycloakResponseError);
    expect((failure as Error).message).toBe(`Keycloak's answer to POST client wso2am could not be used (location header is not found in request: )`);
    expect((failure as Error).message).not.toMatch(/unreachable|\n/);
  });

  it('a discovery document that is not JSON says so, not "unreachable"', async () => {
    stubFetch(() => new Response('<html>proxy error page</html>', { status: 200, headers: { 'content-type': 'text/html' } }));
    const failure = await client().wellKnown('innover').catch((caught: unknown) => caught);
    expect(failure).toBeInstanceOf(KeycloakResponseError);
    expect((failure as Error).message).toBe(`Keycloak's answer to GET ${url}/realms/innover/.well-known/openid-configuration could not be used (the body is not JSON)`);
  });

  it('connectionFailure names socket errors and timeouts, and nothing else', () => {
    expect(connectionFailure(fetchFailed(socketError('ECONNREFUSED')))).toBe('connect ECONNREFUSED 10.0.0.9:8080');
    expect(connectionFailure(new DOMException('timeout', 'TimeoutError'))).toBe('no answer in time');
    expect(connectionFailure(new SyntaxError('Unexpected token < in JSON'))).toBeUndefined();
    expect(connectionFailure(new Error('location header is not found in request: x'))).toBeUndefined();
    expect(connectionFailure(undefined)).toBeUndefined();
  });
});
