import { execFile, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repositoryRoot } from '../../../test/support/service-process.js';

/** The images' healthcheck script, run as Docker runs it (bash, in the container's environment). */
const healthcheckScript = join(repositoryRoot, 'services', 'kit', 'bin', 'healthcheck.sh');

describe('healthcheck.sh api', () => {
  it('exits 0 when GET /health answers 200, and 1 naming the status or the failure otherwise', async () => {
    let status = 200;
    let silent = false;
    const server = createServer((request, response) => {
      if (silent) return; // accepts the connection, never answers
      response.writeHead(request.url === '/health' ? status : 404).end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = String((server.address() as AddressInfo).port);
    // Async: the server answers from this process's event loop while the child waits.
    const run = () =>
      new Promise<{ status: number | null; stderr: string }>((resolve) => {
        execFile('bash', [healthcheckScript, 'api'], { env: { PORT: port, PATH: process.env['PATH'] ?? '' } }, (error, _stdout, stderr) => resolve({ status: error ? ((error as { code?: number }).code ?? 1) : 0, stderr }));
      });
    try {
      expect(await run()).toEqual({ status: 0, stderr: '' });
      status = 503;
      expect(await run()).toEqual({ status: 1, stderr: 'unhealthy: GET /health answered 503\n' });
      silent = true;
      expect(await run()).toEqual({ status: 1, stderr: 'unhealthy: GET /health failed: no answer within 3 s\n' });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    const refused = spawnSync('bash', [healthcheckScript, 'api'], { env: { PORT: port, PATH: process.env['PATH'] ?? '' }, encoding: 'utf8' });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toBe(`unhealthy: GET /health failed: cannot connect to 127.0.0.1:${port}\n`);
    expect(spawnSync('bash', [healthcheckScript], { encoding: 'utf8' }).stderr).toBe('unhealthy: usage: healthcheck.sh api|worker\n');
  });
});
