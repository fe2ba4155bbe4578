import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpSend } from '../src/http-transport.js';

// The service calls' transport against a real node:http server on loopback.
let server: Server | undefined;

async function serve(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; connections: () => number }> {
  let connections = 0;
  server = createServer(handler);
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, connections: () => connections };
}

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

const call = (method = 'GET', body?: string) => ({ method, headers: { accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body } : {}), signal: AbortSignal.timeout(2_000) });

describe('createHttpSend', () => {
  it('sends the body with its length, answers status, headers and text, and keeps the connection for the next call', async () => {
    const { url, connections } = await serve((request, response) => {
      let text = '';
      request.on('data', (chunk: Buffer) => (text += chunk.toString()));
      request.on('end', () => response.writeHead(201, { 'content-type': 'application/json', 'x-length': request.headers['content-length'] ?? '' }).end(JSON.stringify({ echoed: text })));
    });
    const send = createHttpSend();
    const body = JSON.stringify({ name: 'zoë' });
    const first = await send(`${url}/things`, call('POST', body));
    expect(first).toMatchObject({ status: 201, text: JSON.stringify({ echoed: body }) });
    expect(first.headers['x-length']).toBe(String(Buffer.byteLength(body)));
    await send(`${url}/things`, call());
    expect(connections()).toBe(1);
  });

  it('sends a request again on a new connection when the reused one was reset as it left', async () => {
    let requests = 0;
    const { url, connections } = await serve((request, response) => {
      requests += 1;
      // The second request arrives on the kept connection: the server drops it unanswered, as one closing an idle socket would.
      if (requests === 2) request.socket.destroy();
      else response.end('{}');
    });
    const send = createHttpSend();
    await send(url, call());
    expect((await send(url, call())).status).toBe(200);
    expect(requests).toBe(3);
    expect(connections()).toBe(2);
  });

  it('does not send again when a fresh connection is refused or the call times out', async () => {
    const send = createHttpSend();
    await expect(send('http://127.0.0.1:1/', call())).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    const { url } = await serve(() => undefined);
    await expect(send(url, { ...call(), signal: AbortSignal.timeout(100) })).rejects.toMatchObject({ name: expect.stringMatching(/AbortError|TimeoutError/) });
  });
});
