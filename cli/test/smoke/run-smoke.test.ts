import { describe, expect, it } from 'vitest';
import { CheckFailure, judgeContainers } from '../../src/smoke/checks.js';
import { encodeRedisCommand } from '../../src/clients/redis-probe.js';
import { gatewayTlsOptions } from '../../src/smoke/gateway-request.js';
import { maskSecrets, runSmoke, type SmokeDependencies } from '../../src/smoke/run-smoke.js';
import type { SmokeCheckSpec } from '../../src/smoke/smoke-plan.js';
import { renderSmoke, command } from '../../src/commands/smoke.js';

const secrets = { redisPassword: 'redis-secret-123', serviceDbPassword: 'db-secret-12345', smokeClientSecret: 'smoke-secret-123' };
const dependencies = (overrides: Partial<SmokeDependencies> = {}): SmokeDependencies => ({
  secrets,
  containers: () => Promise.resolve('14 running and healthy'),
  runTask: () => Promise.reject(new Error('unexpected runTask')),
  probeRedis: () => Promise.resolve(),
  ...overrides,
});

describe('judgeContainers', () => {
  it('passes when every planned container is ready, counting jobs', () => {
    expect(
      judgeContainers([
        { name: 'postgres', role: 'database', ready: true },
        { name: 'cockroach-bootstrap', role: 'job', ready: true },
        { name: 'old', role: 'not in profile', ready: true },
      ]),
    ).toBe('1 running and healthy, 1 job(s) exited 0');
  });

  it('fails naming each container that is not ready and why, those failing alike together', () => {
    expect(() =>
      judgeContainers([
        { name: 'payment', role: 'api', ready: false, problem: 'is unhealthy' },
        { name: 'cockroach-init', role: 'job', ready: false, problem: 'exited with code 1' },
        { name: 'redis', role: 'infrastructure', ready: true },
        { name: 'ledger', role: 'api', ready: false, problem: 'is unhealthy' },
      ]),
    ).toThrow(new CheckFailure('payment, ledger is unhealthy; cockroach-init exited with code 1'));
    expect(() => judgeContainers([])).toThrow(/no containers planned/);
  });
});

describe('runSmoke', () => {
  const worker = (service: string): SmokeCheckSpec => ({ kind: 'worker', name: `worker ${service}`, service, queue: `${service}-q`, redisHost: '127.0.0.1', redisPort: 6390 });

  it('reports checks outside the profile as "not in profile", never as passes, and judges the rest', async () => {
    const specs: SmokeCheckSpec[] = [
      { kind: 'containers', name: 'containers' },
      { kind: 'not-in-profile', name: 'kafka', missing: ['redpanda'] },
      worker('payment'),
      worker('ledger'),
    ];
    const rows = await runSmoke(
      specs,
      dependencies({
        runTask: (options) => {
          const args = options.args as { a: number; b: number };
          return Promise.resolve(options.queue === 'payment-q' ? args.a + args.b : 'nonsense');
        },
      }),
      new AbortController().signal,
    );
    expect(rows.map((row) => [row.name, row.status])).toEqual([
      ['containers', 'pass'],
      ['kafka', 'not in profile'],
      ['worker payment', 'pass'],
      ['worker ledger', 'fail'],
    ]);
    expect(rows[0]?.detail).toBe('14 running and healthy');
    expect(rows[1]).toEqual({ name: 'kafka', status: 'not in profile', ms: 0, detail: 'needs redpanda' });
    expect(rows[2]?.detail).toMatch(/^add \d+ \d+ = \d+ on queue payment-q$/);
    expect(rows[3]?.detail).toMatch(/^add \d+ \d+ on queue ledger-q returned "nonsense", expected \d+$/);
  });

  it('gives the worker round trip the Redis URL with the password, and masks secrets in every detail', async () => {
    let seen: { redisUrl: string; queue: string; task: string } | undefined;
    const rows = await runSmoke(
      [worker('ledger')],
      dependencies({
        runTask: (options) => {
          seen = options;
          return Promise.reject(new Error(`cannot reach ${options.redisUrl}`));
        },
      }),
      new AbortController().signal,
    );
    expect(seen).toMatchObject({ redisUrl: 'redis://:redis-secret-123@127.0.0.1:6390/0', queue: 'ledger-q', task: 'add' });
    expect(rows[0]).toMatchObject({ status: 'fail', detail: 'cannot reach redis://:***@127.0.0.1:6390/0' });
  });

  it('sends no task when Redis does not answer, and probes it once for all workers', async () => {
    let probes = 0;
    const rows = await runSmoke(
      [worker('payment'), worker('ledger')],
      dependencies({
        probeRedis: () => {
          probes += 1;
          return Promise.reject(new CheckFailure('connect ECONNREFUSED 127.0.0.1:6390'));
        },
      }),
      new AbortController().signal,
    );
    expect(probes).toBe(1);
    expect(rows.map((row) => row.detail)).toEqual([
      'Redis 127.0.0.1:6390: connect ECONNREFUSED 127.0.0.1:6390; no task sent',
      'Redis 127.0.0.1:6390: connect ECONNREFUSED 127.0.0.1:6390; no task sent',
    ]);
  });

  it('fails a check that outlives the run instead of hanging', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    const rows = await runSmoke([worker('wallet')], dependencies({ runTask: () => new Promise(() => undefined) }), controller.signal);
    expect(rows[0]).toMatchObject({ status: 'fail', detail: 'add on wallet-q: out of time' });
  });

  it('fails the containers check with its reason', async () => {
    const rows = await runSmoke(
      [{ kind: 'containers', name: 'containers' }],
      dependencies({ containers: () => Promise.reject(new CheckFailure('payment is unhealthy')) }),
      new AbortController().signal,
    );
    expect(rows[0]).toMatchObject({ name: 'containers', status: 'fail', detail: 'payment is unhealthy' });
  });
});

describe('maskSecrets', () => {
  it('replaces every occurrence of every secret', () => {
    expect(maskSecrets('a s3cret-value b s3cret-value', ['s3cret-value', ''])).toBe('a *** b ***');
  });
});

describe('gatewayTlsOptions', () => {
  it("accepts WSO2's self-signed certificate only on this machine", () => {
    expect(gatewayTlsOptions('https://localhost:8243/api/x')).toEqual({ rejectUnauthorized: false });
    expect(gatewayTlsOptions('https://127.0.0.1:8243/api/x')).toEqual({ rejectUnauthorized: false });
    expect(gatewayTlsOptions('https://gateway.example.com/api/x')).toEqual({ rejectUnauthorized: true });
    expect(gatewayTlsOptions('https://localhost.example.com/api/x')).toEqual({ rejectUnauthorized: true });
  });
});

describe('smoke output', () => {
  const result = {
    project: 'innover',
    profile: 'lite',
    rows: [
      { name: 'containers', status: 'pass' as const, ms: 12, detail: '13 running and healthy' },
      { name: 'redis', status: 'fail' as const, ms: 1500, detail: 'AUTH + PING: connect ECONNREFUSED' },
      { name: 'kafka', status: 'not in profile' as const, ms: 0, detail: 'needs redpanda' },
    ],
    passed: 1,
    failed: 1,
    notInProfile: 1,
  };

  it('renders one row per check with name, status, time and detail, then the verdict', () => {
    expect(renderSmoke(result)).toBe(
      [
        'CHECK       STATUS          TIME   DETAIL',
        'containers  pass            12 ms  13 running and healthy',
        'redis       fail            1.5 s  AUTH + PING: connect ECONNREFUSED',
        'kafka       not in profile  -      needs redpanda',
        '',
        'smoke FAILED (profile lite): 1 passed, 1 failed, 1 not in profile',
      ].join('\n'),
    );
  });

  it('exits non-zero on any failure only', () => {
    expect(command.exitCode?.(result)).toBe(1);
    expect(command.exitCode?.({ ...result, failed: 0 })).toBe(0);
  });
});

describe('encodeRedisCommand', () => {
  it('sends bulk strings, so a password with spaces or CRLF stays one argument', () => {
    expect(encodeRedisCommand(['AUTH', 'p w\r\nx'])).toBe('*2\r\n$4\r\nAUTH\r\n$6\r\np w\r\nx\r\n');
  });
});
