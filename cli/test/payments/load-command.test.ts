import { describe, expect, it } from 'vitest';
import type { EngineClient } from '../../src/clients/engine-client.js';
import { UserError } from '../../src/command.js';
import { command, runLoadCommand } from '../../src/commands/load.js';
import type { LoadResult } from '../../src/commands/load.js';
import { createContext } from '../../src/context.js';
import type { LoadTarget } from '../../src/payments/load-target.js';
import { planLoadTarget } from '../../src/payments/load-target.js';
import { formatProgress, renderLoad } from '../../src/payments/load-render.js';
import { planStack } from '../../src/plan/plan-stack.js';
import { captureOutput, runCli, strictFake } from '../support/run-cli.js';
import { defaultStack } from '../topology/fixtures.js';
import { stackRoot, testEnv } from '../commands/stack-context.js';
import { fakeFlowClient } from './fake-flow-client.js';
import type { FakeFlowFaults } from './fake-flow-client.js';

const topology = defaultStack();

async function run(argv: { profile?: string; via?: string; json?: boolean }, faults: FakeFlowFaults = {}) {
  const out = captureOutput();
  const ctx = createContext({ root: stackRoot(['lite', 'full']), topology, dotenv: testEnv, env: {}, json: argv.json ?? false, out, clients: {} });
  const targets: LoadTarget[] = [];
  const result = await runLoadCommand({ scenario: 'payments', count: '12', concurrency: '3', crossCurrency: '0.5', timeout: '30', profile: argv.profile ?? 'lite', via: argv.via ?? 'direct' }, ctx, {
    flowClient(target, secret) {
      targets.push(target);
      expect(secret).toBe(testEnv.SMOKE_CLIENT_SECRET);
      return fakeFlowClient(faults);
    },
    settleTimeoutMs: 500,
  });
  return { result, out, targets };
}

describe('innover load payments', () => {
  it('runs against the published ports of lite without a token, and exits 0 when every invariant holds', async () => {
    const { result, out, targets } = await run({});
    expect(targets).toEqual([
      {
        via: 'direct',
        baseUrls: { profile: 'http://127.0.0.1:8101', payment: 'http://127.0.0.1:8102', ledger: 'http://127.0.0.1:8103', wallet: 'http://127.0.0.1:8104', 'rule-engine': 'http://127.0.0.1:8105', forex: 'http://127.0.0.1:8106' },
      },
    ]);
    expect(result).toMatchObject({ profile: 'lite', via: 'direct', count: 12, completed: 12, ok: true });
    expect(command.exitCode?.(result)).toBe(0);
    // Not a terminal: the phases and plain progress lines on stderr, nothing on stdout.
    expect(out.stdout).toBe('');
    expect(out.stderr[0]).toMatch(/^load: setting a permissive rule set/);
    expect(out.stderr.filter((line) => line.startsWith('[##############################] 12/12 finished'))).toHaveLength(1);
    const text = renderLoad(result);
    expect(text).toMatch(/^FIGURE +VALUE\n/);
    expect(text).toMatch(/\nthroughput +[\d.]+ completed\/s over [\d.]+ s\n/);
    expect(text).toMatch(/\naccept latency +p50 \d+ ms · p95 \d+ ms · p99 \d+ ms · max \d+ ms \(12\)\n/);
    expect(text).toMatch(/\nstatuses +completed 12\n/);
    expect(text).toContain('\nok    no money made or lost: ');
    expect(text).toMatch(/load ok \(profile lite, via direct\): 12 of 12 completed$/);
    expect(text).not.toContain(testEnv.SMOKE_CLIENT_SECRET);
  });

  it('an invariant failure exits non-zero and names the invariant', async () => {
    const { result } = await run({}, { doubleDebit: 1 });
    expect(result.ok).toBe(false);
    expect(command.exitCode?.(result)).toBe(1);
    const text = renderLoad(result);
    expect(text).toMatch(/\nFAIL {2}no money made or lost: wallet [0-9a-f-]+: ledger -?\d+, expected \d+ EUR/);
    expect(text).toMatch(/load FAILED: 1 invariant\(s\) failed \(profile lite/);
  });

  it('--json writes no progress (the document alone goes to stdout, from main)', async () => {
    const { result, out } = await run({ json: true });
    expect(out.stderr).toEqual([]);
    expect(JSON.parse(JSON.stringify(result))).toMatchObject({ ok: true, invariants: { ok: true }, acceptLatencyMs: { count: 12 } } satisfies Partial<Record<keyof LoadResult, unknown>>);
  });

  it('with Keycloak in the profile, direct calls carry the smoke client token; the gateway is WSO2 plus each API context', async () => {
    const full = planStack(topology, 'full');
    const issuerUrl = `http://localhost:${topology.infrastructure.nginx.hostPort}/auth/realms/${topology.infrastructure.keycloak.realm}`;
    const direct = planLoadTarget({ topology, plan: full, via: 'direct', gatewayUrl: testEnv.WSO2_GATEWAY_URL });
    expect(direct.token?.clientId).toBe('innover-smoke');
    expect(direct.token?.issuerUrl).toMatch(/\/realms\/innover$/);
    expect(direct.token?.issuerUrl.endsWith(issuerUrl.slice(issuerUrl.indexOf('/auth')))).toBe(true);
    const gateway = planLoadTarget({ topology, plan: full, via: 'gateway', gatewayUrl: 'https://localhost:8243/' });
    expect(gateway.baseUrls).toEqual({
      profile: 'https://localhost:8243/api/profile',
      payment: 'https://localhost:8243/api/payment',
      ledger: 'https://localhost:8243/api/ledger',
      wallet: 'https://localhost:8243/api/wallet',
      'rule-engine': 'https://localhost:8243/api/rules',
      forex: 'https://localhost:8243/api/forex',
    });
    expect(gateway.token).toEqual(direct.token);
  });

  it('--via gateway on a profile without WSO2 is one line with the fix', async () => {
    await expect(run({ via: 'gateway' })).rejects.toThrow(new UserError("--via gateway: profile 'lite' has no wso2, keycloak: use --via direct, or a profile with the gateway (e.g. --profile full)"));
  });

  it('bad flags are usage errors (exit 2) before anything is contacted', async () => {
    const engine = strictFake<EngineClient>('engine', {});
    for (const [argv, line] of [
      [['load', 'payments', '--count', '0'], "innover: --count '0': give a whole number of payments, at least 1 (e.g. --count 100)"],
      [['load', 'payments', '--count', '5', '--concurrency', '6'], "innover: --concurrency '6': give a whole number from 1 to --count (5)"],
      [['load', 'payments', '--cross-currency', '1.2'], "innover: --cross-currency '1.2': give the fraction of cross-currency payments, from 0 to 1 (e.g. 0.3)"],
      [['load', 'payments', '--via', 'nginx'], "innover: --via 'nginx': use direct (the services' published ports) or gateway (the WSO2 gateway)"],
      [['load', 'payments', '--timeout', '0'], "innover: --timeout '0': give the seconds the payments may take, above 0 (e.g. --timeout 120)"],
      [['load', 'refunds'], 'innover: innover load refunds: unknown scenario; use innover load payments'],
    ] as const) {
      const result = await runCli(argv, { root: stackRoot(), topology, dotenv: testEnv, clients: { engine }, env: {} });
      expect(result.exitCode, argv.join(' ')).toBe(2);
      expect(result.stderr).toEqual([line]);
      expect(result.stdout).toBe('');
    }
  });

  it('the progress line is a bar of the finished share and the counts', () => {
    expect(formatProgress({ accepted: 7, completed: 4, failed: 1, total: 10 }, 10)).toBe('[#####-----] 5/10 finished · 7 accepted · 4 completed · 1 failed');
    expect(formatProgress({ accepted: 0, completed: 0, failed: 0, total: 3 }, 4)).toBe('[----] 0/3 finished · 0 accepted · 0 completed · 0 failed');
  });
});
