import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireDependency, startApi } from '@innover/kit';
import type { ApiHandle } from '@innover/kit';
import { startPostgres } from '../../../test/support/peers.js';
import type { PostgresPeer } from '../../../test/support/peers.js';
import { createDatabase } from '../src/database.js';
import { idempotent, respond } from '../src/idempotency.js';
import { enqueueEvent } from '../src/outbox.js';

// A service-shaped definition: `kitTables` makes the API create the kit's tables before its own migrations,
// and a route uses idempotency + outbox over the runtime's database, as payment, ledger and wallet will.
let postgres: PostgresPeer;
let api: ApiHandle;
let databaseUrl: string;
const migrations = mkdtempSync(join(tmpdir(), 'kit-tables-'));

beforeAll(async () => {
  postgres = await startPostgres();
  databaseUrl = await postgres.createDatabase('kit_tables');
  writeFileSync(join(migrations, '001_orders.sql'), 'CREATE TABLE IF NOT EXISTS orders (\n  id UUID PRIMARY KEY,\n  amount_minor BIGINT NOT NULL\n);\n');
  api = await startApi(
    {
      version: '1.0.0',
      kitTables: ['outbox', 'inbox', 'idempotency'],
      migrationsDirectory: migrations,
      routes: (router, dependencies) => {
        const database = requireDependency(dependencies.database, 'DATABASE_URL');
        router.post(
          '/orders',
          idempotent({
            database,
            handle: async (tx, request) => {
              const id = crypto.randomUUID();
              const amountMinor = (request.body as { amountMinor: number }).amountMinor;
              await tx.query('INSERT INTO orders (id, amount_minor) VALUES ($1, $2)', [id, amountMinor]);
              await enqueueEvent(tx, { topic: 'orders.created.v1', key: id, payload: new TextEncoder().encode(JSON.stringify({ id, amountMinor })), contentType: 'application/json' });
              return respond(201, { id, amountMinor });
            },
          }),
        );
      },
    },
    { SERVICE_NAME: 'orders', PORT: '0', DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' },
  );
});

afterAll(async () => {
  await api?.shutdown();
  await postgres?.stop();
  rmSync(migrations, { recursive: true, force: true });
});

describe('kitTables in a service definition', () => {
  it('creates the kit tables, then the service’s, each recorded once', async () => {
    const database = createDatabase(databaseUrl);
    try {
      const applied = (await database.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY applied_at, name')).map((row) => row.name);
      expect(applied.sort()).toEqual(['001_orders.sql', 'kit_idempotency_001.sql', 'kit_inbox_001.sql', 'kit_outbox_001.sql']);
      const response = await fetch(`http://127.0.0.1:${api.port}/orders`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': 'order-1' }, body: JSON.stringify({ amountMinor: 4_200 }) });
      expect(response.status).toBe(201);
      const body = (await response.json()) as { id: string };
      const replay = await fetch(`http://127.0.0.1:${api.port}/orders`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': 'order-1' }, body: JSON.stringify({ amountMinor: 4_200 }) });
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(await replay.json()).toEqual(body);
      // The event row was written in the order's transaction, exactly once.
      expect(await database.query('SELECT event_key, topic FROM outbox')).toEqual([{ event_key: body.id, topic: 'orders.created.v1' }]);
    } finally {
      await database.close();
    }
  });
});
