#!/usr/bin/env node
/**
 * Container healthcheck (the images have no curl):
 *   healthcheck.js api     exit 0 when GET http://127.0.0.1:$PORT/health answers 200
 *   healthcheck.js worker  exit 0 when the heartbeat file was touched in the last 30 s
 */
import { stat } from 'node:fs/promises';

const maximumHeartbeatAgeMs = 30_000;

async function checkApi(): Promise<string | undefined> {
  const port = process.env['PORT'] || '8000';
  try {
    const response = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(3_000) });
    return response.status === 200 ? undefined : `GET /health answered ${response.status}`;
  } catch (error) {
    return `GET /health failed: ${(error as Error).message}`;
  }
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
