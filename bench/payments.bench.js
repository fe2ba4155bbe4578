// Payment-flow figures of issue #10, on the `lite` profile in containers (the e2e's Compose project), on
// this machine:
//   - completed payments/s end to end at saturation (`innover load payments`, several concurrencies), and
//     the container whose CPU saturates first (its CPU time over the payments phase of the best run, against its limit);
//   - efficiency: payments/s × database transactions per payment ÷ pgbench tpcb-like TPS, pgbench run on
//     the same PostgreSQL container in the same run (target >= 0.5);
//   - POST /payments p99 at half the maximum throughput (open-loop arrivals, `--rate`) (target <= 50 ms);
//   - accepted → completed p50 / p99 at that rate (targets <= 100 / <= 500 ms);
//   - database transactions and HTTP calls per payment, counted on the running stack: pg_stat_database's
//     commits and the APIs' request log lines over a window of K payments between wallets already used once (as
//     the load runs' are), less the idle background (relay, reconciler, expiry polls) and the bench's own probes;
//   - invariant violations across every run (target 0).
// The stack is taken down at the end when the bench started it.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { commandRunner } from './commands.js';
import { acquireStackLock } from '../test/e2e/stack-lock.ts';
import { keepRememberedProfile } from '../test/e2e/remembered-profile.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const profile = 'lite';
const project = process.env.INNOVER_BENCH_PROJECT ?? 'innover-e2e';
const env = { ...process.env, INNOVER_PROJECT: project, NO_COLOR: '1' };
const services = ['profile', 'payment', 'ledger', 'wallet', 'rule-engine', 'forex'];
const log = (line) => process.stderr.write(`[bench] ${line}\n`);

const run = commandRunner({ cwd: root, env, maxBuffer: 256 * 1024 * 1024 });

/** `innover load payments --json`, parsed. */
function load(args) {
  const result = run('node', ['bin/innover.js', 'load', 'payments', '--profile', profile, '--json', ...args.map(String)], { check: false });
  let report;
  try {
    report = JSON.parse(result.stdout);
  } catch {
    throw new Error(`load payments ${args.join(' ')} exited ${result.status} without JSON: ${(result.stderr || result.stdout).trim().split('\n').slice(-3).join(' | ')}`);
  }
  return { report, status: result.status };
}

/** Each of the project's containers' CPU limit in CPUs (undefined: none), by Compose service, from `docker inspect`. */
function cpuLimits() {
  const ids = run('docker', ['ps', '-q', '--filter', `label=com.docker.compose.project=${project}`]).stdout.trim().split('\n').filter(Boolean);
  const limits = new Map();
  if (ids.length === 0) return limits;
  for (const line of run('docker', ['inspect', '--format', '{{index .Config.Labels "com.docker.compose.service"}}\t{{.HostConfig.NanoCpus}}', ...ids]).stdout.trim().split('\n')) {
    const [name, nano] = line.split('\t');
    const cpus = Number(nano) / 1e9;
    if (name) limits.set(name, cpus > 0 ? cpus : undefined);
  }
  return limits;
}

/**
 * `innover load payments`'s use case run in this process (the CLI's direct route: the same runLoad over the same
 * fetch client), with each container's CPU time read at the start and the end of the payments phase. The setup
 * (customers, wallets, top-ups: mostly the wallet API) and the invariant check (every wallet polled until the
 * projection catches up) stay out of "saturates first", which is about the payment path. The counters are read
 * twice, not sampled: a `docker stats` loop beside the load cost the engine and the machine CPU of their own.
 */
export async function loadSampled(topology, options) {
  const { runLoad } = await import('../cli/dist/payments/load.js');
  const { createFlowClient } = await import('../cli/dist/payments/flow-client.js');
  const byName = new Map(topology.services.map((service) => [service.name, service]));
  const client = createFlowClient({ baseUrl: (service) => `http://127.0.0.1:${byName.get(service).hostPort}` });
  let before;
  let after;
  const report = await runLoad(client, { crossCurrency: 0, ...options }, {
    onPhase(phase) {
      if (phase === 'payments') before = cpuTimes();
      else if (phase === 'invariants' && before) after = cpuTimes();
    },
  });
  if (!before || !after) return { report, stats: [], cpu: [] };
  const [start, end] = await Promise.all([before, after]);
  const seconds = (end.at - start.at) / 1_000;
  const limits = cpuLimits();
  const completed = report.completed ?? 0;
  // Saturation is use against the container's own CPU limit (a worker capped at 0.25 CPU is full at 25 %).
  const stats = [...end.containers]
    .map(([name, ns]) => {
      const cpu = ((ns - (start.containers.get(name) ?? ns)) / 1e9 / seconds) * 100;
      const limit = limits.get(name);
      return { name, cpu, limit, saturation: limit ? cpu / (limit * 100) : cpu / 100 };
    });
  const cpu = [...end.containers]
    .map(([name, ns]) => ({ name, msPerPayment: (ns - (start.containers.get(name) ?? ns)) / 1e6 / Math.max(1, completed) }))
    .sort((a, b) => b.msPerPayment - a.msPerPayment);
  const inContainers = cpu.reduce((sum, row) => sum + row.msPerPayment, 0);
  const machine = (end.machineMs - start.machineMs) / Math.max(1, completed);
  // The machine as a whole: its busy time against all its CPUs. When it is the first to be full, no one container
  // is the bottleneck: the sum of them (and the load generator beside them) is.
  const cores = availableParallelism();
  const machineCpu = (end.machineMs - start.machineMs) / 10 / seconds;
  stats.push({ name: `the machine (all ${cores} CPUs)`, cpu: machineCpu, limit: cores, saturation: machineCpu / (cores * 100) });
  stats.sort((a, b) => b.saturation - a.saturation);
  // What the machine spent beyond the containers: the load generator itself, the engine, docker-proxy, the kernel.
  return { report, stats, cpu: [{ name: 'all containers', msPerPayment: inContainers }, { name: 'outside the containers', msPerPayment: machine - inContainers }, ...cpu] };
}

/**
 * Each of the project's containers' CPU time so far, in ns (the Engine API's one-shot stats: the cgroup's usage
 * counter), keyed by Compose service, and the machine's busy CPU time in ms (/proc/stat).
 */
async function cpuTimes() {
  const { default: Docker } = await import('dockerode');
  const docker = new Docker();
  const containers = await docker.listContainers({ filters: { label: [`com.docker.compose.project=${project}`] } });
  const entries = await Promise.all(
    containers.map(async (info) => {
      const stats = await docker.getContainer(info.Id).stats({ stream: false, 'one-shot': true });
      return [info.Labels['com.docker.compose.service'] ?? info.Names[0], stats.cpu_stats.cpu_usage.total_usage];
    }),
  );
  return { at: globalThis.performance.now(), containers: new Map(entries), machineMs: machineBusyMs() };
}

/** The machine's CPU time spent busy (all but idle and iowait), in ms, from the first line of /proc/stat. */
function machineBusyMs() {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = fields;
  const ticks = user + nice + system + irq + softirq + (steal ?? 0);
  return (ticks * 1_000) / 100; // USER_HZ is 100 on Linux
}

const cpuLine = (rows) => rows.slice(0, 8).map((row) => `${row.name} ${row.msPerPayment.toFixed(1)}`).join(', ');

const busy = (entry) => `${entry.name} ${entry.cpu.toFixed(0)}%${entry.limit ? ` of ${entry.limit} CPU (${(entry.saturation * 100).toFixed(0)}% of its limit)` : ''}`;

function container(service) {
  const id = run('docker', ['ps', '-q', '--filter', `label=com.docker.compose.project=${project}`, '--filter', `label=com.docker.compose.service=${service}`]).stdout.trim().split('\n')[0];
  if (!id) throw new Error(`no running ${service} container in project ${project}`);
  return id;
}

/** pgbench tpcb-like on the stack's PostgreSQL container, in a scratch database. */
function pgbench() {
  const postgres = container('postgres');
  const exec = (...args) => run('docker', ['exec', '-u', 'postgres', postgres, ...args]);
  exec('psql', '-q', '-c', 'DROP DATABASE IF EXISTS innover_pgbench');
  exec('psql', '-q', '-c', 'CREATE DATABASE innover_pgbench');
  try {
    exec('pgbench', '-i', '-q', '-s', '10', 'innover_pgbench');
    const out = exec('pgbench', '-n', '-b', 'tpcb-like', '-c', '8', '-j', '2', '-T', '20', 'innover_pgbench').stdout;
    const tps = Number(/tps = ([\d.]+)/.exec(out)?.[1]);
    if (!Number.isFinite(tps)) throw new Error(`pgbench printed no tps: ${out.slice(-300)}`);
    return tps;
  } finally {
    exec('psql', '-q', '-c', 'DROP DATABASE IF EXISTS innover_pgbench');
  }
}

/** Counts the database transactions and HTTP calls of K same-currency payments. */
export async function countPerPayment({ topology, dotenv, payments: K }) {
  const { createFlowClient } = await import('../cli/dist/payments/flow-client.js');
  const byName = new Map(topology.services.map((service) => [service.name, service]));
  const client = createFlowClient({ baseUrl: (service) => `http://127.0.0.1:${byName.get(service).hostPort}` });
  const admin = new pg.Client({ host: '127.0.0.1', port: topology.database.postgres.hostPort, user: 'postgres', password: dotenv.POSTGRES_PASSWORD, database: 'postgres' });
  await admin.connect();
  const paymentDb = new pg.Client({ host: '127.0.0.1', port: topology.database.postgres.hostPort, user: 'postgres', password: dotenv.POSTGRES_PASSWORD, database: 'payment' });
  await paymentDb.connect();
  // Committed transactions: the work a payment takes. Rollbacks (serialization retries, mostly) are counted apart:
  // they are load on the database, not transactions a payment needs, and this window (K payments at once to one
  // payee) has more conflicts than the load runs, where each lane pays its own payee.
  const counters = async () => {
    const { rows } = await admin.query('SELECT sum(xact_commit) AS commits, sum(xact_rollback) AS rollbacks FROM pg_stat_database WHERE datname = ANY($1)', [services.map((name) => name.replace('-', '_'))]);
    return { commits: Number(rows[0]?.commits ?? 0), rollbacks: Number(rows[0]?.rollbacks ?? 0) };
  };
  const commits = async () => (await counters()).commits;
  const requests = (since) => {
    let total = 0;
    for (const service of services) {
      const { stdout } = run('docker', ['logs', '--since', since, container(service)]);
      for (const line of stdout.split('\n')) {
        if (!line.includes('"msg":"request"') || line.includes('/health') || line.includes('/readiness')) continue;
        total += 1;
      }
    }
    return total;
  };
  // A backend reports its counters at most once a second while busy, and what is left after its last busy second
  // only once it has been idle for 10 s (PostgreSQL 15+'s PGSTAT_IDLE_INTERVAL): wait that out, or the last
  // second of every connection's work is missing from the count.
  const settleStats = () => sleep(11_000);
  try {
    // Wallets: one payer per payment, so no payer lock or velocity window serialises them.
    const payee = await client.openWallet({ customerId: (await client.createCustomer({ displayName: 'bench payee', email: `payee-${randomUUID()}@example.com`, country: 'DE' })).id, currency: 'EUR' });
    const payers = [];
    for (let index = 0; index < K; index += 1) {
      const customer = await client.createCustomer({ displayName: `bench payer ${index}`, email: `payer-${randomUUID()}@example.com`, country: 'DE' });
      const wallet = await client.openWallet({ customerId: customer.id, currency: 'EUR' });
      await client.topUp(wallet.id, 10_000, randomUUID());
      payers.push(wallet);
    }
    await sleep(3_000); // the top-ups' events reach the wallet projection
    // K payments at once, one per payer, all to the payee; resolves once all are terminal. Answers the DB polls it made.
    let terminal = 0;
    const payAll = async () => {
      const started = Date.now();
      await Promise.all(payers.map((payer) => client.createPayment({ payerWalletId: payer.id, payeeWalletId: payee.id, amountMinor: 100, currency: 'EUR' }, randomUUID())));
      terminal += K;
      for (let polls = 1; ; polls += 1) {
        const { rows } = await paymentDb.query("SELECT count(*) AS n FROM wallet_payments WHERE status IN ('completed', 'rejected', 'failed') AND payee_wallet_id = $1", [payee.id]);
        if (Number(rows[0].n) >= terminal) return polls;
        if (Date.now() - started > 120_000) throw new Error(`only ${rows[0].n} of ${terminal} payments terminal after 120 s`);
        await sleep(200);
      }
    };
    // A warm-up round first: the load runs' payments are between wallets the payment API and the ledger have seen
    // (each lane pays from its own wallets again and again), so the counted ones must be too, or the first-time
    // wallet reads (4 a payment) and ledger account reads are counted as if every payment made them.
    await payAll();
    await sleep(3_000);
    // The set-up's last second of commits is flushed up to 10 s after it: wait it out, or it lands in the idle
    // window below and is taken off every payment's count (10.8 to 17.6 transactions a payment, run to run).
    await settleStats();

    // The idle background (relay, reconciler and expiry polls) over a window as long as the measured one.
    const idleStart = await commits();
    const idleSince = new Date().toISOString();
    const idleStarted = Date.now();
    await sleep(10_000);
    await settleStats();
    const idleCommitsPerMs = ((await commits()) - idleStart - 1) / (Date.now() - idleStarted);
    const idleRequestsPerMs = requests(idleSince) / (Date.now() - idleStarted);

    const { commits: before, rollbacks: rolledBackBefore } = await counters();
    const since = new Date().toISOString();
    const started = Date.now();
    const polls = await payAll();
    await sleep(3_000); // the ledger's events reach the wallet projection
    await settleStats();
    const elapsed = Date.now() - started;
    const end = await counters();
    const transactions = end.commits - before - polls - 1 - idleCommitsPerMs * elapsed;
    const rolledBack = end.rollbacks - rolledBackBefore;
    const calls = requests(since) - K - idleRequestsPerMs * elapsed;
    return { transactionsPerPayment: transactions / K, rollbacksPerPayment: rolledBack / K, httpCallsPerPayment: calls / K };
  } finally {
    await Promise.allSettled([admin.end(), paymentDb.end()]);
  }
}

export default async function runBench() {
  if (!existsSync(join(root, 'cli', 'dist', 'main.js'))) throw new Error('the CLI is not built: run npm run build');
  const release = await acquireStackLock('bench');
  const restoreProfile = keepRememberedProfile(root);
  const envCreated = !existsSync(join(root, '.env'));
  const wasRunning = run('docker', ['ps', '-q', '--filter', `label=com.docker.compose.project=${project}`]).stdout.trim() !== '';
  const figures = [];
  let violations = 0;
  const judge = (label, report) => {
    const failed = (report.invariants?.results ?? []).filter((result) => !result.ok);
    violations += failed.length;
    for (const result of failed) log(`${label}: invariant failed: ${result.name}: ${result.detail}`);
  };
  try {
    run('node', ['bin/innover.js', 'up', '--profile', profile]);
    const { loadTopology } = await import('../cli/dist/topology/load.js');
    const { loadEnvFile } = await import('../cli/dist/env/load.js');
    const topology = await loadTopology(root);
    const dotenv = await loadEnvFile(root, topology);
    await sleep(10_000); // let the fifteen processes finish booting

    const tps = pgbench();
    log(`pgbench tpcb-like: ${tps.toFixed(0)} tps`);

    const counted = await countPerPayment({ topology, dotenv, payments: 50 });
    log(`per payment: ${counted.transactionsPerPayment.toFixed(1)} committed transactions (and ${counted.rollbacksPerPayment.toFixed(1)} rolled back), ${counted.httpCallsPerPayment.toFixed(1)} service HTTP calls`);

    // Warm-up, then the saturation search over concurrencies.
    judge('warm-up', load(['--count', 200, '--concurrency', 20, '--timeout', 600]).report);
    let best;
    for (const concurrency of [16, 32, 64]) {
      const { report, stats, cpu } = await loadSampled(topology, { count: 600, concurrency, timeoutMs: 900_000 });
      judge(`concurrency ${concurrency}`, report);
      log(`concurrency ${concurrency}: ${report.throughputPerSecond} completed/s, accept p99 ${report.acceptLatencyMs?.p99} ms, complete p50 ${report.completeLatencyMs?.p50} ms; closest to its CPU limit: ${stats.slice(0, 3).map(busy).join(', ')}`);
      log(`concurrency ${concurrency}: CPU ms per completed payment: ${cpuLine(cpu)}`);
      if (!best || report.throughputPerSecond > best.report.throughputPerSecond) best = { concurrency, report, stats, cpu };
    }
    const max = best.report.throughputPerSecond;
    const busiest = best.stats[0];
    figures.push({ name: `completed payments/s end to end (saturates first: ${busiest ? busy(busiest) : 'n/a'})`, value: max, unit: '/s', target: '>= 100', pass: max >= 100 });
    const [all, ...top] = best.cpu;
    if (all) figures.push({ name: `CPU per completed payment, all containers (most: ${cpuLine(top.slice(0, 4))} ms)`, value: all.msPerPayment, unit: 'ms', target: 'report', pass: true });
    const efficiency = (max * counted.transactionsPerPayment) / tps;
    figures.push({ name: `efficiency: payments/s × ${counted.transactionsPerPayment.toFixed(1)} txns ÷ pgbench tpcb-like ${tps.toFixed(0)} tps`, value: efficiency, unit: 'ratio', target: '>= 0.5', pass: efficiency >= 0.5 });

    const rate = Math.max(1, Math.round(max / 2));
    const count = Math.max(150, rate * 30);
    const half = load(['--count', count, '--concurrency', Math.min(count, 64), '--rate', rate, '--timeout', 900]).report;
    judge('half rate', half);
    log(`half rate ${rate}/s: ${half.throughputPerSecond} completed/s, accept p50/p99 ${half.acceptLatencyMs.p50}/${half.acceptLatencyMs.p99} ms, complete p50/p99 ${half.completeLatencyMs.p50}/${half.completeLatencyMs.p99} ms`);
    figures.push({ name: `POST /payments p99 at half the max (${rate}/s)`, value: half.acceptLatencyMs.p99, unit: 'ms', target: '<= 50', pass: half.acceptLatencyMs.p99 <= 50 });
    figures.push({ name: `accepted -> completed p50 at ${rate}/s`, value: half.completeLatencyMs.p50, unit: 'ms', target: '<= 100', pass: half.completeLatencyMs.p50 <= 100 });
    figures.push({ name: `accepted -> completed p99 at ${rate}/s`, value: half.completeLatencyMs.p99, unit: 'ms', target: '<= 500', pass: half.completeLatencyMs.p99 <= 500 });
    figures.push({ name: 'database transactions per payment (counted, committed)', value: counted.transactionsPerPayment, unit: 'txns', target: 'report', pass: true });
    figures.push({ name: 'rolled-back transactions per payment in that window (serialization retries)', value: counted.rollbacksPerPayment, unit: 'txns', target: 'report', pass: true });
    figures.push({ name: 'HTTP calls between services per payment (counted)', value: counted.httpCallsPerPayment, unit: 'calls', target: 'report', pass: true });
    figures.push({ name: 'invariant violations across the bench runs', value: violations, unit: 'count', target: '0', pass: violations === 0 });
  } finally {
    if (!wasRunning) run('node', ['bin/innover.js', 'down', '--profile', profile], { check: false });
    if (envCreated) rmSync(join(root, '.env'), { force: true });
    restoreProfile();
    release();
  }
  return figures;
}
