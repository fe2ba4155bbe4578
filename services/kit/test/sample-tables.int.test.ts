import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres } from '../../../test/support/peers.js';
import type { PostgresPeer } from '../../../test/support/peers.js';
import { createDatabase, runMigrations } from '../src/database.js';
import { createLogger } from '../src/logger.js';

// A database deployed before issue 10 has the sample's tables (each service's 001 migration). Migrating it to
// today leaves exactly the tables the current code reads and writes: every replaced sample table is dropped by
// a later migration, and none the code uses is.
const servicesDirectory = join(import.meta.dirname, '..', '..');
const currentTables: Record<string, string[]> = {
  forex: ['quotes', 'rates'],
  ledger: ['account_counter_shards', 'accounts', 'transfer_entries', 'transfers'],
  payment: ['wallet_payment_history', 'wallet_payments'],
  profile: ['customers'],
  'rule-engine': ['evaluations', 'rule_sets', 'velocity_locks'],
  wallet: ['customer_wallets', 'top_ups', 'wallet_transactions'],
};
const logger = createLogger({ serviceName: 'sample-tables', level: 'silent' });
let postgres: PostgresPeer;

beforeAll(async () => {
  postgres = await startPostgres();
});

afterAll(async () => {
  await postgres?.stop();
});

describe('a database the sample migrated', () => {
  it.each(Object.entries(currentTables))('%s keeps only the tables its code uses after migrating to today', async (service, expected) => {
    const database = createDatabase(await postgres.createDatabase(`sample_${service.replaceAll('-', '_')}`), { max: 2 });
    try {
      const directory = join(servicesDirectory, service, 'migrations');
      await runMigrations(database, directory, logger, (file) => file.startsWith('001_'));
      // Twice: the drops are idempotent too.
      for (let run = 0; run < 2; run += 1) await runMigrations(database, directory, logger);
      const tables = await database.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'schema_migrations' ORDER BY table_name");
      expect(tables.map((row) => row.table_name)).toEqual(expected);
    } finally {
      await database.close();
    }
  });
});
