import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createApp } from '@innover/kit/app';
import { HttpError, validateBody } from '@innover/kit';
import type { TokenVerifier } from '@innover/kit';

// createApp with fakes: no peers, only a listening socket on port 0.
let server: Server;
let baseUrl: string;
let redisUp = true;
const lines: string[] = [];
const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
const verify: TokenVerifier = async (token) => {
  if (token === 'reader') return { sub: 'r', realm_access: { roles: ['payment-read'] } };
  if (token === 'writer') return { sub: 'w', realm_access: { roles: ['payment-write'] } };
  throw new Error('bad token');
};

beforeAll(async () => {
  const app = createApp({
    serviceName: 'payment',
    serviceVersion: '9.9.9',
    logger,
    verifyToken: verify,
    readinessTimeoutMs: 200,
    readinessChecks: [
      { name: 'sql', check: async () => undefined },
      { name: 'redis', check: async () => (redisUp ? undefined : Promise.reject(new Error('connect ECONNREFUSED'))) },
    ],
    routes: (router) => {
      router.post('/things', validateBody(z.strictObject({ name: z.string().min(1) })), (request, response) => void response.status(201).json(request.body));
      router.get('/teapot', () => {
        throw new HttpError(418, 'teapot', 'short and stout');
      });
      router.get('/boom', () => {
        throw new Error('secret internal detail');
      });
      router.get('/busy', () => {
        // What pg-pool throws when every connection stays busy past connectionTimeoutMillis.
        throw new Error('timeout exceeded when trying to connect');
      });
      router.get('/shutting-down', () => {
        throw Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
      });
    },
  });
  server = app.listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const get = (path: string, token?: string) => fetch(`${baseUrl}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});

describe('createApp', () => {
  it('routes /health and /readiness without auth', async () => {
    const health = await get('/health');
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ service: 'payment', status: 'ok', version: '9.9.9' });
    const ready = await get('/readiness');
    expect(ready.status).toBe(200);
    redisUp = false;
    const notReady = await get('/readiness');
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toMatchObject({ status: 'failing', checks: { sql: { status: 'ok' }, redis: { status: 'failing', error: 'connect ECONNREFUSED' } } });
    redisUp = true;
  });

  it('guards every other route: 401, 403, then the route', async () => {
    expect((await get('/teapot')).status).toBe(401);
    expect((await get('/teapot', 'forged')).status).toBe(401);
    const forbidden = await fetch(`${baseUrl}/things`, { method: 'POST', headers: { authorization: 'Bearer reader', 'content-type': 'application/json' }, body: '{"name":"x"}' });
    expect(forbidden.status).toBe(403);
    const created = await fetch(`${baseUrl}/things`, { method: 'POST', headers: { authorization: 'Bearer writer', 'content-type': 'application/json' }, body: '{"name":"x"}' });
    expect(created.status).toBe(201);
    expect(await created.json()).toEqual({ name: 'x' });
  });

  it('answers errors as JSON objects, never stack traces', async () => {
    const teapot = await get('/teapot', 'reader');
    expect(teapot.status).toBe(418);
    expect(await teapot.json()).toEqual({ error: 'teapot', message: 'short and stout' });
    const boom = await get('/boom', 'reader');
    expect(boom.status).toBe(500);
    expect(await boom.text()).toBe('{"error":"internal","message":"internal error"}');
    for (const path of ['/busy', '/shutting-down']) {
      const unavailable = await get(path, 'reader');
      expect(unavailable.status).toBe(503);
      expect(unavailable.headers.get('retry-after')).toBe('1');
      expect(await unavailable.json()).toEqual({ error: 'database_unavailable', message: 'the database did not answer in time: retry the request' });
    }
    const missing = await get('/nowhere', 'reader');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'not_found', message: 'no route for GET /nowhere' });
    const invalid = await fetch(`${baseUrl}/things`, { method: 'POST', headers: { authorization: 'Bearer writer', 'content-type': 'application/json' }, body: '{"name":""}' });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ error: 'invalid_request', issues: [{ path: 'name' }] });
  });

  it('logs requests as JSON, without the Authorization header and without bogus trace ids', async () => {
    await get('/teapot', 'reader');
    const requestLines = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line['msg'] === 'request' && line['path'] === '/teapot');
    expect(requestLines.length).toBeGreaterThan(0);
    expect(lines.join('\n')).not.toContain('Bearer reader');
    // No tracer provider in this process: no span is valid, so no trace_id is invented.
    expect(requestLines[0]).not.toHaveProperty('trace_id');
  });
});
