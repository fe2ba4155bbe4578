#!/usr/bin/env node
/**
 * Container healthcheck (the images have no curl):
 *   healthcheck.js api     exit 0 when GET http://127.0.0.1:$PORT/health answers 200
 *   healthcheck.js worker  exit 0 when the heartbeat file was touched in the last 30 s
 */
import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type * as Http from 'node:http';

const maximumHeartbeatAgeMs = 30_000;

/**
 * node:http through `require`, not `fetch` or an ESM import of node:http: the container runs this every 10 s,
 * and fetch (undici) or the ESM form of node:http (which evaluates all its exports) cost about 0.1 s of CPU
 * a run on top of Node's own start; this way a run costs about what `node -e 0` does.
 */
function checkApi(): Promise<string | undefined> {
  const port = process.env['PORT'] || '8000';
  const { request } = createRequire(import.meta.url)('node:http') as typeof Http;
  return new Promise((resolve) => {
    const probe = request({ host: '127.0.0.1', port, path: '/health', timeout: 3_000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200 ? undefined : `GET /health answered ${String(response.statusCode)}`);
    });
    probe.on('timeout', () => probe.destroy(new Error('no answer within 3000 ms')));
    probe.on('error', (error) => resolve(`GET /health failed: ${error.message}`));
    probe.end();
  });
}

async function checkWorker(): Promise<string | undefined> {
  const file = process.env['WORKER_HEARTBEAT_FILE'] || '/tmp/innover-worker-heartbeat';
  try {
    const age = Date.now() - (await stat(file)).mtimeMs;
    return age <= maximumHeartbeatAgeMs ? undefined : `heartbeat ${file} is ${Math.round(age / 1_000)} s old`;
  } catch {
    return `heartbeat ${file} does not exist`;
  }
}

const mode = process.argv[2];
const problem = mode === 'api' ? await checkApi() : mode === 'worker' ? await checkWorker() : 'usage: healthcheck.js api|worker';
if (problem) {
  process.stderr.write(`unhealthy: ${problem}\n`);
  process.exit(1);
}
