import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresPeer } from '../../../test/support/peers.js';
import { renderPostgresInit } from '../../src/render/database.js';
import { defaultStack } from '../topology/fixtures.js';

// The script the postgres image runs from /docker-entrypoint-initdb.d, run by the topology's
// postgres image itself on first start, as the generated stack mounts it (10-innover.sh, with
// POSTGRES_* and SERVICE_DB_PASSWORD in the environment). A failing script fails the start.
describe('database/postgres-init.sh on a real PostgreSQL', () => {
  let peer: PostgresPeer;
  const password = 'service-password-0123456789';

  beforeAll(async () => {
    peer = await startPostgres({ initScripts: { '10-innover.sh': renderPostgresInit(defaultStack()) }, environment: { SERVICE_DB_PASSWORD: password } });
  });
  afterAll(async () => {
    await peer?.stop();
  });

  const connect = async (user: string, database: string) => {
    const client = new pg.Client({ connectionString: `postgresql://${user}:${password}@127.0.0.1:${peer.port}/${database}` });
    await client.connect();
    return client;
  };

  it('creates one login role with a password and one owned database per service', async () => {
    const admin = new pg.Client({ connectionString: peer.url });
    await admin.connect();
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
