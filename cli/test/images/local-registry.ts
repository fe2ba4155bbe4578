import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { until } from '../../../test/support/until.js';

/** Debian's `docker-registry` package (the CNCF distribution registry, v2 API). */
export const registryBinary = '/usr/bin/docker-registry';

/** A registry on a free loopback port; the Docker engine trusts 127.0.0.0/8 without TLS. */
export interface LocalRegistry {
  /** `127.0.0.1:<port>`, as an image reference starts. */
  host: string;
  /** `http://127.0.0.1:<port>`, for the v2 HTTP API. */
  url: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `docker-registry serve` with a temporary storage folder and config; `stop` ends it and
 * removes both. Fails, naming the install, when the package is missing.
 */
export async function startLocalRegistry(): Promise<LocalRegistry> {
  if (!existsSync(registryBinary)) {
    throw new Error(`${registryBinary} is missing: apt-get install docker-registry (Debian's package of the distribution registry)`);
  }
  const folder = mkdtempSync(join(tmpdir(), 'innover-registry-'));
  const port = await freePort();
  const config = join(folder, 'config.yml');
  writeFileSync(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: warn',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${join(folder, 'data')}`,
      'http:',
      `  addr: 127.0.0.1:${port}`,
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(registryBinary, ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    errors = (errors + chunk.toString()).slice(-4000);
  });
  let exited: number | null | undefined;
  child.once('exit', (code) => {
    exited = code;
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (exited === undefined) {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await gone;
    }
    rmSync(folder, { recursive: true, force: true });
  };
  try {
    await until(
      'the local registry to answer /v2/',
      async () => {
        if (exited !== undefined) throw new Error(`docker-registry exited with ${String(exited)}: ${errors}`);
        const response = await fetch(`${url}/v2/`).catch(() => undefined);
        return response?.ok ? true : undefined;
      },
      60_000,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { host: `127.0.0.1:${port}`, url, stop };
}

/** The manifest media types a pushed image may have (Docker v2 or OCI, single or a list). */
export const manifestAccept = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
].join(', ');
