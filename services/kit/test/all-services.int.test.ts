import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startKafka, startPostgres, startRedis } from '../../../test/support/peers.js';
import type { KafkaPeer, PostgresPeer, RedisPeer } from '../../../test/support/peers.js';
import { apiBaseUrl, buildService, spawnService } from '../../../test/support/service-process.js';
import type { ServiceProcess } from '../../../test/support/service-process.js';

// All six services as processes, wired to each other as the topology's `calls` say (SERVICE_CALLS +
// <NAME>_URL, OIDC off as in lite), against real PostgreSQL, Redis and the Kafka-protocol broker. Each API
// starts twice on its database, so its migrations are shown idempotent; the workers of the three services
// with an outbox (ledger, wallet, payment) relay events and run the saga and the projection. Auth and the rest
// of the kit are covered by api.int.test.ts; every rule of each service by its own tests.
const services = ['profile', 'payment', 'ledger', 'wallet', 'rule-engine', 'forex'] as const;
type Service = (typeof services)[number];
/** innover.yaml's `calls` (the topology is the source; here as the env the generated stack gives). */
const calls: Partial<Record<Service, Service[]>> = { payment: ['wallet', 'profile', 'rule-engine', 'forex', 'ledger'], wallet: ['profile', 'ledger'] };
const withWorkers: Service[] = ['ledger', 'wallet', 'payment'];

let postgres: PostgresPeer;
let redis: RedisPeer;
let kafka: KafkaPeer;
const urls = new Map<Service, string>();
const processes: ServiceProcess[] = [];

const urlVariable = (service: string) => `${service.toUpperCase().replace(/-/g, '_')}_URL`;

beforeAll(async () => {
  for (const service of services) buildService(service);
  [postgres, redis, kafka] = await Promise.all([startPostgres(), startRedis({ password: 'services-secret' }), startKafka()]);
  // Ports chosen up front, so each caller gets its callees' URLs in its environment.
  for (const service of services) urls.set(service, `http://127.0.0.1:${String(await freePort())}`);
  const environments = new Map<Service, Record<string, string>>();
  for (const service of services) {
    const called = calls[service] ?? [];
    environments.set(service, {
      DATABASE_URL: await postgres.createDatabase(service.replace('-', '_')),
      REDIS_URL: redis.url,
      KAFKA_BROKERS: kafka.brokers.join(','),
      LOG_LEVEL: 'info',
      WORKER_HEARTBEAT_FILE: `/tmp/innover-all-services-${service}-${process.pid}`,
      ...(called.length > 0 ? { SERVICE_CALLS: called.join(','), ...Object.fromEntries(called.map((callee) => [urlVariable(callee), String(urls.get(callee))])) } : {}),
    });
  }
  await Promise.all(
    services.map(async (service) => {
      const environment = environments.get(service) ?? {};
      // First start: migrates and listens; stopped, then the second start migrates again on the same database.
      const first = spawnService(service, 'api', { ...environment, PORT: '0' });
      await apiBaseUrl(first);
      first.kill('SIGTERM');
      expect(await first.exited, `${service} first start`).toBe(0);
      const api = spawnService(service, 'api', { ...environment, PORT: new URL(String(urls.get(service))).port });
      processes.push(api);
      await apiBaseUrl(api);
    }),
  );
  // Workers after the APIs: the APIs own the migrations.
  await Promise.all(
    withWorkers.map(async (service) => {
      const worker = spawnService(service, 'worker', environments.get(service) ?? {});
      processes.push(worker);
      await worker.waitForLog((line) => line.msg === 'worker ready', 30_000);
    }),
  );
}, 240_000);

afterAll(async () => {
  for (const child of processes) {
    if (child.child.exitCode === null) {
      child.kill('SIGTERM');
      await child.exited;
    }
  }
  await Promise.allSettled([postgres?.stop(), redis?.stop(), kafka?.stop()]);
});

type Json = Record<string, unknown>;

async function call(service: Service, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: Json }> {
  const response = await fetch(`${String(urls.get(service))}${path}`, { method, headers: { 'content-type': 'application/json', ...headers }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: response.status, json: (await response.json()) as Json };
}

/** Polls `probe` (every 200 ms, up to `timeoutMs`) until it returns a value. */
async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function customer(name: string): Promise<string> {
  const created = await call('profile', 'POST', '/customers', { displayName: name, email: `${name}-${randomUUID()}@example.com`, country: 'DE' });
  expect(created.status).toBe(201);
  return String(created.json['id']);
}

async function wallet(customerId: string, currency: string): Promise<Json> {
  const opened = await call('wallet', 'POST', '/wallets', { customerId, currency });
  expect(opened.status, JSON.stringify(opened.json)).toBe(201);
  return opened.json;
}

describe('the six services', () => {
  it('all start, migrate idempotently and are ready', async () => {
    for (const service of services) {
      const response = await fetch(`${String(urls.get(service))}/readiness`);
      expect(response.status, service).toBe(200);
    }
  });

  it('profile: creates and reads a customer; a used email is a 409 email_taken', async () => {
    const created = await call('profile', 'POST', '/customers', { displayName: 'Ada', email: 'ada@example.com', country: 'GB' });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ displayName: 'Ada', email: 'ada@example.com', country: 'GB', status: 'active' });
    expect((await call('profile', 'GET', `/customers/${String(created.json['id'])}`)).json).toEqual(created.json);
    expect(await call('profile', 'POST', '/customers', { displayName: 'Ada', email: 'ada@example.com', country: 'GB' })).toMatchObject({ status: 409, json: { error: 'email_taken' } });
    expect((await call('profile', 'POST', '/customers', { displayName: '', email: 'nope', country: 'GB' })).json).toMatchObject({ error: 'invalid_request' });
  });

  it('rule-engine: serves the default rule set, version 1', async () => {
    expect(await call('rule-engine', 'GET', '/rules')).toMatchObject({ status: 200, json: { version: 1 } });
  });

  it('forex: lists the seeded rates as decimal strings and quotes EUR to USD', async () => {
    const rates = await call('forex', 'GET', '/rates');
    expect((rates.json['items'] as Json[]).find((rate) => rate['pair'] === 'EUR-USD')).toMatchObject({ rate: '1.0800' });
    expect(await call('forex', 'POST', '/quotes', { sellCurrency: 'EUR', buyCurrency: 'USD', sellAmountMinor: 1000 })).toMatchObject({ status: 201, json: { buyAmountMinor: 1080, rate: '1.0800' } });
  });

  it('ledger: opens accounts, posts a balanced transfer and keeps the trial balance equal', async () => {
    const [asset, liability] = await Promise.all(
      [
        { code: `cash-${randomUUID()}`, currency: 'CHF', type: 'asset', allowNegative: true },
        { code: `owed-${randomUUID()}`, currency: 'CHF', type: 'liability' },
      ].map(async (account) => {
        const opened = await call('ledger', 'POST', '/accounts', account);
        expect(opened.status).toBe(201);
        return String(opened.json['id']);
      }),
    );
    const transfer = {
      id: randomUUID(),
      entries: [
        { accountId: asset, direction: 'debit', amountMinor: 700 },
        { accountId: liability, direction: 'credit', amountMinor: 700 },
      ],
    };
    expect(await call('ledger', 'POST', '/transfers', transfer)).toMatchObject({ status: 201, json: { id: transfer.id, status: 'posted' } });
    expect((await call('ledger', 'GET', `/accounts/${String(liability)}`)).json).toMatchObject({ balanceMinor: 700 });
    const trial = (await call('ledger', 'GET', '/trial-balance')).json['currencies'] as Json[];
    expect(trial.find((row) => row['currency'] === 'CHF')).toEqual({ currency: 'CHF', debitsMinor: 700, creditsMinor: 700 });
  });

  it('wallet: opens a wallet for a customer of profile, with its ledger account; an unknown customer is a 404', async () => {
    const opened = await wallet(await customer('grace'), 'GBP');
    expect((await call('ledger', 'GET', `/accounts/${String(opened['ledgerAccountId'])}`)).json).toMatchObject({ currency: 'GBP', type: 'liability', allowNegative: false, balanceMinor: 0 });
    expect(await call('wallet', 'POST', '/wallets', { customerId: randomUUID(), currency: 'GBP' })).toMatchObject({ status: 404, json: { error: 'customer_not_found' } });
  });

  it('moves money end to end: top-up, payment saga to completed, wallet projections and the trial balance', async () => {
    const payer = await wallet(await customer('alice'), 'EUR');
    const payee = await wallet(await customer('bob'), 'EUR');
    const payerId = String(payer['id']);
    const payeeId = String(payee['id']);
    const topUp = await call('wallet', 'POST', `/wallets/${payerId}/top-ups`, { amountMinor: 5_000 }, { 'idempotency-key': randomUUID() });
    expect(topUp.status, JSON.stringify(topUp.json)).toBe(201);

    const accepted = await call('payment', 'POST', '/payments', { payerWalletId: payerId, payeeWalletId: payeeId, amountMinor: 1_250, currency: 'EUR', reference: 'all-services' }, { 'idempotency-key': randomUUID() });
    expect(accepted.status, JSON.stringify(accepted.json)).toBe(202);
    const paymentId = String(accepted.json['id']);
    const completed = await until('a terminal payment', async () => {
      const { json } = await call('payment', 'GET', `/payments/${paymentId}`);
      return ['completed', 'rejected', 'failed'].includes(String(json['status'])) ? json : undefined;
    });
    expect(completed).toMatchObject({ status: 'completed', decision: { outcome: 'approve' }, payeeAmountMinor: 1_250, payeeCurrency: 'EUR' });
    expect((completed['history'] as Json[]).map((entry) => entry['status'])).toEqual(['pending', 'screening', 'reserved', 'completed']);

    // The balances are the wallet's projection of the ledger's events (outbox → relay → broker → inbox).
    const balanceOf = async (walletId: string) => ((await call('wallet', 'GET', `/wallets/${walletId}`)).json['balance'] as Json | undefined) ?? {};
    await until('the projected balances', async () => ((await balanceOf(payerId))['postedMinor'] === 3_750 && (await balanceOf(payeeId))['postedMinor'] === 1_250 ? true : undefined));
    expect(await balanceOf(payerId)).toEqual({ postedMinor: 3_750, pendingMinor: 0, availableMinor: 3_750 });
    expect(await balanceOf(payeeId)).toEqual({ postedMinor: 1_250, pendingMinor: 0, availableMinor: 1_250 });
    for (const opened of [payer, payee]) {
      const account = (await call('ledger', 'GET', `/accounts/${String(opened['ledgerAccountId'])}`)).json;
      expect(account['balanceMinor']).toBe((await balanceOf(String(opened['id'])))['postedMinor']);
      expect(account['pendingDebitsMinor']).toBe(0);
    }
    const trial = (await call('ledger', 'GET', '/trial-balance')).json['currencies'] as Json[];
    for (const row of trial) expect(row['debitsMinor'], String(row['currency'])).toBe(row['creditsMinor']);
    expect(trial.map((row) => row['currency'])).toContain('EUR');
  });
});
