import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { splitStatements } from '../src/database.js';

// The integration tier runs every migration on PostgreSQL; no CockroachDB runs in the tests, so this keeps the
// files to statement shapes and column types checked against CockroachDB's documentation (CREATE TABLE /
// CREATE [UNIQUE] INDEX ... IF NOT EXISTS, INSERT ... ON CONFLICT (...) DO NOTHING). Each shape is also
// idempotent, so a migration that stopped halfway runs again cleanly.
const servicesDirectory = join(import.meta.dirname, '..', '..');
const migrationFiles = readdirSync(servicesDirectory).flatMap((service) => {
  const directory = join(servicesDirectory, service, 'migrations');
  try {
    return readdirSync(directory)
      .filter((file) => file.endsWith('.sql'))
      .map((file) => ({ name: `${service}/migrations/${file}`, sql: readFileSync(join(directory, file), 'utf8') }));
  } catch {
    return [];
  }
});

const acceptedShapes = [
  /^CREATE TABLE IF NOT EXISTS [a-z_]+ \(\n[\s\S]+\n\)$/,
  /^CREATE (UNIQUE )?INDEX IF NOT EXISTS [a-z_]+ ON [a-z_]+ \([a-z_, ]+\)$/,
  /^INSERT INTO [a-z_]+ \([a-z_, ]+\) VALUES [\s\S]+\sON CONFLICT \([a-z_, ]+\) DO NOTHING$/,
  // Retiring a sample table (issue 10): both engines document DROP TABLE IF EXISTS.
  /^DROP TABLE IF EXISTS [a-z_]+$/,
  // A nullable column added to a table: ALTER TABLE ... ADD COLUMN IF NOT EXISTS is in both engines' docs
  // (CockroachDB runs it as an online schema change; each migration statement is its own round trip).
  /^ALTER TABLE [a-z_]+ ADD COLUMN IF NOT EXISTS [a-z_]+ (UUID|TEXT|BIGINT|INT|BOOLEAN|JSONB|BYTEA|TIMESTAMPTZ)$/,
  // A CHECK constraint, made idempotent by dropping it first (neither engine shares ADD CONSTRAINT IF NOT
  // EXISTS; both document DROP CONSTRAINT IF EXISTS, and CockroachDB validates the existing rows as it adds one).
  /^ALTER TABLE [a-z_]+ DROP CONSTRAINT IF EXISTS [a-z_]+$/,
  /^ALTER TABLE [a-z_]+ ADD CONSTRAINT [a-z_]+ CHECK \(\n[\s\S]+\n\)$/,
];
// Types both databases accept with the same meaning. (SERIAL, for one, is a sequence in PostgreSQL but
// unique_rowid() in CockroachDB: left out on purpose. BYTEA is CockroachDB's alias of BYTES, the outbox payload.)
const acceptedColumnType = /^(UUID|TEXT|BIGINT|INT|BOOLEAN|JSONB|BYTEA|TIMESTAMPTZ|CHAR\(\d+\)|NUMERIC\(\d+, ?\d+\))$/;

describe('service migrations', () => {
  it('exist for the services that keep data', () => {
    expect(migrationFiles.length).toBeGreaterThanOrEqual(5);
  });

  it.each(migrationFiles)('$name uses only idempotent statements CockroachDB and PostgreSQL both accept', ({ sql }) => {
    for (const statement of splitStatements(sql)) {
      expect(acceptedShapes.some((shape) => shape.test(statement)), statement).toBe(true);
      if (!statement.startsWith('CREATE TABLE')) continue;
      const columns = statement
        .split('\n')
        .slice(1, -1)
        .map((line) => line.replace(/--.*$/, '').trim())
        .filter((line) => line && !/^(PRIMARY KEY|UNIQUE|CHECK|CONSTRAINT)\b/.test(line));
      for (const column of columns) {
        const type = /^[a-z_]+ ((?:[A-Z]+)(?:\(\d+(?:, ?\d+)?\))?)/.exec(column)?.[1] ?? column;
        expect(type, `${column} in ${statement.split('\n')[0] ?? ''}`).toMatch(acceptedColumnType);
      }
    }
  });
});
