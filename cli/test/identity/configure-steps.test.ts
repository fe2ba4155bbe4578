import { describe, expect, it } from 'vitest';
import type { KeycloakClient } from '../../src/clients/keycloak-client.js';
import type { Wso2Client } from '../../src/clients/wso2-client.js';
import { UserError } from '../../src/command.js';
import { configureSteps } from '../../src/identity/configure-tasks.js';
import { waitFor } from '../../src/identity/wait-ready.js';
import { command } from '../../src/commands/configure-keycloak.js';
import { strictFake } from '../support/run-cli.js';
import { planStack } from '../../src/plan/plan-stack.js';
import { topology } from '../contract-support/harness.js';
import { contractEnv } from '../contract-support/harness.js';

describe('configure-keycloak steps', () => {
  it('wait for Keycloak, then WSO2, then align the realm, then the key manager', () => {
    const steps = configureSteps({
      topology,
      env: contractEnv('http://127.0.0.1:1'),
      keycloak: strictFake<KeycloakClient>('keycloak', {}),
      wso2: strictFake<Wso2Client>('wso2', {}),
      timeoutMs: 1000,
    });
    expect(steps.map((step) => step.title)).toEqual(['Keycloak ready', 'WSO2 ready', 'realm innover', 'WSO2 key manager']);
  });

  it('gives up at the deadline with one line naming what was not ready and the fix', async () => {
    let probes = 0;
    const keycloak = strictFake<KeycloakClient>('keycloak', { isReady: async () => (probes++, false) });
    const [keycloakStep] = configureSteps({ topology, env: contractEnv('http://127.0.0.1:1'), keycloak, wso2: strictFake<Wso2Client>('wso2', {}), timeoutMs: 50, intervalMs: 10 });
    const reports: string[] = [];
    const error = await keycloakStep!.run([], (line) => reports.push(line)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).problems).toEqual([expect.stringMatching(/^Keycloak \(http:\/\/127\.0\.0\.1:1\/health\/ready\) not ready after 0 s: check `innover logs keycloak`, or raise --timeout$/)]);
    expect(probes).toBeGreaterThan(1);
    expect(reports[0]).toMatch(/^waiting \d+ s$/);
  });

  it("names WSO2's real container in its fix: `innover logs wso2am`, which the full profile holds", async () => {
    const keycloak = strictFake<KeycloakClient>('keycloak', { isReady: async () => true });
    const wso2 = strictFake<Wso2Client>('wso2', { request: async () => Promise.reject(new Error('refused')) });
    const [, wso2Step] = configureSteps({ topology, env: contractEnv('http://127.0.0.1:1'), keycloak, wso2, timeoutMs: 30, intervalMs: 10 });
    const error = await wso2Step!.run([], () => undefined).catch((caught: unknown) => caught);
    expect((error as UserError).problems).toEqual([expect.stringMatching(/check `innover logs wso2am`, or raise --timeout$/)]);
    expect(planStack(topology, 'full').workloads.map((container) => container.name)).toContain('wso2am');
  });

  it('stops waiting when interrupted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(waitFor('X', async () => false, 'fix', { timeoutMs: 10_000, signal: controller.signal })).rejects.toMatchObject({ exitCode: 130 });
  });

  it('renders one row per action and says when nothing changed', () => {
    const text = command.render!({ actions: [{ target: 'realm innover', action: 'unchanged', detail: 'exists' }], changed: 0 }, {} as never);
    expect(text).toBe(['TARGET         ACTION     DETAIL', 'realm innover  unchanged  exists', 'nothing to change: Keycloak and WSO2 already match the topology'].join('\n'));
  });
});
