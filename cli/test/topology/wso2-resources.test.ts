import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderComposeFile, type ComposeFile } from '../../src/targets/compose/render.js';
import { wso2JvmMemoryOptions } from '../../src/components/wso2.js';
import { planStack } from '../../src/plan/plan-stack.js';
import { defaultStack, topologyFrom } from './fixtures.js';
import { composePlan } from '../../src/targets/compose/compose-plan.js';

const wso2Of = (topology = defaultStack()) => composePlan(planStack(topology, 'full')).containers.find((container) => container.name === 'wso2am')!;

describe('WSO2 resources and readiness', () => {
  it("runs under 3 GiB with a 2048m heap, as WSO2's 4.5 Helm chart does", () => {
    const wso2 = wso2Of();
    expect(wso2.resources).toEqual({ cpus: 2, memory: '3g' });
    expect(wso2.environment).toEqual({ JVM_MEM_OPTS: '-Xms2048m -Xmx2048m' });
    const compose = parse(renderComposeFile(defaultStack(), 'full'), { merge: true }) as ComposeFile;
    expect(compose.services['wso2am']!.deploy.resources.limits).toEqual({ cpus: 2, memory: '3g' });
    expect(compose.services['wso2am']!.environment).toEqual({ JVM_MEM_OPTS: '-Xms2048m -Xmx2048m' });
  });

  it('keeps the heap at two thirds of an overridden limit', () => {
    expect(wso2JvmMemoryOptions('3g')).toBe('-Xms2048m -Xmx2048m');
    expect(wso2JvmMemoryOptions('1536m')).toBe('-Xms1024m -Xmx1024m');
    const small = wso2Of(topologyFrom({ infrastructure: { wso2: { resources: { cpus: 1.5, memory: '2g' } } } }));
    expect(small.environment['JVM_MEM_OPTS']).toBe('-Xms1365m -Xmx1365m');
    // cpus are rendered as given, never clamped.
    expect(small.resources.cpus).toBe(1.5);
  });

  it('is healthy only when the readiness endpoint answers, asked with the curl in the image', () => {
    expect(wso2Of().runtime.healthcheck?.test).toEqual([
      'CMD',
      'curl',
      '-fsk',
      '-o',
      '/dev/null',
      'https://localhost:9443/api/am/gateway/v2/server-startup-healthcheck',
    ]);
  });

  it('renders any cpus the topology gives, as they are', () => {
    const topology = topologyFrom({ resources: { db: { cpus: 12, memory: '1g' } }, infrastructure: { keycloak: { resources: { cpus: 0.75, memory: '1g' } } } });
    const compose = parse(renderComposeFile(topology, 'full'), { merge: true }) as ComposeFile;
    expect(compose.services['cockroach1']!.deploy.resources.limits.cpus).toBe(12);
    expect(compose.services['keycloak']!.deploy.resources.limits.cpus).toBe(0.75);
  });
});
