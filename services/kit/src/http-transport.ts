/**
 * The HTTP transport of service calls (service-client.ts): node:http and node:https with keep-alive agents,
 * the whole answer read as text. Node's fetch (undici behind WHATWG Request, Headers, Response and streams)
 * took about a fifth of the payment worker's CPU under load, in its own code and in the garbage it left; a
 * service call needs none of what those objects offer, so it goes through `http.request` instead.
 *
 * Keep-alive: an idle socket is closed after 4 s, before the kit's servers close theirs (Node's default
 * `keepAliveTimeout`, 5 s), and a request that fails on a reused socket with ECONNRESET (the server closed it
 * as the request left) is sent once more on a new one. Every service call is idempotent, so that is safe.
 * No dependencies beyond Node: the CLI's load generator uses it too.
 */
import http from 'node:http';
import https from 'node:https';

export interface HttpCall {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** Sends one request and answers the whole response; rejects when no answer came (refused, reset, aborted). */
export type HttpSend = (url: string, call: HttpCall) => Promise<HttpAnswer>;

/** An idle keep-alive socket lives this long: under the 5 s after which a Node server closes it. */
export const idleSocketMs = 4_000;

/** A transport with its own keep-alive agents (one per process is enough: `defaultHttpSend`). */
export function createHttpSend(options: { maxSockets?: number } = {}): HttpSend {
  const agentOptions = { keepAlive: true, timeout: idleSocketMs, maxSockets: options.maxSockets ?? 64, scheduling: 'lifo' as const };
  const agents = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };
  const once = (target: URL, call: HttpCall): Promise<HttpAnswer & { reused?: boolean }> =>
    new Promise((resolve, reject) => {
      const secure = target.protocol === 'https:';
      const headers = call.body === undefined ? call.headers : { ...call.headers, 'content-length': String(Buffer.byteLength(call.body)) };
      const request = (secure ? https : http).request(target, { method: call.method, headers, agent: secure ? agents.https : agents.http, signal: call.signal }, (response) => {
        response.setEncoding('utf8');
        let text = '';
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text }));
        response.on('error', reject);
      });
      request.on('error', (error: Error & { reused?: boolean }) => reject(Object.assign(error, { reused: request.reusedSocket })));
      request.end(call.body);
    });
  return async (url, call) => {
    const target = new URL(url);
    try {
      return await once(target, call);
    } catch (error) {
      const failure = error as Error & { code?: string; reused?: boolean };
      if (failure.reused !== true || failure.code !== 'ECONNRESET' || call.signal.aborted) throw error;
      return await once(target, call);
    }
  };
}

let shared: HttpSend | undefined;

/** The process's transport. */
export function defaultHttpSend(): HttpSend {
  shared ??= createHttpSend();
  return shared;
}

/** A fetch-style function as a transport: tests hand the service client a fake fetch. */
export function sendOverFetch(fetchFunction: (input: string, init: RequestInit) => Promise<Response>): HttpSend {
  return async (url, call) => {
    const response = await fetchFunction(url, { method: call.method, headers: call.headers, ...(call.body === undefined ? {} : { body: call.body }), signal: call.signal });
    return { status: response.status, headers: Object.fromEntries(response.headers), text: await response.text() };
  };
}
