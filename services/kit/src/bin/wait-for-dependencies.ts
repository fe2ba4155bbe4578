#!/usr/bin/env node
/**
 * Init-container entry point: waits until each named dependency answers, then exits 0.
 *   node /app/services/kit/dist/bin/wait-for-dependencies.js database redis broker tcp:object-store:9000
 * Reads DATABASE_URL, REDIS_URL and KAFKA_BROKERS; WAIT_TIMEOUT_SECONDS (default 600) bounds the
 * wait, after which it exits 1 and Kubernetes restarts the init container.
 */
import { checkFor, dependencies, tcpCheck, tcpTarget, waitFor, type Dependency, type DependencyCheck } from '../wait-for-dependencies.ts';

const names = process.argv.slice(2);
const unknown = names.filter((name) => !(dependencies as readonly string[]).includes(name) && !tcpTarget(name));
if (names.length === 0 || unknown.length > 0) {
  process.stderr.write(`usage: wait-for-dependencies.js ${dependencies.join('|')}|tcp:<host>:<port>...${unknown.length ? ` (unknown: ${unknown.join(', ')})` : ''}\n`);
  process.exit(2);
}
const timeoutMs = Number(process.env['WAIT_TIMEOUT_SECONDS'] || '600') * 1_000;
for (const name of names) {
  const target = tcpTarget(name);
  const check: DependencyCheck | string = target ? tcpCheck(target.host, target.port) : checkFor(name as Dependency, process.env);
  if (typeof check === 'string') {
    process.stderr.write(`${check}\n`);
    process.exit(2);
  }
  let last = '';
  const ready = await waitFor(check, {
    timeoutMs,
    onRetry: (problem) => {
      // One line per new problem, not one per try.
      if (problem !== last) process.stderr.write(`waiting for ${name}: ${problem}\n`);
      last = problem;
    },
  });
  if (!ready) {
    process.stderr.write(`gave up waiting for ${name} after ${timeoutMs / 1_000} s: ${last}\n`);
    process.exit(1);
  }
  process.stdout.write(`${name} is ready\n`);
}
