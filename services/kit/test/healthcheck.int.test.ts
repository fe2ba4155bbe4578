import { execFile, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildService, repositoryRoot } from '../../../test/support/service-process.js';

describe('healthcheck.js api', () => {
  it('exits 0 when GET /health answers 200, and 1 naming the status or the failure otherwise', async () => {
    buildService('kit');
    const healthcheck = join(repositoryRoot, 'services', 'kit', 'dist', 'bin', 'healthcheck.js');
    let status = 200;
    const server = createServer((request, response) => {
      response.writeHead(request.url === '/health' ? status : 404).end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = String((server.address() as AddressInfo).port);
    // Async: the server answers from this process's event loop while the child waits.
    const run = () =>
      new Promise<{ status: number | null; stderr: string }>((resolve) => {
        execFile(process.execPath, [healthcheck, 'api'], { env: { PORT: port } }, (error, _stdout, stderr) => resolve({ status: error ? ((error as { code?: number }).code ?? 1) : 0, stderr }));
      });
    try {
      expect(await run()).toEqual({ status: 0, stderr: '' });
      status = 503;
      expect(await run()).toEqual({ status: 1, stderr: 'unhealthy: GET /health answered 503\n' });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    const refused = spawnSync(process.execPath, [healthcheck, 'api'], { env: { PORT: port }, encoding: 'utf8' });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/^unhealthy: GET \/health failed: connect ECONNREFUSED/);
  });
});
