import { describe, expect, it } from 'vitest';
import { planFiles } from '../../src/generate/plan-files.js';
import { planStack } from '../../src/plan/plan-stack.js';
import { renderConfigFile } from '../../src/render/config-files.js';
import { renderProfileFiles } from '../../src/render/profile-files.js';
import { defaultStack } from '../topology/fixtures.js';

describe('renderConfigFile', () => {
  const topology = defaultStack();

  it('gives every config file of the default profile the bytes generate writes at its path', () => {
    const plan = planStack(topology, topology.defaultProfile);
    const written = new Map(planFiles(topology, undefined).map((file) => [file.path, file.content]));
    expect(plan.files.map((file) => file.id).sort()).toEqual(['cockroach-bootstrap', 'collector', 'jaeger', 'nginx', 'realm', 'wso2-deployment']);
    for (const file of plan.files) expect(renderConfigFile(topology, plan, file), file.id).toBe(written.get(file.path));
  });

  it("renders another profile's own files as up writes them under .innover/", () => {
    const plan = planStack(topology, 'lite');
    const written = new Map(renderProfileFiles(topology, 'lite').map((file) => [file.path, file.content]));
    const nginx = plan.files.find((file) => file.id === 'nginx')!;
    expect(nginx.path).toBe('.innover/nginx.lite.conf');
    expect(renderConfigFile(topology, plan, nginx)).toBe(written.get(nginx.path));
    expect(renderConfigFile(topology, plan, plan.files.find((file) => file.id === 'postgres-init')!)).toContain('SERVICE_DB_PASSWORD');
  });
});
