import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresPeer } from '../../../test/support/peers.js';
import { renderPostgresInit } from '../../src/render/database.js';
import { defaultStack } from '../topology/fixtures.js';

// The script the postgres image runs from /docker-entrypoint-initdb.d, run here the same way
// (bash, POSTGRES_* and SERVICE_DB_PASSWORD in the environment) against a real PostgreSQL.
describe('database/postgres-init.sh on a real PostgreSQL', () => {
  let peer: PostgresPeer;
  let folder: string;
  const password = 'service-password-0123456789';

  beforeAll(async () => {
    peer = await startPostgres();
    folder = mkdtempSync(join(tmpdir(), 'innover-pg-init-'));
    const script = join(folder, 'postgres-init.sh');
    writeFileSync(script, renderPostgresInit(defaultStack()), { mode: 0o755 });
    const run = await execa('bash', [script], {
      reject: false,
      env: { POSTGRES_USER: 'postgres', POSTGRES_DB: 'postgres', SERVICE_DB_PASSWORD: password, PGHOST: '127.0.0.1', PGPORT: String(peer.port) },
    });
    if (run.exitCode !== 0) throw new Error(`postgres-init.sh failed: ${String(run.stderr)}`);
  });
  afterAll(async () => {
    await peer?.stop();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  const connect = async (user: string, database: string) => {
    const client = new pg.Client({ connectionString: `postgresql://${user}:${password}@127.0.0.1:${peer.port}/${database}` });
    await client.connect();
    return client;
  };

  it('creates one login role with a password and one owned database per service', async () => {
    const admin = await connect('postgres', 'postgres');
    try {
      const roles = await admin.query<{ rolname: string; has_password: boolean }>(
        "SELECT rolname, rolpassword IS NOT NULL AS has_password FROM pg_authid WHERE rolcanlogin AND rolname <> 'postgres' ORDER BY rolname",
      );
      expect(roles.rows).toEqual(['forex', 'ledger', 'payment', 'profile', 'rule_engine', 'wallet'].map((rolname) => ({ rolname, has_password: true })));
      const owners = await admin.query<{ datname: string; owner: string }>(
        "SELECT datname, pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname NOT IN ('postgres', 'template0', 'template1') ORDER BY datname",
      );
      expect(owners.rows.every((row) => row.datname === row.owner)).toBe(true);
      expect(owners.rows).toHaveLength(6);
    } finally {
      await admin.end();
    }
  });

  it('lets a service create tables in its own database and refuses it every other one', async () => {
    const own = await connect('payment', 'payment');
    try {
      await own.query('CREATE TABLE IF NOT EXISTS probe (id int PRIMARY KEY)');
      await own.query('INSERT INTO probe VALUES (1) ON CONFLICT DO NOTHING');
    } finally {
      await own.end();
    }
    await expect(connect('payment', 'profile')).rejects.toThrow(/permission denied for database "?profile"?/);
  });
});
