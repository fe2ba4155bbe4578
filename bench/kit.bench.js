/**
 * Kit benchmarks (plain ESM over the built dist; `npm run bench` calls `run()` through bench/run.js).
 * Figures, not timed tests:
 *   1. /health requests/s through the kit vs a bare node:http server answering the same JSON, same run
 *   2. job round trip (enqueue `add`, await result) p50 on the Redis peer (a container, test/support/peers.ts)
 *   3. jobs/s for one worker at concurrency 50
 *   4. idle RSS of an API and a worker process with tracing on
 * Run alone with `node bench/kit.bench.js`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { Queue } from 'bullmq';
import { freePort, startKafka, startPostgres, startRedis } from '../test/support/peers.ts';
import { startOtlpCollector } from '../test/support/otlp-collector.ts';
import { buildService, repositoryRoot, spawnService } from '../test/support/service-process.ts';

const { createTaskClient, redisConnection } = await import(new URL('../services/kit/dist/queue.js', import.meta.url).href);

const loadSeconds = Number(process.env.BENCH_SECONDS ?? 5);

/**
 * The service processes run with the NODE_OPTIONS the production image ships (its `final` stage, not the
 * dev stage's, which runs the TypeScript sources), so the figures describe what runs.
 */
function productionNodeOptions() {
  const dockerfile = readFileSync(new URL('../templates/service.Dockerfile', import.meta.url), 'utf8');
  const final = dockerfile.split(/^FROM\s.*$/m).at(-1) ?? '';
  const options = /NODE_OPTIONS="([^"]*)"/.exec(final)?.[1];
  if (options === undefined) throw new Error('templates/service.Dockerfile: the last stage sets no NODE_OPTIONS');
  return options;
}
const imageNodeOptions = productionNodeOptions();
const kitEnvironment = { NODE_OPTIONS: imageNodeOptions, LOG_LEVEL: 'info' };
/** The bare server's module and the workers' heartbeat files: one folder per run, removed at its end. */
let scratch = tmpdir();

function percentile(sorted, fraction) {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))];
}

function rssMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return Math.round((kib / 1024) * 10) / 10;
}

async function load(url) {
  const result = await autocannon({ url, connections: 50, duration: loadSeconds, pipelining: 1 });
  return { rps: result.requests.average, p99: result.latency.p99, errors: result.errors + result.non2xx };
}

async function stop(child) {
  if (child.child.exitCode !== null || child.child.signalCode !== null) return;
  child.kill('SIGTERM');
  await child.exited;
}

/** A bare node:http server in its own process answering the same JSON shape as the kit's /health. */
async function startBareServer() {
  const port = await freePort();
  const source = `
    const http = require('node:http');
    const started = Date.now();
    http.createServer((request, response) => {
      if (request.url !== '/health') { response.writeHead(404).end(); return; }
      const body = JSON.stringify({ service: 'payment', status: 'ok', version: '0.1.0', uptimeSeconds: Math.round((Date.now() - started) / 1000) });
      response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) }).end(body);
    }).listen(${port}, '127.0.0.1', () => console.log('listening'));`;
  // A real module file rather than `node -e`, so both servers are compiled the same way.
  const file = join(scratch, 'bare-server.cjs');
  writeFileSync(file, source);
  const child = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_OPTIONS: imageNodeOptions } });
  await new Promise((resolve) => child.stdout.once('data', resolve));
  return { url: `http://127.0.0.1:${port}/health`, stop: () => new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGTERM'))) };
}

async function healthRatio(collector) {
  const bare = await startBareServer();
  const api = spawnService('payment', 'api', { ...kitEnvironment, PORT: '0', OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint });
  try {
    const line = await api.waitForLog((entry) => entry.msg === 'api listening');
    const kitUrl = `http://127.0.0.1:${line.port}/health`;
    // Warm both up, then measure each for the same duration in the same run.
    await autocannon({ url: bare.url, connections: 10, duration: 1 });
    await autocannon({ url: kitUrl, connections: 10, duration: 1 });
    // Interleaved rounds so drift in machine load hits both alike; the figure is the median round ratio.
    const rounds = [];
    for (let round = 0; round < 3; round += 1) {
      const bareResult = await load(bare.url);
      const kitResult = await load(kitUrl);
      rounds.push({ bare: bareResult, kit: kitResult, ratio: kitResult.rps / bareResult.rps });
    }
    rounds.sort((left, right) => left.ratio - right.ratio);
    // For the record: the same JSON through Express routing (the query string skips the pre-dispatch fast path).
    const viaExpress = await load(`${kitUrl}?via=express`);
    return { ...rounds[1], viaExpress };
  } finally {
    await stop(api);
    await bare.stop();
  }
}

async function roundTrip(redis, collector) {
  const worker = spawnService('profile', 'worker', { ...kitEnvironment, REDIS_URL: redis.url, QUEUE_NAME: 'bench-round-trip', OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint, WORKER_HEARTBEAT_FILE: join(scratch, 'heartbeat-1') });
  const client = createTaskClient(redis.url);
  try {
    await worker.waitForLog((entry) => entry.msg === 'worker ready');
    for (let index = 0; index < 50; index += 1) await client.run({ queue: 'bench-round-trip', task: 'add', args: { a: index, b: 1 }, timeoutMs: 5_000 });
    const samples = [];
    for (let index = 0; index < 1_000; index += 1) {
      const started = performance.now();
      await client.run({ queue: 'bench-round-trip', task: 'add', args: { a: index, b: 1 }, timeoutMs: 5_000 });
      samples.push(performance.now() - started);
    }
    samples.sort((left, right) => left - right);
    return { p50: percentile(samples, 0.5), p95: percentile(samples, 0.95), p99: percentile(samples, 0.99) };
  } finally {
    await client.close();
    await stop(worker);
  }
}

async function throughput(redis, collector) {
  const jobs = 20_000;
  const queueName = 'bench-throughput';
  const queue = new Queue(queueName, { connection: redisConnection(redis.url) });
  const worker = spawnService('profile', 'worker', { ...kitEnvironment, REDIS_URL: redis.url, QUEUE_NAME: queueName, WORKER_CONCURRENCY: '50', OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint, WORKER_HEARTBEAT_FILE: join(scratch, 'heartbeat-2') });
  try {
    await worker.waitForLog((entry) => entry.msg === 'worker ready');
    // Fill the paused queue first so the figure is the worker's processing rate, not the producer's.
    await queue.pause();
    for (let offset = 0; offset < jobs; offset += 1_000) {
      await queue.addBulk(Array.from({ length: 1_000 }, (_, index) => ({ name: 'add', data: { args: { a: offset + index, b: 1 } }, opts: { removeOnComplete: true } })));
    }
    const started = performance.now();
    await queue.resume();
    for (;;) {
      const counts = await queue.getJobCounts('waiting', 'paused', 'active', 'prioritized', 'failed');
      if (counts.failed > 0) throw new Error(`${counts.failed} benchmark jobs failed`);
      if (counts.waiting + counts.paused + counts.active + counts.prioritized === 0) break;
      await sleep(20);
    }
    const seconds = (performance.now() - started) / 1_000;
    return { jobs, seconds, perSecond: jobs / seconds };
  } finally {
    await queue.close();
    await stop(worker);
  }
}

async function idleMemory(redis, collector) {
  const [postgres, kafka] = await Promise.all([startPostgres(), startKafka()]);
  const environment = { REDIS_URL: redis.url, DATABASE_URL: await postgres.createDatabase('payment'), KAFKA_BROKERS: kafka.brokers.join(','), OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint, ...kitEnvironment, WORKER_HEARTBEAT_FILE: join(scratch, 'heartbeat-3') };
  const api = spawnService('payment', 'api', { ...environment, PORT: '0' });
  const worker = spawnService('payment', 'worker', environment);
  try {
    const line = await api.waitForLog((entry) => entry.msg === 'api listening');
    await worker.waitForLog((entry) => entry.msg === 'worker ready');
    // Touch every dependency once (readiness), then let both settle.
    await fetch(`http://127.0.0.1:${line.port}/readiness`);
    await sleep(10_000);
    return { api: rssMiB(api.child.pid), worker: rssMiB(worker.child.pid) };
  } finally {
    await stop(api);
    await stop(worker);
    await Promise.allSettled([postgres.stop(), kafka.stop()]);
  }
}

/** @returns {Promise<Array<{name: string, value: number, unit: string, target: string, pass: boolean, detail?: string}>>} */
export default async function run() {
  buildService('payment');
  // Queue figures run on a worker with no schedules of its own (payment's reconciler needs its database).
  buildService('profile');
  const redis = await startRedis({ password: 'bench-secret' });
  const collector = await startOtlpCollector();
  scratch = mkdtempSync(join(tmpdir(), 'innover-bench-'));
  try {
    // BENCH_ONLY=health,trip,rate,memory picks figures while iterating; the default runs all four.
    const only = new Set((process.env.BENCH_ONLY ?? 'health,trip,rate,memory').split(','));
    const health = only.has('health') ? await healthRatio(collector) : undefined;
    const trip = only.has('trip') ? await roundTrip(redis, collector) : undefined;
    const rate = only.has('rate') ? await throughput(redis, collector) : undefined;
    const memory = only.has('memory') ? await idleMemory(redis, collector) : undefined;
    const round = (value, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;
    return [
      health && { name: 'kit /health rps ÷ bare node:http rps', value: round(health.ratio), unit: 'ratio', target: '>= 0.6', pass: health.ratio >= 0.6, detail: `kit ${Math.round(health.kit.rps)} rps (p99 ${health.kit.p99} ms), bare ${Math.round(health.bare.rps)} rps (p99 ${health.bare.p99} ms), 50 connections, median of 3 interleaved rounds of ${loadSeconds} s each, errors ${health.kit.errors + health.bare.errors}; through Express routing instead: ${Math.round(health.viaExpress.rps)} rps` },
      trip && { name: 'job round trip p50 (enqueue add, await result)', value: round(trip.p50), unit: 'ms', target: '<= 5', pass: trip.p50 <= 5, detail: `p95 ${round(trip.p95)} ms, p99 ${round(trip.p99)} ms over 1000 sequential jobs` },
      rate && { name: 'jobs/s, one worker at concurrency 50', value: Math.round(rate.perSecond), unit: 'jobs/s', target: '>= 2000', pass: rate.perSecond >= 2_000, detail: `${rate.jobs} add jobs in ${round(rate.seconds)} s` },
      memory && { name: 'idle RSS, API process (tracing on)', value: memory.api, unit: 'MiB', target: '<= 100', pass: memory.api <= 100, detail: `Redis, PostgreSQL, Kafka and OTLP configured, 10 s idle, NODE_OPTIONS="${imageNodeOptions}"` },
      memory && { name: 'idle RSS, worker process (tracing on)', value: memory.worker, unit: 'MiB', target: '<= 100', pass: memory.worker <= 100, detail: `same dependencies, 10 s idle, NODE_OPTIONS="${imageNodeOptions}"` },
    ].filter(Boolean);
  } finally {
    await redis.stop();
    await collector.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const results = await run();
  for (const result of results) console.log(`${result.pass ? 'PASS' : 'FAIL'}  ${result.name}: ${result.value} ${result.unit} (target ${result.target})${result.detail ? `  [${result.detail}]` : ''}`);
  void repositoryRoot;
  process.exit(0);
}
