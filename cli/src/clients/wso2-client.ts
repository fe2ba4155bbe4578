import type { CommandContext } from '../command.js';

/** The WSO2 API Manager REST APIs innover calls, each under its own base path. */
export type Wso2Api = 'publisher' | 'admin' | 'devportal' | 'dcr' | 'token' | 'health';

/** Base path of each API on the management host (WSO2_URL). */
export const wso2BasePaths: Readonly<Record<Wso2Api, string>> = {
  publisher: '/api/am/publisher/v4',
  admin: '/api/am/admin/v4',
  devportal: '/api/am/devportal/v3',
  dcr: '/client-registration/v0.17/register',
  token: '/oauth2/token',
  health: '/api/am/gateway/v2/server-startup-healthcheck',
};

/** A multipart field: plain text, or a file with its name. */
export type MultipartField = string | { fileName: string; content: string; contentType?: string };

/** One request to WSO2. Exactly one of json, form or multipart may carry a body. */
export interface Wso2Request {
  api: Wso2Api;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path below the API's base path, e.g. `/apis/{id}`; empty for dcr, token and health. */
  path: string;
  query?: Record<string, string>;
  json?: unknown;
  form?: Record<string, string>;
  multipart?: Record<string, MultipartField>;
  auth?: { bearer: string } | { basic: { user: string; password: string } };
}

export interface Wso2Response {
  status: number;
  data: unknown;
  headers: Record<string, string>;
}

/** WSO2 answered outside 2xx. `body` is the parsed error document when there was one. */
export class Wso2HttpError extends Error {
  constructor(
    readonly status: number,
    readonly request: { api: Wso2Api; method: string; path: string },
    readonly body: unknown,
  ) {
    super(`${request.method} ${wso2BasePaths[request.api]}${request.path} answered ${status}${describeBody(body)}`);
    this.name = 'Wso2HttpError';
  }
}

/** WSO2 could not be reached at all (refused, DNS, TLS) or did not answer in time. */
export class Wso2UnreachableError extends Error {
  constructor(
    readonly baseUrl: string,
    readonly reason: string,
    readonly timedOut: boolean,
  ) {
    super(`WSO2 at ${baseUrl} ${timedOut ? 'did not answer in time' : `is unreachable (${reason})`}`);
    this.name = 'Wso2UnreachableError';
  }
}

function describeBody(body: unknown): string {
  if (body && typeof body === 'object') {
    const record = body as Record<string, unknown>;
    const text = [record['code'], record['message'], record['description']].filter((part): part is string | number => typeof part === 'string' || typeof part === 'number');
    if (text.length > 0) return `: ${text.join(' ')}`;
  }
  return '';
}

/** WSO2 API Manager: one request method over axios; the typed calls live in cli/src/gateway. */
export interface Wso2Client {
  /** Sends the request; resolves on 2xx, rejects with Wso2HttpError or Wso2UnreachableError. */
  request(request: Wso2Request): Promise<Wso2Response>;
}

export interface Wso2ClientOptions {
  baseUrl: string;
  /** Per-request timeout. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

const localHosts = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/** Whether WSO2's self-signed certificate is accepted for this base URL: https on a local host only. */
export function trustsSelfSignedCertificate(baseUrl: string): boolean {
  const url = new URL(baseUrl);
  return url.protocol === 'https:' && localHosts.has(url.hostname);
}

/**
 * WSO2 serves a self-signed certificate. It is trusted only for the configured host, and only
 * when that host is local: the agent without verification is attached to this client's own
 * axios instance (never to the global agent), and requests can only go to its base URL.
 */
export function createWso2HttpClient(resolveOptions: () => Promise<Wso2ClientOptions> | Wso2ClientOptions): Wso2Client {
  // axios is heavy: it is imported on the first request, never at CLI start-up.
  let setup: Promise<Awaited<ReturnType<typeof connect>>> | undefined;
  async function connect() {
    const options = await resolveOptions();
    const { default: axios, isAxiosError } = await import('axios');
    const { Agent } = await import('node:https');
    const base = new URL(options.baseUrl);
    const trustSelfSigned = trustsSelfSignedCertificate(base.href);
    const instance = axios.create({
      baseURL: base.origin,
      timeout: options.timeoutMs ?? 30_000,
      validateStatus: () => true,
      maxRedirects: 0,
      proxy: false,
      ...(trustSelfSigned ? { httpsAgent: new Agent({ rejectUnauthorized: false, keepAlive: true }) } : {}),
    });
    return { options, base, instance, isAxiosError };
  }

  return {
    async request(request) {
      setup ??= connect();
      const { options, base, instance, isAxiosError } = await setup;
      const url = `${wso2BasePaths[request.api]}${request.path}`;
      const headers: Record<string, string> = { Accept: 'application/json' };
      let data: unknown;
      if (request.json !== undefined) {
        headers['Content-Type'] = 'application/json';
        data = JSON.stringify(request.json);
      } else if (request.form) {
        headers['Content-Type'] = 'application/x-www-form-urlencoded';
        data = new URLSearchParams(request.form).toString();
      } else if (request.multipart) {
        const form = new FormData();
        for (const [name, field] of Object.entries(request.multipart)) {
          if (typeof field === 'string') form.append(name, field);
          else form.append(name, new Blob([field.content], { type: field.contentType ?? 'application/octet-stream' }), field.fileName);
        }
        data = form;
      }
      if (request.auth && 'bearer' in request.auth) headers['Authorization'] = `Bearer ${request.auth.bearer}`;
      if (request.auth && 'basic' in request.auth) {
        const { user, password } = request.auth.basic;
        headers['Authorization'] = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
      }
      try {
        const response = await instance.request({
          url,
          method: request.method,
          params: request.query,
          data,
          headers,
          ...(options.signal ? { signal: options.signal } : {}),
        });
        const responseHeaders: Record<string, string> = {};
        for (const [key, value] of Object.entries(response.headers)) {
          if (typeof value === 'string') responseHeaders[key.toLowerCase()] = value;
        }
        if (response.status < 200 || response.status > 299) {
          throw new Wso2HttpError(response.status, { api: request.api, method: request.method, path: request.path }, response.data);
        }
        return { status: response.status, data: response.data as unknown, headers: responseHeaders };
      } catch (error) {
        if (error instanceof Wso2HttpError) throw error;
        if (isAxiosError(error)) {
          const timedOut = error.code === 'ECONNABORTED' || error.code === 'ETIMEDOUT';
          throw new Wso2UnreachableError(base.origin, error.code ?? error.message, timedOut);
        }
        throw error;
      }
    },
  };
}

/** The production client: WSO2_URL from `.env`. */
export function createWso2Client(ctx: CommandContext): Wso2Client {
  return createWso2HttpClient(async () => ({ baseUrl: (await ctx.dotenv()).WSO2_URL, signal: ctx.signal }));
}
