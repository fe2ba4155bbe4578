import type { NextFunction, Request, Response } from 'express';
import { describe, expect, it } from 'vitest';
import { authMiddleware, realmRoles, requiredRole } from '../src/auth.js';
import type { TokenVerifier } from '../src/auth.js';

describe('role mapping', () => {
  it('needs <service>-read for safe methods and <service>-write for the rest', () => {
    expect(requiredRole('payment', 'GET')).toBe('payment-read');
    expect(requiredRole('payment', 'head')).toBe('payment-read');
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) expect(requiredRole('rule-engine', method)).toBe('rule-engine-write');
  });

  it('reads realm_access.roles and ignores malformed claims', () => {
    expect(realmRoles({ realm_access: { roles: ['a', 7, 'b'] } })).toEqual(['a', 'b']);
    expect(realmRoles({ realm_access: 'x' })).toEqual([]);
    expect(realmRoles({})).toEqual([]);
  });
});

/** A minimal response double recording status and JSON body. */
function fakeResponse() {
  const sent: { status?: number; body?: unknown } = {};
  const response = {
    locals: {} as Record<string, unknown>,
    status(code: number) {
      sent.status = code;
      return response;
    },
    set() {
      return response;
    },
    json(body: unknown) {
      sent.body = body;
      return response;
    },
  };
  return { response: response as unknown as Response, sent };
}

async function run(verify: TokenVerifier, method: string, authorization?: string) {
  const { response, sent } = fakeResponse();
  let passed = false;
  const request = { method, headers: authorization ? { authorization } : {} } as Request;
  authMiddleware('payment', verify)(request, response, (() => (passed = true)) as NextFunction);
  await new Promise((resolve) => setImmediate(resolve));
  return { ...sent, passed };
}

const refuse: TokenVerifier = () => Promise.reject(new Error('unexpected call'));

describe('authMiddleware', () => {
  it('answers 401 without a bearer token, without calling the verifier', async () => {
    expect(await run(refuse, 'GET')).toEqual({ status: 401, body: { error: 'unauthorized', message: 'a bearer token is required in the Authorization header' }, passed: false });
  });

  it('answers 401 when verification fails', async () => {
    const result = await run(refuse, 'GET', 'Bearer abc');
    expect(result.status).toBe(401);
    expect(result.body).toEqual({ error: 'unauthorized', message: 'token could not be verified' });
  });

  it('answers 403 naming the missing role, and passes a token that has it', async () => {
    const verify: TokenVerifier = async () => ({ sub: 'x', realm_access: { roles: ['payment-read'] } });
    expect(await run(verify, 'POST', 'Bearer abc')).toEqual({ status: 403, body: { error: 'forbidden', message: 'the token lacks the realm role payment-write', requiredRole: 'payment-write' }, passed: false });
    expect((await run(verify, 'GET', 'Bearer abc')).passed).toBe(true);
  });
});
