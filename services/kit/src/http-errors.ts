import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import type { ZodType } from 'zod';
import { isConnectionError, isPoolCheckoutTimeout } from './transactions.ts';

/** An error a route throws on purpose; becomes `{error: code, message}` with `status`. */
export class HttpError extends Error {
  override name = 'HttpError';
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** `{path: "amount", message}` for each zod issue; paths are dotted so clients can map them to fields. */
export function issuePaths(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>, whole = '(body)'): Array<{ path: string; message: string }> {
  return issues.map((issue) => ({ path: issue.path.map(String).join('.') || whole, message: issue.message }));
}

/** The kit's 400: `{error: "invalid_request", message, issues: [{path, message}]}`, the message naming each path. */
export function refuseRequest(response: Response, issues: ReadonlyArray<{ path: string; message: string }>): void {
  response.status(400).json({ error: 'invalid_request', message: issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '), issues });
}

/** Validates `req.body` against `schema` and replaces it with the parsed value; 400 with field paths otherwise. */
export function validateBody(schema: ZodType): RequestHandler {
  return (request, response, next) => {
    const parsed = schema.safeParse(request.body ?? {});
    if (!parsed.success) {
      refuseRequest(response, issuePaths(parsed.error.issues));
      return;
    }
    request.body = parsed.data;
    next();
  };
}

/**
 * Validates `req.query` against `schema`; the parsed value goes to `response.locals.query` (Express 5's
 * `req.query` is a getter, re-parsed on each read). 400 with field paths otherwise.
 */
export function validateQuery(schema: ZodType): RequestHandler {
  return (request, response, next) => {
    const parsed = schema.safeParse(request.query ?? {});
    if (!parsed.success) {
      refuseRequest(response, issuePaths(parsed.error.issues, '(query)'));
      return;
    }
    response.locals['query'] = parsed.data;
    next();
  };
}

/**
 * A database the request could not reach in time, or lost mid-way: the pool's connection timeout
 * (every connection busy, under overload), a lost, refused or reset connection, a server shutting down
 * (the transactions module's classification, which its retries use too) or out of connections (53300).
 * Nothing was decided, so the client may retry: 503, not 500.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  return isPoolCheckoutTimeout(error) || isConnectionError(error) || (error as { code?: unknown } | null)?.code === '53300';
}

/** Last middleware: JSON bodies for every failure, stack traces only in the log. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, _request, response, next) => {
    if (response.headersSent) {
      next(error);
      return;
    }
    if (error instanceof HttpError) {
      response.status(error.status).json({ error: error.code, message: error.message });
      return;
    }
    const bodyError = error as { type?: string; status?: number };
    if (bodyError.type === 'entity.parse.failed') {
      response.status(400).json({ error: 'invalid_request', message: 'request body is not valid JSON' });
      return;
    }
    if (bodyError.type === 'entity.too.large') {
      response.status(413).json({ error: 'payload_too_large', message: 'request body is larger than 1 MB' });
      return;
    }
    if (isDatabaseUnavailable(error)) {
      logger.warn({ err: error }, 'request failed: database unavailable');
      response.status(503).set('retry-after', '1').json({ error: 'database_unavailable', message: 'the database did not answer in time: retry the request' });
      return;
    }
    logger.error({ err: error }, 'request failed');
    response.status(500).json({ error: 'internal', message: 'internal error' });
  };
}

/** Narrows an optional client; a route whose dependency is not configured answers 503 naming the variable. */
export function requireDependency<T>(value: T | undefined, variable: string): T {
  if (value === undefined) throw new HttpError(503, 'dependency_not_configured', `this route needs ${variable}, which is not set for this service`);
  return value;
}
