import { describe, expect, it } from 'vitest';
import { defaultModules } from '../../src/components/index.js';
import { planStack } from '../../src/plan/plan-stack.js';
import { componentNames, databaseSchema, infrastructureSchema } from '../../src/topology/schema.js';
import { defaultTopology } from '../../src/topology/default-topology.js';
import { defaultStack, topologyFrom } from '../topology/fixtures.js';

describe('the default component modules', () => {
  it('implement exactly the components a profile may name', () => {
    expect(new Set(defaultModules.map((module) => module.component))).toEqual(new Set(componentNames));
  });

  it("make up the topology's database and infrastructure sections, with their defaults", () => {
    const slices = defaultModules.flatMap((module) => (module.slice ? [module.slice] : []));
    const keys = (section: string) => slices.filter((slice) => slice.section === section).map((slice) => slice.key).sort();
    expect(keys('infrastructure')).toEqual(Object.keys(infrastructureSchema.shape).sort());
    expect(keys('database')).toEqual(Object.keys(databaseSchema.shape).filter((key) => key !== 'engine').sort());
    for (const slice of slices) {
      const section = slice.section === 'database' ? databaseSchema.shape : infrastructureSchema.shape;
      expect(section[slice.key as keyof typeof section], slice.key).toBe(slice.schema);
      expect((defaultTopology[slice.section] as Record<string, unknown>)[slice.key], slice.key).toBe(slice.defaults);
    }
  });

  it('reserve every workload name they create, so no service can take one', () => {
    for (const topology of [defaultStack(), topologyFrom({ database: { cockroach: { nodes: 5 } } })]) {
      for (const profile of ['full', 'lite']) {
        for (const workload of planStack(topology, profile).workloads.filter((entry) => entry.component !== 'services')) {
          const module = defaultModules.find((candidate) => candidate.component === workload.component && candidate.reservedNames?.some((reserved) => (typeof reserved === 'string' ? reserved === workload.name : reserved.test(workload.name))));
          expect(module, workload.name).toBeDefined();
        }
      }
    }
  });

  it('give every exec command its entry point, and db-shell one per service', () => {
    const topology = defaultStack();
    for (const profile of ['full', 'lite']) {
      const entries = planStack(topology, profile).componentPlans.flatMap((component) => component.entryPoints);
      expect(entries.filter((entry) => entry.name === 'db-shell')).toHaveLength(1 + topology.services.length);
      expect(entries.map((entry) => entry.name)).toEqual(expect.arrayContaining(['redis-cli', 'kafka-topics']));
    }
    const cockroach = planStack(topology, 'full').componentPlans.find((component) => component.name === 'cockroachdb')!;
    expect(cockroach.entryPoints[0]).toEqual({ name: 'db-shell', workload: 'cockroach1', command: ['cockroach', 'sql', '--insecure', '--host=cockroach1:26257'] });
  });

  it('state each secret a workload reads as a reference, listed on the workload', () => {
    const plan = planStack(defaultStack(), 'full');
    const byName = new Map(plan.workloads.map((workload) => [workload.name, workload]));
    expect(byName.get('redis')!.secrets).toEqual(['REDIS_PASSWORD']);
    expect(byName.get('redis')!.environment['REDISCLI_AUTH']).toEqual({ secret: 'REDIS_PASSWORD' });
    expect(byName.get('cockroach-bootstrap')!.secrets).toEqual(['COCKROACH_LICENSE']);
    expect(byName.get('payment')!.secrets).toEqual(['REDIS_PASSWORD', 'PAYMENT_CLIENT_SECRET']);
    for (const workload of plan.workloads) {
      for (const value of Object.values(workload.environment)) if (typeof value === 'string') expect(value, workload.name).not.toMatch(/\$\{/);
    }
  });
});
