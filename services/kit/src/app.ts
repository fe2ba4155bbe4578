import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import type { Express, RequestHandler, Router } from 'express';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { authMiddleware } from './auth.ts';
import type { TokenVerifier } from './auth.ts';
import { errorHandler } from './http-errors.ts';
import { runReadiness } from './readiness.ts';
import type { ReadinessCheck } from './readiness.ts';
import { extractTraceContext, kitTracer } from './tracing.ts';

/** Everything `createApp` needs; tests pass fakes, `startApi` passes the real clients. */
export interface AppDependencies {
  serviceName: string;
  serviceVersion: string;
  logger: Logger;
  /** Only the dependencies this service has configured. */
  readinessChecks: ReadinessCheck[];
  /** Present when `OIDC_ISSUER_URL` is set: then every route but health and readiness needs a token. */
  verifyToken?: TokenVerifier;
  /** The service's own routes. */
  routes?: (router: Router) => void;
  readinessTimeoutMs?: number;
  /** Clock for uptime; defaults to process start. */
  startedAt?: number;
}

const probePaths = new Set(['/health', '/readiness']);

/**
 * HTTP-in span and access log. The span continues a caller's `traceparent`; the log line never includes
 * headers, so tokens cannot leak. Probe requests log at debug to keep healthchecks out of the way.
 */
function requestTelemetry(logger: Logger): RequestHandler {
  return (request, response, next) => {
    const started = performance.now();
    const parent = extractTraceContext(request.headers);
    const span = kitTracer().startSpan(request.method, { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method, 'url.path': request.path } }, parent);
    const active = trace.setSpan(parent, span);
    response.on('finish', () => {
      const route = request.route as { path?: string } | undefined;
      const name = route?.path ? `${request.method} ${request.baseUrl}${route.path}` : request.method;
      span.updateName(name);
      span.setAttribute('http.response.status_code', response.statusCode);
      if (route?.path) span.setAttribute('http.route', `${request.baseUrl}${route.path}`);
      if (response.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      const line = { method: request.method, path: request.path, status: response.statusCode, durationMs: Math.round((performance.now() - started) * 10) / 10 };
      context.with(active, () => {
        if (probePaths.has(request.path)) logger.debug(line, 'request');
        else logger.info(line, 'request');
      });
      span.end();
    });
    // The server span is the active one for everything downstream (logs, SQL, enqueue, publish).
    context.with(active, next);
  };
}

/**
 * Answers `GET /health` (liveness) on a plain node:http response: no I/O, so a slow dependency never gets
 * a healthy process restarted. `startApi` calls it before Express dispatch so probes stay cheap under load
 * and stay out of traces and request logs; `createApp` also routes it, for apps served without that server.
 */
export function healthResponder(dependencies: Pick<AppDependencies, 'serviceName' | 'serviceVersion' | 'startedAt'>): (response: ServerResponse) => void {
  const startedAt = dependencies.startedAt ?? Date.now() - process.uptime() * 1_000;
  const prefix = `{"service":${JSON.stringify(dependencies.serviceName)},"status":"ok","version":${JSON.stringify(dependencies.serviceVersion)},"uptimeSeconds":`;
  return (response) => {
    const body = `${prefix}${Math.round((Date.now() - startedAt) / 1_000)}}`;
    response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
    response.end(body);
  };
}

/**
 * True for a bare liveness probe, which `healthResponder` answers before Express. A `/health` request carrying
 * a `traceparent` is part of someone's trace (a smoke test, a synthetic monitor): it goes through Express and
 * gets its span like any other request.
 */
export function isHealthRequest(request: IncomingMessage): boolean {
  return request.url === '/health' && (request.method === 'GET' || request.method === 'HEAD') && request.headers.traceparent === undefined;
}

/** Builds the Express app: no listening, no globals. */
export function createApp(dependencies: AppDependencies): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const answerHealth = healthResponder(dependencies);
  app.use(requestTelemetry(dependencies.logger));
  app.get('/health', (_request, response) => answerHealth(response));
  app.get('/readiness', async (_request, response) => {
    const report = await runReadiness(dependencies.readinessChecks, dependencies.readinessTimeoutMs);
    response.status(report.status === 'ok' ? 200 : 503).json({ service: dependencies.serviceName, ...report });
  });

  app.use(express.json({ limit: '1mb' }));
  if (dependencies.verifyToken) app.use(authMiddleware(dependencies.serviceName, dependencies.verifyToken));
  if (dependencies.routes) {
    const router = express.Router();
    dependencies.routes(router);
    app.use(router);
  }
  app.use((request, response) => {
    response.status(404).json({ error: 'not_found', message: `no route for ${request.method} ${request.path}` });
  });
  app.use(errorHandler(dependencies.logger));
  return app;
}
