import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, startRedis } from '../../../test/support/peers.js';
import type { PostgresPeer, RedisPeer } from '../../../test/support/peers.js';
import { apiBaseUrl, buildService, spawnService } from '../../../test/support/service-process.js';
import type { ServiceProcess } from '../../../test/support/service-process.js';

// Each service's own part: its migrations run on PostgreSQL at start (twice, to show they are idempotent)
// and its domain endpoint answers. Auth and the rest of the kit are covered by api.int.test.ts.
const services = ['profile', 'payment', 'ledger', 'wallet', 'rule-engine', 'forex'] as const;
let postgres: PostgresPeer;
let redis: RedisPeer;
const urls = new Map<string, string>();
const processes: ServiceProcess[] = [];

beforeAll(async () => {
  for (const service of services) buildService(service);
  [postgres, redis] = await Promise.all([startPostgres(), startRedis({ password: 'services-secret' })]);
  for (const service of services) {
    const databaseUrl = await postgres.createDatabase(service.replace('-', '_'));
    for (let start = 0; start < 2; start += 1) {
      const api = spawnService(service, 'api', { PORT: '0', DATABASE_URL: databaseUrl, REDIS_URL: redis.url });
      processes.push(api);
      urls.set(service, await apiBaseUrl(api));
    }
  }
});

afterAll(async () => {
  for (const api of processes) {
    api.kill('SIGTERM');
    await api.exited;
  }
  await Promise.allSettled([postgres?.stop(), redis?.stop()]);
});

async function call(service: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${urls.get(service)}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('the six services', () => {
  it('all start, migrate idempotently and are ready', async () => {
    for (const service of services) {
      const response = await fetch(`${urls.get(service)}/readiness`);
      expect(response.status, service).toBe(200);
    }
  });

  it('profile: creates and reads a profile; a duplicate email is a 409', async () => {
    const created = await call('profile', 'POST', '/profiles', { displayName: 'Ada', email: 'ada@example.com' });
    expect(created.status).toBe(201);
    expect((await call('profile', 'GET', `/profiles/${String(created.json['id'])}`)).json).toMatchObject({ displayName: 'Ada', email: 'ada@example.com' });
    expect((await call('profile', 'POST', '/profiles', { displayName: 'Ada', email: 'ADA@example.com' })).status).toBe(409);
    expect((await call('profile', 'POST', '/profiles', { displayName: '', email: 'nope' })).status).toBe(400);
  });

  it('ledger: sums postings per currency', async () => {
    for (const amountMinor of [500, -200]) expect((await call('ledger', 'POST', '/entries', { account: 'acc-1', amountMinor, currency: 'EUR' })).status).toBe(201);
    expect((await call('ledger', 'GET', '/accounts/acc-1/balances')).json).toEqual({ account: 'acc-1', balances: [{ currency: 'EUR', balanceMinor: 300 }] });
  });

  it('wallet: opens and reads a wallet', async () => {
    const created = await call('wallet', 'POST', '/wallets', { ownerId: 'ada', currency: 'GBP' });
    expect(created.status).toBe(201);
    expect((await call('wallet', 'GET', `/wallets/${String(created.json['id'])}`)).json).toMatchObject({ ownerId: 'ada', currency: 'GBP', balanceMinor: 0 });
  });

  it('rule-engine: evaluates a payment', async () => {
    expect((await call('rule-engine', 'POST', '/evaluations', { amountMinor: 100, currency: 'EUR', country: 'KP' })).json).toMatchObject({ decision: 'deny' });
  });

  it('forex: reads seeded rates and converts', async () => {
    expect((await call('forex', 'GET', '/rates/EUR/USD')).json).toEqual({ base: 'EUR', quote: 'USD', rate: 1.08 });
    expect((await call('forex', 'POST', '/conversions', { amountMinor: 1000, from: 'EUR', to: 'USD' })).json).toMatchObject({ convertedMinor: 1080 });
    expect((await call('forex', 'GET', '/rates/EUR/JPY')).status).toBe(404);
  });

  it('payment: stores a pending payment and enqueues its approval', async () => {
    const created = await call('payment', 'POST', '/payments', { payerId: 'a', payeeId: 'b', amountMinor: 5, currency: 'EUR' });
    expect(created.status).toBe(202);
    expect(created.json['jobId']).toBe(`approve-${String(created.json['id'])}`);
  });
});
