import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { parseConfig } from '@innover/kit';
import type { ServiceDefinition } from '@innover/kit';
import { createApp } from '@innover/kit/app';
import { createServiceClients } from '@innover/kit';
import { createDatabase, runKitMigrations, runMigrations } from '@innover/kit/database';
import type { Database } from '@innover/kit/database';

/** The service's own Express app (the kit's createApp with its definition) on port 0, over `databaseUrl`, migrated. */
export interface ServiceApp {
  baseUrl: string;
  database: Database;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }>;
  close(): Promise<void>;
}

export async function startServiceApp(name: string, definition: ServiceDefinition, databaseUrl: string, options: { wrapDatabase?: (database: Database) => Database } = {}): Promise<ServiceApp> {
  const logger = pino({ level: 'silent' });
  const parsed = parseConfig({ SERVICE_NAME: name, DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' }, 'api');
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  const database = createDatabase(databaseUrl, { max: 20 });
  if (definition.kitTables?.length) await runKitMigrations(database, definition.kitTables, logger);
  // Twice: the migrations are idempotent, and recorded once.
  if (definition.migrationsDirectory) for (let run = 0; run < 2; run += 1) await runMigrations(database, definition.migrationsDirectory, logger);
  const dependencies = { config: parsed.config, logger, database: options.wrapDatabase?.(database) ?? database, tasks: undefined, services: createServiceClients(parsed.config.calls) };
  const app = createApp({ serviceName: name, serviceVersion: 'test', logger, readinessChecks: [], routes: (router) => definition.routes?.(router, dependencies) });
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl,
    database,
    async call(method, path, body, headers = {}) {
      const response = await fetch(`${baseUrl}${path}`, { method, headers: { 'content-type': 'application/json', ...headers }, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) });
      return { status: response.status, json: (await response.json()) as Record<string, unknown>, headers: response.headers };
    },
    async close() {
      await new Promise((resolve) => server.close(resolve));
      await database.close();
    },
  };
}
