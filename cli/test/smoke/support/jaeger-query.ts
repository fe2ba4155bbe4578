/**
 * A stand-in for Jaeger's query API (`GET /api/traces/<traceId>`) over the spans a stand-in OTLP
 * collector received, answering in Jaeger's JSON shape: `{data: [{traceID, spans, processes}]}`,
 * or 404 `trace not found`. With `healthPort`, a second listener stands in for Jaeger v2's
 * healthcheckv2 extension: `GET /status` answers 200, as the host probe expects.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ReceivedSpan } from '../../../../test/support/otlp-collector.js';

export async function startJaegerQuery(spans: readonly ReceivedSpan[], port = 0, healthPort?: number): Promise<{ url: string; stop(): Promise<void> }> {
  const server = createServer((request, response) => {
    // The UI root: what `innover` probes to call Jaeger healthy.
    if (request.url === '/') return void response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Jaeger UI</title>');
    const match = /^\/api\/traces\/([0-9a-f]{32})$/.exec(request.url ?? '');
    const found = match ? spans.filter((span) => span.traceId === match[1]) : [];
    if (!match || found.length === 0) {
      response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ data: null, errors: [{ code: 404, msg: 'trace not found' }] }));
      return;
    }
    const services = [...new Set(found.map((span) => span.serviceName))];
    const processes = Object.fromEntries(services.map((serviceName, index) => [`p${index + 1}`, { serviceName, tags: [] }]));
    const data = [
      {
        traceID: match[1],
        spans: found.map((span) => ({ traceID: span.traceId, spanID: span.spanId, operationName: span.name, processID: `p${services.indexOf(span.serviceName) + 1}` })),
        processes,
      },
    ];
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data, total: 0, limit: 0, offset: 0, errors: null }));
  });
  const health = createServer((request, response) => {
    if (request.url === '/status') return void response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'StatusOK' }));
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  if (healthPort !== undefined) await new Promise<void>((resolve) => health.listen(healthPort, '127.0.0.1', () => resolve()));
  const bound = (server.address() as AddressInfo).port;
  const close = (listener: typeof server) => new Promise<void>((resolve) => (listener.listening ? listener.close(() => resolve()) : resolve()));
  return { url: `http://127.0.0.1:${bound}`, stop: async () => void (await Promise.all([close(server), close(health)])) };
}
