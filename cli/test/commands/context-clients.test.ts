import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BufClient } from '../../src/clients/buf-client.js';
import { command as health } from '../../src/commands/health.js';
import { command as proto } from '../../src/commands/proto.js';
import type { StackStatus } from '../../src/use-cases/stack-status.js';
import { composeHealth } from '../../src/targets/compose/compose-plan.js';
import { planStack } from '../../src/plan/plan-stack.js';
import { fakeHttp, strictFake, testContext } from '../support/context.js';
import { defaultStack } from '../topology/fixtures.js';
import { scriptedEngine, summary } from '../stack/engine-fakes.js';
import { stackRoot, testEnv } from './stack-context.js';

// Side effects reach the commands through ctx.client(name) only: these commands run with fakes
// and nothing else, so a direct fetch, socket or process would fail the test.
const topology = defaultStack();

describe('side effects through the context clients', () => {
  it('health probes the shell-less containers with the http client, and its answer decides their health', async () => {
    const plan = planStack(topology, 'observability');
    const probed = plan.workloads.filter((container) => composeHealth(container).kind === 'host-probe');
    expect(probed.length).toBeGreaterThan(0);
    const urls = probed.map((container) => ((health => health.kind === 'host-probe' ? health.url : '')(composeHealth(container))));
    const engine = scriptedEngine([
      plan.workloads.map((container) => summary(container.name, composeHealth(container).kind === 'host-probe' ? { health: 'none', status: 'Up 1 minute' } : {})),
    ]);
    const http = fakeHttp(Object.fromEntries(urls.map((url, index) => [url, index > 0])));
    const ctx = testContext({ engine, http }, { root: stackRoot(['observability']), topology, dotenv: testEnv });
    const status: StackStatus = await health.handler({ profile: 'observability' }, ctx);
    expect(http.asked.sort()).toEqual([...urls].sort());
    expect(status.containers.find((row) => row.name === probed[0]?.name)?.ready).toBe(false);
    expect(health.exitCode?.(status)).toBe(1);
  });

  it('health asks for no http client when no shell-less container runs', async () => {
    const plan = planStack(topology, 'lite');
    const engine = scriptedEngine([plan.workloads.map((container) => summary(container.name))]);
    const ctx = testContext({ engine }, { root: stackRoot(['lite']), topology, dotenv: testEnv });
    expect(health.exitCode?.(await health.handler({ profile: 'lite' }, ctx))).toBe(0);
  });

  it("proto compiles through the buf client, its temporary files included, and reports buf's problems one per line", async () => {
    const root = stackRoot();
    mkdirSync(join(root, 'protos'));
    writeFileSync(join(root, 'protos', 'buf.yaml'), 'version: v2\n');
    mkdirSync(join(root, 'services', 'proto'), { recursive: true });
    writeFileSync(join(root, 'services', 'proto', 'package.json'), '{}\n');
    const asked: string[] = [];
    const buf = strictFake<BufClient>('buf', {
      compile: async (moduleDir) => {
        asked.push(moduleDir);
        return { ok: false, problems: ['payment/v1/payment.proto:3:1: syntax error', 'second problem'] };
      },
    });
    const error = await proto.handler({ check: true }, testContext({ buf }, { root })).catch((caught: unknown) => caught);
    expect(asked).toEqual(['protos']);
    expect(error).toMatchObject({ problems: ['payment/v1/payment.proto:3:1: syntax error', 'second problem'] });
  });
});
