import { refusal } from './refusal.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderRemoveService } from '../../src/commands/remove-service.js';
import { renderApiConfig } from '../../src/render/api-config.js';
import { planNewService, type RepoSnapshot } from '../../src/scaffold/plan-new-service.js';
import { planRemoveService } from '../../src/scaffold/plan-remove-service.js';
import { validateTopology } from '../../src/topology/validate.js';

const topologyText = `# the user's comment
project: innover
services:
  - name: profile
    hostPort: 8101
  - name: payment
    hostPort: 8102
    calls:
      - { service: profile, access: read }
  - name: ledger
    hostPort: 8103
  - name: wallet
    hostPort: 8104
    consumes: [ledger.transfer-changed.v1]
`;
const packageJson = `${JSON.stringify({ name: 'innover', workspaces: ['services/kit', 'services/profile', 'services/payment', 'cli'] }, null, 2)}\n`;
const tsconfigJson = '{\n  "files": [],\n  "references": [\n    { "path": "services/kit" },\n    { "path": "services/payment" },\n    { "path": "cli" }\n  ]\n}\n';

function snapshot(text = topologyText, overrides: Partial<RepoSnapshot> = {}): RepoSnapshot {
  const topology = validateTopology(parse(text)).value!;
  return {
    topologyText: text,
    topology,
    packageJson,
    tsconfigJson,
    apiConfig: `# mine\n${renderApiConfig(topology, undefined)}`,
    kitPackageJson: '{"version":"0.1.0","dependencies":{"zod":"^4.6.7"}}',
    existing: new Set(),
    ...overrides,
  };
}

describe('planRemoveService', () => {
  it('undoes new service: the topology entry, workspace, reference and API entry go, the rest stays as written', () => {
    const added = planNewService({ name: 'ledger-audit' }, snapshot());
    const after = (path: string) => added.edits.find((edit) => edit.path === path)!.after;
    const snap = snapshot(after('innover.yaml'), {
      packageJson: after('package.json'),
      tsconfigJson: after('tsconfig.json'),
      apiConfig: after('wso2/api-config.yaml'),
      existing: new Set(['services/ledger-audit', 'protos/ledger-audit']),
    });
    const plan = planRemoveService('ledger-audit', snap);
    expect(plan.removes).toEqual(['services/ledger-audit', 'protos/ledger-audit']);
    const edit = (path: string) => plan.edits.find((candidate) => candidate.path === path)!.after;
    expect(edit('innover.yaml')).toBe(topologyText);
    expect(edit('package.json')).toBe(packageJson);
    expect(edit('tsconfig.json')).toBe(tsconfigJson);
    // The entry goes, and the comment new service put above it with it: byte for byte the file before.
    expect(edit('wso2/api-config.yaml')).toBe(snapshot().apiConfig);
    expect(plan.topology.services.map((service) => service.name)).toEqual(['profile', 'payment', 'ledger', 'wallet']);
  });

  it("keeps generate's comment above the appended APIs while one of them is left", () => {
    const text = `${topologyText}  - name: ledger-audit\n    hostPort: 8105\n  - name: fraud\n    hostPort: 8106\n`;
    const base = snapshot().apiConfig!;
    const apiConfig = renderApiConfig(snapshot(text).topology, base);
    const without = (name: string) => planRemoveService(name, snapshot(text, { apiConfig })).edits.find((edit) => edit.path === 'wso2/api-config.yaml')!.after;
    for (const [removed, kept] of [['ledger-audit', 'fraud'], ['fraud', 'ledger-audit']] as const) {
      const after = without(removed);
      expect(after.startsWith(`${base}\n  # added by innover generate for new services\n`), removed).toBe(true);
      expect(after, removed).not.toContain(`http://${removed}:8000`);
      expect(after, removed).toContain(`http://${kept}:8000`);
    }
  });

  it('removes the last reference without leaving a trailing comma', () => {
    const plan = planRemoveService('payment', snapshot(topologyText, { tsconfigJson: '{\n  "references": [\n    { "path": "services/kit" },\n    { "path": "services/payment" }\n  ]\n}\n' }));
    expect(plan.edits.find((edit) => edit.path === 'tsconfig.json')!.after).toBe('{\n  "references": [\n    { "path": "services/kit" }\n  ]\n}\n');
  });

  it('refuses, one line each, an unknown service and one whose events or API another service uses', () => {
    expect(refusal(() => planRemoveService('fraud', snapshot()))).toBe("name: no service 'fraud' in innover.yaml: use one of profile, payment, ledger, wallet");
    expect(refusal(() => planRemoveService('ledger', snapshot()))).toBe(
      "name: wallet consumes ledger's events (ledger.transfer-changed.v1): remove them from its consumes in innover.yaml first",
    );
    expect(refusal(() => planRemoveService('profile', snapshot()))).toBe('name: payment calls profile: remove the call from its calls in innover.yaml first');
  });

  it('lists what it would remove and change in --dry-run', () => {
    expect(renderRemoveService({ name: 'x', dryRun: true, removes: ['services/x'], edits: ['innover.yaml'], steps: ['innover generate'] })).toBe(
      'would remove services/x/\nwould change innover.yaml\nwould run innover generate\ndry run: service x would be removed; nothing written',
    );
  });
});
