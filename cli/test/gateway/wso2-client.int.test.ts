import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, get, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWso2HttpClient, trustsSelfSignedCertificate, Wso2HttpError } from '../../src/clients/wso2-client.js';

let server: Server;
let url: string;

beforeAll(async () => {
  const directory = mkdtempSync(join(tmpdir(), 'innover-tls-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(directory, 'key.pem'), '-out', join(directory, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
  } catch {
    rmSync(directory, { recursive: true, force: true });
    throw new Error('openssl is needed to make a self-signed certificate: apt-get install openssl');
  }
  // Read once, then the key and certificate are no use on disk.
  let tls: { key: Buffer; cert: Buffer };
  try {
    tls = { key: readFileSync(join(directory, 'key.pem')), cert: readFileSync(join(directory, 'cert.pem')) };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
  server = createServer(tls, (request, response) => {
    const status = request.url === '/api/am/gateway/v2/server-startup-healthcheck' ? 200 : 404;
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ code: status, message: status === 200 ? 'ready' : 'Not Found' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("WSO2's self-signed certificate", () => {
  it('is trusted by the WSO2 client for the configured local host', async () => {
    const client = createWso2HttpClient(() => ({ baseUrl: url }));
    expect((await client.request({ api: 'health', method: 'GET', path: '' })).status).toBe(200);
    await expect(client.request({ api: 'publisher', method: 'GET', path: '/nothing' })).rejects.toBeInstanceOf(Wso2HttpError);
  });

  it('is still refused by everything else in the process: the trust is not global', async () => {
    await expect(fetch(`${url}/api/am/gateway/v2/server-startup-healthcheck`)).rejects.toThrow();
    const error = await new Promise<Error>((resolve) => get(`${url}/api/am/gateway/v2/server-startup-healthcheck`, () => resolve(new Error('answered'))).on('error', resolve));
    expect(error.message).toMatch(/self[- ]signed/i);
  });

  it('is trusted only for https on a local host', () => {
    expect(trustsSelfSignedCertificate('https://localhost:9443')).toBe(true);
    expect(trustsSelfSignedCertificate('https://127.0.0.1:9443')).toBe(true);
    expect(trustsSelfSignedCertificate('https://apim.example.com:9443')).toBe(false);
    expect(trustsSelfSignedCertificate('http://localhost:9763')).toBe(false);
  });
});
