import { createRemoteJWKSet, customFetch, jwtVerify, errors } from 'jose';
import type { JWTPayload } from 'jose';
import type { RequestHandler } from 'express';
import type { AuthSettings } from './config.ts';
import { tracedFetch } from './tracing.ts';

/** The realm role a request needs: `<service>-read` for safe methods, `<service>-write` for the rest. */
export function requiredRole(serviceName: string, method: string): string {
  const upper = method.toUpperCase();
  return upper === 'GET' || upper === 'HEAD' || upper === 'OPTIONS' ? `${serviceName}-read` : `${serviceName}-write`;
}

/** Realm roles of a Keycloak-shaped token (`realm_access.roles`); anything malformed counts as none. */
export function realmRoles(payload: JWTPayload): string[] {
  const realmAccess = payload['realm_access'];
  if (typeof realmAccess !== 'object' || realmAccess === null) return [];
  const roles = (realmAccess as { roles?: unknown }).roles;
  return Array.isArray(roles) ? roles.filter((role): role is string => typeof role === 'string') : [];
}

/** Verifies a bearer token; resolves to its claims or rejects with a reason safe to show the caller. */
export type TokenVerifier = (token: string) => Promise<JWTPayload>;

/** JWKS-backed verifier: keys come from `jwksUrl` (internal network), `iss` must equal the public issuer. */
export function createTokenVerifier(settings: AuthSettings): TokenVerifier {
  const keys = createRemoteJWKSet(new URL(settings.jwksUrl), {
    timeoutDuration: 3_000,
    cooldownDuration: 30_000,
    [customFetch]: (url: string, init: RequestInit) => tracedFetch(url, init),
  });
  return async (token) => {
    const { payload } = await jwtVerify(token, keys, { issuer: settings.issuer, audience: settings.audience });
    return payload;
  };
}

function describeTokenError(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'token expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `token claim "${error.claim}" is invalid`;
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'token signature is invalid';
  if (error instanceof errors.JWKSNoMatchingKey) return 'token was not signed by a known key';
  if (error instanceof errors.JOSEError) return 'token is invalid';
  return 'token could not be verified';
}

/**
 * Express middleware: 401 `{error:"unauthorized"}` without a valid bearer token, 403 `{error:"forbidden"}`
 * without the route's role. Health and readiness are mounted before it, so they stay open.
 */
export function authMiddleware(serviceName: string, verify: TokenVerifier): RequestHandler {
  return (request, response, next) => {
    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match?.[1]) {
      response.status(401).set('www-authenticate', 'Bearer').json({ error: 'unauthorized', message: 'a bearer token is required in the Authorization header' });
      return;
    }
    verify(match[1]).then(
      (payload) => {
        const role = requiredRole(serviceName, request.method);
        if (!realmRoles(payload).includes(role)) {
          response.status(403).json({ error: 'forbidden', message: `the token lacks the realm role ${role}`, requiredRole: role });
          return;
        }
        response.locals['principal'] = { subject: payload.sub, roles: realmRoles(payload) };
        next();
      },
      (error: unknown) => {
        response.status(401).set('www-authenticate', 'Bearer error="invalid_token"').json({ error: 'unauthorized', message: describeTokenError(error) });
      },
    );
  };
}
