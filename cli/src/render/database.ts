import { databaseName } from '../components/services-names.js';
import type { Topology } from '../topology/schema.js';
import { hashHeader, sqlHeader } from './header.js';

/**
 * SQL the cockroach-bootstrap job runs: one database and one user per service, each user granted
 * only its own database. Idempotent, so a re-run of the job succeeds. Local CockroachDB runs
 * insecure, which refuses passwords, so the users have none.
 */
export function renderCockroachBootstrap(topology: Topology): string {
  const statements = topology.services.flatMap((service) => {
    const name = databaseName(service);
    return [
      `-- ${service.name}`,
      `CREATE DATABASE IF NOT EXISTS ${name};`,
      `CREATE USER IF NOT EXISTS ${name};`,
      `REVOKE CONNECT ON DATABASE ${name} FROM public;`,
      `GRANT ALL ON DATABASE ${name} TO ${name};`,
      `GRANT ALL ON SCHEMA ${name}.public TO ${name};`,
      '',
    ];
  });
  return `${sqlHeader}${statements.join('\n')}`;
}

/**
 * The PostgreSQL image's first-start script (/docker-entrypoint-initdb.d): a login role per
 * service with SERVICE_DB_PASSWORD, owning its own database, which no one else may connect to.
 * The password reaches psql as a variable, never as text in this file.
 */
export function renderPostgresInit(topology: Topology): string {
  const statements = topology.services.flatMap((service) => {
    const name = databaseName(service);
    return [
      `CREATE ROLE ${name} LOGIN PASSWORD :'service_password';`,
      `CREATE DATABASE ${name} OWNER ${name};`,
      `REVOKE CONNECT, TEMPORARY ON DATABASE ${name} FROM PUBLIC;`,
      `GRANT CONNECT ON DATABASE ${name} TO ${name};`,
    ];
  });
  return [
    '#!/usr/bin/env bash',
    hashHeader.trimEnd(),
    'set -euo pipefail',
    ': "${SERVICE_DB_PASSWORD:?SERVICE_DB_PASSWORD is not set: run innover init}"',
    'psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "${POSTGRES_DB:-$POSTGRES_USER}" \\',
    '  -v service_password="$SERVICE_DB_PASSWORD" <<\'SQL\'',
    ...statements,
    'SQL',
    '',
  ].join('\n');
}
