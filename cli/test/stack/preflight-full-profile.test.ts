import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ComposeClient } from '../../src/clients/compose-client.js';
import type { EngineClient } from '../../src/clients/engine-client.js';
import { doctorCommand } from '../../src/commands/doctor.js';
import { createContext } from '../../src/context.js';
import { checkAio, checkCockroachLicence, checkCpus, cockroachLicence, readAioSlots, renderFinding, runPreflight } from '../../src/use-cases/preflight.js';
import { resolveStack } from '../../src/use-cases/resolve-stack.js';
import { planStack } from '../../src/plan/plan-stack.js';
import { captureOutput, strictFake } from '../support/run-cli.js';
import { defaultStack, topologyFrom } from '../topology/fixtures.js';
import { stackRoot, testEnv } from '../commands/stack-context.js';
import { scriptedEngine } from './engine-fakes.js';
import { composePlan } from '../../src/targets/compose/compose-plan.js';

const topology = defaultStack();

function doctorContext(root: string, env: Record<string, string> = {}) {
  const engine: EngineClient = scriptedEngine([[]], { ping: async () => undefined });
  const compose = strictFake<ComposeClient>('compose', { version: async () => '2.26.1' });
  return createContext({ root, out: captureOutput(), topology, dotenv: testEnv, clients: { engine, compose }, env });
}

describe('CockroachDB licence finding', () => {
  const full = planStack(topology, 'full');

  it('warns in one line with both fixes when more than one node runs without a licence', () => {
    const finding = checkCockroachLicence(full, undefined)!;
    expect(finding).toEqual({
      check: 'license',
      level: 'warning',
      message:
        'CockroachDB runs 3 nodes without a licence and is throttled to 5 open transactions after 7 days: set COCKROACH_LICENSE in .env to a licence key, or database.cockroach.nodes: 1 in innover.yaml (single nodes are exempt)',
    });
    expect(renderFinding(finding)).not.toContain('\n');
    expect(checkCockroachLicence(full, '  ')).toMatchObject({ level: 'warning' });
  });

  it('is quiet for one node or PostgreSQL, and ok with a licence, which it never prints', () => {
    expect(checkCockroachLicence(planStack(topologyFrom({ database: { cockroach: { nodes: 1 } } }), 'full'), undefined)).toBeUndefined();
    expect(checkCockroachLicence(planStack(topology, 'lite'), undefined)).toBeUndefined();
    expect(checkCockroachLicence(planStack(topology, 'identity'), undefined)).toBeUndefined();
    const ok = checkCockroachLicence(full, 'crl-0-secret-licence')!;
    expect(ok.level).toBe('ok');
    expect(ok.message).not.toContain('crl-0');
  });

  it('reads the licence as Compose would: the shell first, else .env', async () => {
    const root = stackRoot();
    expect(await cockroachLicence({ root, env: {} })).toBeUndefined();
    writeFileSync(join(root, '.env'), 'REDIS_PASSWORD=x\nCOCKROACH_LICENSE="crl-0-from-file"\n');
    expect(await cockroachLicence({ root, env: {} })).toBe('crl-0-from-file');
    expect(await cockroachLicence({ root, env: { COCKROACH_LICENSE: 'crl-0-from-shell' } })).toBe('crl-0-from-shell');
    expect(await cockroachLicence({ root: join(root, 'missing'), env: {} })).toBeUndefined();
  });

  it('doctor reports it as a warning, not a failure', async () => {
    const doctor = doctorCommand(async () => new Map());
    const report = await doctor.handler({ profile: 'full' }, doctorContext(stackRoot(['full'])));
    expect(report.findings.find((finding) => finding.check === 'license')).toMatchObject({ level: 'warning' });
    const licensed = stackRoot(['full']);
    writeFileSync(join(licensed, '.env'), 'COCKROACH_LICENSE=crl-0-secret-licence\n');
    const clean = await doctor.handler({ profile: 'full' }, doctorContext(licensed));
    expect(clean.findings.find((finding) => finding.check === 'license')).toMatchObject({ level: 'ok' });
    expect(JSON.stringify(clean)).not.toContain('crl-0');
  });
});

describe('CPU limits against the engine', () => {
  const full = planStack(topology, 'full');

  it("fails in one line, naming each container over Docker's CPU count, with the fix", () => {
    const finding = checkCpus(full, 1);
    expect(finding).toEqual({
      check: 'cpus',
      level: 'error',
      message:
        "cpus of wso2am (2) exceed the 1 CPU Docker has: lower them in innover.yaml (resources: or the part's own resources:) or give Docker more CPUs",
    });
    expect(checkCpus(full, 2)).toMatchObject({ level: 'ok' });
    const busy = planStack(topologyFrom({ resources: { db: { cpus: 3, memory: '768m' } } }), 'full');
    expect(checkCpus(busy, 2).message).toMatch(/^cpus of cockroach1 \(3\), cockroach2 \(3\), cockroach3 \(3\) exceed the 2 CPUs Docker has: /);
  });

  it('doctor fails on it with the engine CPU count', async () => {
    const doctor = doctorCommand(async () => new Map());
    const root = stackRoot(['full']);
    const engine: EngineClient = scriptedEngine([[]], { ping: async () => undefined, cpuCount: async () => 1 });
    const compose = strictFake<ComposeClient>('compose', { version: async () => '2.26.1' });
    const ctx = createContext({ root, out: captureOutput(), topology, dotenv: testEnv, clients: { engine, compose }, env: {} });
    const report = await doctor.handler({ profile: 'full' }, ctx);
    expect(report.ok).toBe(false);
    expect(report.findings.filter((finding) => finding.level === 'error').map((finding) => finding.check)).toEqual(['cpus']);
    const fits = await doctor.handler({ profile: 'full' }, doctorContext(root));
    expect(fits.findings.find((finding) => finding.check === 'cpus')).toMatchObject({ level: 'ok' });
  });
});

describe('AIO slots for Redpanda', () => {
  it('warns in one line with the sysctl when too few slots are free', () => {
    expect(checkAio({ max: 65536, used: 60000 })).toEqual({
      check: 'aio',
      level: 'warning',
      message:
        'only 5536 AIO slots are free (fs.aio-max-nr 65536, fs.aio-nr 60000); Redpanda wants 11026 and below 1027 fails with "Could not setup Async I/O": run sudo sysctl -w fs.aio-max-nr=1048576 (and add it to /etc/sysctl.d/ to keep it)',
    });
    expect(checkAio({ max: 65536, used: 0 })).toMatchObject({ level: 'ok' });
    expect(checkAio({ max: 11026, used: 0 })).toMatchObject({ level: 'ok' });
    expect(checkAio(undefined)).toBeUndefined();
  });

  it('reads the host values on Linux, and nothing elsewhere', async () => {
    const slots = await readAioSlots();
    if (process.platform === 'linux') {
      expect(slots?.max).toBeGreaterThan(0);
      expect(slots?.used).toBeGreaterThanOrEqual(0);
    } else {
      expect(slots).toBeUndefined();
    }
  });

  it('is checked only for a profile with Redpanda, and never renders --reactor-backend', async () => {
    const asked: string[] = [];
    const engine: EngineClient = scriptedEngine([[]], { ping: async () => undefined });
    const compose = strictFake<ComposeClient>('compose', { version: async () => '2.26.1' });
    for (const profile of ['core', 'observability']) {
      const ctx = createContext({ root: stackRoot([profile]), out: captureOutput(), topology, dotenv: testEnv, clients: { engine, compose }, env: {} });
      const target = await resolveStack(ctx, profile);
      const findings = await runPreflight(ctx, target, {
        env: false,
        portHolders: async () => new Map(),
        aioSlots: async () => {
          asked.push(profile);
          return { max: 2048, used: 1500 };
        },
      });
      const aio = findings.find((finding) => finding.check === 'aio');
      if (profile === 'core') expect(aio).toMatchObject({ level: 'warning', message: expect.stringMatching(/^only 548 AIO slots are free/) });
      else expect(aio).toBeUndefined();
    }
    expect(asked).toEqual(['core']);
    const redpanda = composePlan(planStack(topology, 'core')).containers.find((container) => container.name === 'redpanda')!;
    expect(redpanda.runtime.command!.join(' ')).not.toContain('reactor-backend');
  });
});
