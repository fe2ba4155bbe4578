import { refusal } from './refusal.js';
import { describe, expect, it } from 'vitest';
import { parse, parseDocument } from 'yaml';
import { renderNewService } from '../../src/commands/new-service.js';
import { planNewService, takenHostPorts, topologyWithService, type RepoSnapshot } from '../../src/scaffold/plan-new-service.js';
import { serviceNames } from '../../src/scaffold/service-files.js';
import { validateTopology } from '../../src/topology/validate.js';

const topologyText = `# the user's comment
project: innover
services:
  - name: profile
    hostPort: 8101
  # a comment between entries
  - name: payment
    hostPort: 8102
    worker: { concurrency: 32 }
    calls:
      - { service: profile, access: read }
  - name: forex
    hostPort: 8104
`;

const packageJson = `${JSON.stringify({ name: 'innover', workspaces: ['services/kit', 'services/proto', 'services/profile', 'services/payment', 'services/forex', 'cli'] }, null, 2)}\n`;
const tsconfigJson = `{
  "files": [],
  "references": [
    { "path": "services/kit" },
    { "path": "services/forex" },
    { "path": "cli" }
  ]
}
`;
const apiConfig = `# mine, keep it
apis:
  - name: Profile
    context: /api/profile
    endpoint: http://profile:8000
`;

function snapshot(overrides: Partial<RepoSnapshot> = {}): RepoSnapshot {
  const text = overrides.topologyText ?? topologyText;
  const topology = validateTopology(parse(text)).value!;
  return {
    topologyText: text,
    topology,
    packageJson,
    tsconfigJson,
    apiConfig,
    kitPackageJson: JSON.stringify({ name: '@innover/kit', version: '0.1.0', dependencies: { zod: '^4.6.7' } }),
    existing: new Set(),
    ...overrides,
  };
}

describe('planNewService', () => {
  const plan = planNewService({ name: 'ledger-audit' }, snapshot());
  const edit = (path: string) => plan.edits.find((candidate) => candidate.path === path)!;
  const written = (path: string) => plan.writes.find((candidate) => candidate.path === path)!.content;

  it('writes the service folder, a first migration, a component test and the proto module', () => {
    expect(plan.writes.map((file) => file.path)).toEqual([
      'services/ledger-audit/package.json',
      'services/ledger-audit/tsconfig.json',
      'services/ledger-audit/src/service.ts',
      'services/ledger-audit/src/api.ts',
      'services/ledger-audit/src/worker.ts',
      'services/ledger-audit/src/domain/notes.ts',
      'services/ledger-audit/src/data-access/notes.ts',
      'services/ledger-audit/src/entry-points/routes.ts',
      'services/ledger-audit/src/entry-points/tasks.ts',
      'services/ledger-audit/migrations/001_notes.sql',
      'services/ledger-audit/test/ledger-audit.test.ts',
      'protos/ledger-audit/v1/ledger-audit.proto',
    ]);
    expect(JSON.parse(written('services/ledger-audit/package.json'))).toMatchObject({
      name: '@innover/ledger-audit',
      type: 'module',
      dependencies: { '@innover/kit': '^0.1.0', '@innover/proto': '^0.1.0', zod: '^4.6.7' },
    });
    expect(JSON.parse(written('services/ledger-audit/tsconfig.json'))).toMatchObject({ references: [{ path: '../kit' }, { path: '../proto' }] });
    expect(written('services/ledger-audit/src/service.ts')).toContain('export const ledgerAuditService: ServiceDefinition');
    expect(written('services/ledger-audit/src/api.ts')).toContain('await startApi(ledgerAuditService);');
    expect(written('services/ledger-audit/src/worker.ts')).toContain('await startWorker(ledgerAuditService);');
    expect(written('services/ledger-audit/src/entry-points/tasks.ts')).toMatch(/add: defineTask\(addArguments/);
    expect(written('services/ledger-audit/src/entry-points/routes.ts')).toContain("router.get('/hello'");
    expect(written('services/ledger-audit/migrations/001_notes.sql')).toContain('CREATE TABLE IF NOT EXISTS notes');
    const proto = written('protos/ledger-audit/v1/ledger-audit.proto');
    expect(proto).toContain('package innover.ledger_audit.v1;');
    expect(proto).toContain('innover.common.v1.EventMetadata metadata = 1;');
  });

  it('appends the topology entry on the first free port, keeping every other byte of innover.yaml', () => {
    expect(plan.hostPort).toBe(8103);
    const { before, after } = edit('innover.yaml');
    expect(before).toBe(topologyText);
    expect(after).toBe(`${topologyText}  - name: ledger-audit\n    hostPort: 8103\n`);
    expect(plan.topology.services.map((service) => service.name)).toEqual(['profile', 'payment', 'forex', 'ledger-audit']);
  });

  it('adds the workspace and the project reference after the last services/ ones', () => {
    expect((JSON.parse(edit('package.json').after) as { workspaces: string[] }).workspaces).toEqual([
      'services/kit',
      'services/proto',
      'services/profile',
      'services/payment',
      'services/forex',
      'services/ledger-audit',
      'cli',
    ]);
    expect(edit('tsconfig.json').after).toBe(tsconfigJson.replace('    { "path": "services/forex" },\n', '    { "path": "services/forex" },\n    { "path": "services/ledger-audit" },\n'));
  });

  it("appends the API to the user's api-config.yaml, never rewriting what is there", () => {
    const { after } = edit('wso2/api-config.yaml');
    expect(after.startsWith(apiConfig)).toBe(true);
    expect(after.slice(apiConfig.length)).toContain('context: /api/ledger-audit');
    expect(after.slice(apiConfig.length)).toContain('endpoint: http://ledger-audit:8000');
    expect(parseDocument(after).errors).toEqual([]);
    // Absent, the file is written whole, as generate would.
    const fresh = planNewService({ name: 'ledger-audit' }, snapshot({ apiConfig: undefined }));
    expect(fresh.edits.map((change) => change.path)).toEqual(['innover.yaml', 'package.json', 'tsconfig.json']);
    expect(fresh.writes.at(-1)!.path).toBe('wso2/api-config.yaml');
  });

  it('takes --port and --queue-concurrency as given', () => {
    const given = planNewService({ name: 'fraud', port: 8150, queueConcurrency: 4 }, snapshot());
    expect(given.hostPort).toBe(8150);
    expect(given.edits[0]!.after).toBe(`${topologyText}  - name: fraud\n    hostPort: 8150\n    worker:\n      concurrency: 4\n`);
    expect(given.topology.services.at(-1)).toMatchObject({ name: 'fraud', hostPort: 8150, worker: { concurrency: 4 } });
  });

  it('picks past the ports the components take as well as the services', () => {
    const taken = takenHostPorts(snapshot().topology);
    expect(taken.get(8101)).toBe('services[0].hostPort (profile)');
    const crowded = `${topologyText}  - name: a\n    hostPort: 8103\n`;
    expect(planNewService({ name: 'fraud' }, snapshot({ topologyText: crowded })).hostPort).toBe(8105);
  });

  it('refuses in one line with the fix: a name not kebab-case, a clash, a taken port, an existing folder', () => {
    for (const name of ['LedgerAudit', 'ledger_audit', '-x', 'x-', 'a--b', '1x']) {
      expect(refusal(() => planNewService({ name }, snapshot()))).toMatch(/^name: '.*' is not kebab-case: use lowercase words .* e\.g\. ledger-audit$/);
    }
    expect(refusal(() => planNewService({ name: 'forex' }, snapshot()))).toBe("name: 'forex' is already a service in innover.yaml: pick another name (or innover remove service forex first)");
    expect(refusal(() => planNewService({ name: 'redis' }, snapshot()))).toBe("name: 'redis' is a component's name: pick another name");
    expect(refusal(() => planNewService({ name: 'profile-worker' }, snapshot()))).toMatch(/^name: 'profile-worker' would make a container 'profile-worker', which the stack already has: pick another name/);
    expect(refusal(() => planNewService({ name: 'fraud', port: 8102 }, snapshot()))).toBe('--port: host port 8102 is already used by services[1].hostPort (payment): pick another, e.g. --port 8103');
    const nginxPort = snapshot().topology.infrastructure.nginx.hostPort;
    expect(refusal(() => planNewService({ name: 'fraud', port: nginxPort }, snapshot()))).toContain(`host port ${nginxPort} is already used by infrastructure.nginx.hostPort`);
    expect(refusal(() => planNewService({ name: 'fraud' }, snapshot({ existing: new Set(['services/fraud']) })))).toBe('name: services/fraud exists already: pick another name or remove the folder');
  });

  it('inserts after the last service even when other keys and comments follow the list', () => {
    const text = 'services:\n- name: x\n  hostPort: 1 # mine\n# after the list\nproject: p\n';
    expect(topologyWithService(text, { name: 'y', hostPort: 2 })).toBe('services:\n- name: x\n  hostPort: 1 # mine\n- name: y\n  hostPort: 2\n# after the list\nproject: p\n');
    expect(refusal(() => topologyWithService('project: p\n', { name: 'y', hostPort: 2 }))).toMatch(/^innover\.yaml: no block list of services/);
  });

  it('spells the name for identifiers and protobuf', () => {
    expect(serviceNames('ledger-audit')).toEqual({ kebab: 'ledger-audit', camel: 'ledgerAudit', snake: 'ledger_audit', pascal: 'LedgerAudit' });
    expect(serviceNames('delete').camel).toBe('delete');
    expect(planNewService({ name: 'delete' }, snapshot()).writes[2]!.content).toContain('export const deleteService');
  });
});

describe('renderNewService', () => {
  it('lists the files it would write and change, then the steps, in --dry-run', () => {
    const plan = planNewService({ name: 'ledger-audit' }, snapshot());
    const result = { name: plan.name, hostPort: plan.hostPort, dryRun: true, writes: plan.writes.map((file) => file.path), edits: plan.edits.map((edit) => edit.path), steps: ['npm install (package-lock.json)'] };
    const lines = renderNewService(result).split('\n');
    expect(lines[0]).toBe('would write services/ledger-audit/package.json');
    expect(lines.slice(12)).toEqual([
      'would change innover.yaml',
      'would change package.json',
      'would change tsconfig.json',
      'would change wso2/api-config.yaml',
      'would run npm install (package-lock.json)',
      'dry run: service ledger-audit on host port 8103; nothing written',
    ]);
    expect(renderNewService({ ...result, dryRun: false }).split('\n').at(-1)).toBe(
      'service ledger-audit added on host port 8103: innover up --profile lite starts it, innover test-worker ledger-audit prints 3',
    );
  });
});
