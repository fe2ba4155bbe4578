/**
 * An in-process stand-in for the WSO2 API Manager gateway, for the smoke gateway check. It behaves
 * as WSO2's gateway documents it: HTTPS with a self-signed certificate, APIs by context (default
 * version, so no version segment), OAuth2 bearer tokens validated as JWTs against the key manager's
 * JWKS and issuer (Keycloak; here oidc-provider), and WSO2's error bodies: 900902 "Missing
 * Credentials" and 900901 "Invalid Credentials" with 401, and 404 for an unknown API or a resource
 * the API's operations do not expose. `publishedRoutes` serves exactly what a publisher (the
 * contract server, which validates every publisher call against WSO2's own specs) made live.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';

export interface GatewayStandIn {
  /** e.g. `https://127.0.0.1:PORT` */
  url: string;
  /** Authorization headers seen, in order (`undefined` for none). */
  calls: { path: string; authorization: string | undefined }[];
  stop(): Promise<void>;
}

/** A throwaway self-signed certificate for 127.0.0.1 / localhost, like WSO2's stock one. */
export function selfSignedCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'innover-gateway-cert-'));
  try {
    const result = spawnSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'],
      { encoding: 'utf8' },
    );
    if (result.error || result.status !== 0) throw new Error(`openssl failed (apt-get install openssl): ${result.error?.message ?? result.stderr}`);
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const missingCredentials = {
  code: '900902',
  message: 'Missing Credentials',
  description: "Invalid Credentials. Make sure your API invocation call has a header: 'Authorization : Bearer ***'",
};
const invalidCredentials = {
  code: '900901',
  message: 'Invalid Credentials',
  description: "Invalid Credentials. Make sure you have provided the correct security credentials",
};

/** Request headers the stand-in passes to the backend (WSO2 passes the client's headers, less Authorization). */
const forwardedRequestHeaders: ReadonlySet<string> = new Set(['accept', 'content-type', 'idempotency-key', 'traceparent', 'tracestate']);

const noMatchingResource = { code: '404', message: 'Runtime Error', description: 'No matching resource found for given API Request' };

/** One API the gateway serves: where it forwards, and (when known) the resources it exposes. */
export interface GatewayRoute {
  backend: string;
  /** WSO2 operations (`target` `/*` or a path, `verb`); undefined serves every resource. */
  operations?: readonly { target: string; verb: string }[];
}

type Json = Record<string, unknown>;

/**
 * What a WSO2 publisher made live, as gateway routes: the APIs that are PUBLISHED and deployed to a
 * gateway environment, by context, with their operations. `backendOf` maps the API's production
 * endpoint (a container URL such as `http://payment:8000`) to a backend this test can reach.
 */
export function publishedRoutes(apis: Iterable<Json>, deployments: ReadonlyMap<string, readonly Json[]>, backendOf: (endpoint: string) => string): Record<string, GatewayRoute> {
  const routes: Record<string, GatewayRoute> = {};
  for (const api of apis) {
    if (api['lifeCycleStatus'] !== 'PUBLISHED' || !(deployments.get(String(api['id'])) ?? []).length) continue;
    const endpoint = ((api['endpointConfig'] as Json | undefined)?.['production_endpoints'] as Json | undefined)?.['url'];
    const operations = (api['operations'] as Json[] | undefined)?.map((operation) => ({ target: String(operation['target']), verb: String(operation['verb']) }));
    routes[String(api['context'])] = { backend: backendOf(String(endpoint)), ...(operations ? { operations } : {}) };
  }
  return routes;
}

/** A resource matches an operation's target exactly, or under a `/*` wildcard, for its verb. */
function exposes(route: GatewayRoute, verb: string, resource: string): boolean {
  if (!route.operations) return true;
  return route.operations.some((operation) => {
    if (operation.verb.toUpperCase() !== verb.toUpperCase()) return false;
    if (operation.target === '/*') return true;
    if (operation.target.endsWith('/*')) return resource.startsWith(operation.target.slice(0, -1));
    return resource === operation.target;
  });
}

/**
 * @param apis context (e.g. `/api/payment`) → backend base URL the gateway forwards to, or a route
 *   with the operations the published API exposes.
 * @param enforceAuth false makes a misconfigured gateway that lets anonymous calls through.
 */
export async function startGatewayStandIn(options: {
  apis: Record<string, string | GatewayRoute>;
  issuer: string;
  jwksUrl: string;
  enforceAuth?: boolean;
}): Promise<GatewayStandIn> {
  const jwks = createRemoteJWKSet(new URL(options.jwksUrl));
  const calls: GatewayStandIn['calls'] = [];
  const server = createServer(selfSignedCertificate(), (request, response) => {
    void (async () => {
      const path = new URL(request.url ?? '/', 'https://gateway').pathname;
      const authorization = request.headers.authorization;
      calls.push({ path, authorization });
      const send = (status: number, body: unknown, headers: Record<string, string> = {}): void =>
        void response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
      const context = Object.keys(options.apis).find((candidate) => path === candidate || path.startsWith(`${candidate}/`));
      if (!context) {
        send(404, { code: '404', type: 'Status report', message: 'Not Found', description: 'The requested resource is not available.' });
        return;
      }
      const configured = options.apis[context] ?? '';
      const route: GatewayRoute = typeof configured === 'string' ? { backend: configured } : configured;
      const resource = path.slice(context.length) || '/';
      if (!exposes(route, request.method ?? 'GET', resource)) return send(404, noMatchingResource);
      if (options.enforceAuth !== false) {
        const challenge = { 'www-authenticate': 'OAuth2 realm="WSO2 API Manager", error="invalid_token", error_description="The access token provided is invalid"' };
        const token = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1];
        if (!token) return send(401, missingCredentials, challenge);
        try {
          await jwtVerify(token, jwks, { issuer: options.issuer });
        } catch {
          return send(401, invalidCredentials, challenge);
        }
      }
      // Forwarded as WSO2 does: method, query, body and the request headers, but not the caller's
      // Authorization (the gateway consumed it; the backend trusts the gateway).
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const headers = Object.fromEntries(
        Object.entries(request.headers).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && forwardedRequestHeaders.has(entry[0])),
      );
      const query = new URL(request.url ?? '/', 'https://gateway').search;
      const method = request.method ?? 'GET';
      const answer = await fetch(`${route.backend}${resource}${query}`, { method, headers, ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}) });
      const answerHeaders: Record<string, string> = { 'content-type': answer.headers.get('content-type') ?? 'application/json' };
      const replayed = answer.headers.get('idempotent-replayed');
      if (replayed !== null) answerHeaders['idempotent-replayed'] = replayed;
      response.writeHead(answer.status, answerHeaders).end(await answer.text());
    })().catch((error: unknown) => {
      response.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ code: '101503', message: String(error) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    calls,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
