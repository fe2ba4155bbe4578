import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { Server as NetServer } from 'node:net';
import type { Router } from 'express';
import type { Logger } from 'pino';
import { createApp, healthResponder, isHealthRequest } from './app.ts';
import { createTokenVerifier } from './auth.ts';
import { devReloadVariable, devRunnerVariable, tellDevRunner } from './dev-reload.ts';
import { apiDependencies, createRuntime, exitAtStart, flushLogger, loadConfigOrExit } from './runtime.ts';
import type { Runtime, ServiceDefinition } from './runtime.ts';

/** A running API process. */
export interface ApiHandle {
  server: Server;
  port: number;
  runtime: Runtime;
  /** Stops accepting, drains in-flight requests, closes clients. Resolves true if it finished within the timeout. */
  shutdown(): Promise<boolean>;
}

/**
 * Under `innover dev`'s runner, how long a replaced API still answers on the connections its clients
 * keep alive (each answer closes its connection) before it drops the idle ones: dropping them at once
 * races a client that reuses one that very moment (a failed request mid-reload).
 */
const devKeepAliveGraceMs = 500;

/** The one line an operator reads when PORT cannot be bound, with the fix. */
export function listenProblem(port: number, error: NodeJS.ErrnoException): string {
  if (error.code === 'EADDRINUSE') return `cannot listen on PORT ${port}: the port is already in use; stop what holds it or set PORT to a free port`;
  if (error.code === 'EACCES') return `cannot listen on PORT ${port}: permission denied; ports below 1024 need privileges, use PORT=8000`;
  return `cannot listen on PORT ${port}: ${error.message}`;
}

/**
 * Starts the API: config (or exit 1), telemetry, clients, migrations, listen on PORT,
 * and graceful shutdown on SIGTERM/SIGINT (exit 0 when drained within SHUTDOWN_TIMEOUT_MS).
 */
export async function startApi(definition: ServiceDefinition, environment: Record<string, string | undefined> = process.env): Promise<ApiHandle> {
  const config = loadConfigOrExit(environment, 'api', definition.version);
  const runtime = await createRuntime(config, 'api').catch((error: unknown) => exitAtStart(config, 'api', `failed to start: ${(error as Error).message}`));
  const { logger } = runtime;
  // Under `innover dev`'s runner, a process replacing one that started skips them: dev syncs only src/.
  const migrationsRan = environment[devReloadVariable] === '1';
  if (runtime.dependencies.database && (definition.migrationsDirectory || definition.kitTables?.length) && !migrationsRan) {
    try {
      const { runKitMigrations, runMigrations } = await import('./database.ts');
      const database = runtime.dependencies.database;
      // A database that is up but slow to answer (a loaded machine, a node still joining) is not a
      // reason to crash-loop: connection failures are retried until DATABASE_START_TIMEOUT_MS.
      await untilDatabaseAnswers(config.databaseStartTimeoutMs, logger, async () => {
        if (definition.kitTables?.length) await runKitMigrations(database, definition.kitTables, logger);
        if (definition.migrationsDirectory) await runMigrations(database, definition.migrationsDirectory, logger);
      });
    } catch (error) {
      await exitAtStart(config, 'api', `migrations failed: ${(error as Error).message}`, runtime);
    }
  }
  const routeDependencies = apiDependencies(runtime.dependencies);
  const app = createApp({
    serviceName: config.serviceName,
    serviceVersion: config.serviceVersion,
    logger,
    readinessChecks: runtime.readinessChecks,
    ...(config.auth ? { verifyToken: createTokenVerifier(config.auth) } : {}),
    ...(definition.routes ? { routes: (router: Router) => definition.routes?.(router, routeDependencies) } : {}),
  });
  const answerHealth = healthResponder({ serviceName: config.serviceName, serviceVersion: config.serviceVersion });
  // Liveness is answered before Express dispatch (same JSON as the routed /health): see healthResponder.
  let draining = false;
  const server = createServer((request, response) => {
    // While draining, a request arriving on a kept-alive connection is served, then its connection closes.
    if (draining) response.setHeader('connection', 'close');
    if (isHealthRequest(request)) answerHealth(response);
    else app(request, response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Under `innover dev`'s runner the next process binds the same port while this one still serves (Linux SO_REUSEPORT).
    server.listen({ port: config.port, ...(environment[devRunnerVariable] === '1' ? { reusePort: true } : {}) }, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((error: unknown) => exitAtStart(config, 'api', listenProblem(config.port, error as NodeJS.ErrnoException), runtime));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info({ port, auth: Boolean(config.auth), tracing: Boolean(config.otlpEndpoint), checks: runtime.readinessChecks.map((check) => check.name) }, 'api listening');
  tellDevRunner(environment, { innoverDev: 'ready' });

  let closing: Promise<boolean> | undefined;
  const shutdown = (): Promise<boolean> => {
    closing ??= (async () => {
      logger.info('shutting down: draining requests');
      draining = true;
      let drained: Promise<void>;
      if (environment[devRunnerVariable] === '1') {
        // Stops accepting (the new process has the port) without http's close, which drops idle connections at once.
        drained = new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve()));
        await new Promise((resolve) => setTimeout(resolve, devKeepAliveGraceMs));
      } else {
        drained = new Promise<void>((resolve) => server.close(() => resolve()));
      }
      // Connections kept alive after their last response would hold close() open: drop them as they go idle.
      server.closeIdleConnections();
      const sweeper = setInterval(() => server.closeIdleConnections(), 100);
      const deadline = Date.now() + config.shutdownTimeoutMs;
      let timer: NodeJS.Timeout | undefined;
      const inTime = await Promise.race([drained.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), config.shutdownTimeoutMs)))]);
      clearTimeout(timer);
      clearInterval(sweeper);
      if (!inTime) server.closeAllConnections();
      await runtime.close(Math.max(1_000, deadline - Date.now()));
      logger.info({ drained: inTime }, 'stopped');
      await flushLogger(logger);
      return inTime;
    })();
    return closing;
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      void shutdown().then((inTime) => process.exit(inTime ? 0 : 1));
    });
  }
  return { server, port, runtime, shutdown };
}

/** Runs `work`, retrying it with backoff while the database cannot be reached, until `timeoutMs` has passed. */
async function untilDatabaseAnswers(timeoutMs: number, logger: Logger, work: () => Promise<void>): Promise<void> {
  const { isConnectionError } = await import('./transactions.ts');
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const waitMs = Math.min(2_000, 250 * 2 ** (attempt - 1));
      if (!isConnectionError(error) || Date.now() + waitMs > deadline) throw error;
      logger.warn({ attempt, err: (error as Error).message }, 'database not reachable yet; retrying the migrations');
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }
}
