import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyRepository, treeFingerprint } from '../../../test/support/scratch-repository.js';
import { UserError } from '../../src/command.js';
import { createBufClient } from '../../src/clients/buf-client.js';
import { createNpmClient } from '../../src/clients/npm-client.js';
import { runCli, strictFake } from '../support/run-cli.js';

// `innover new service` in a scratch copy of this repository (test/support/scratch-repository.ts).
let scratch: string;

function run(file: string, args: string[]): string {
  return execFileSync(file, args, { cwd: scratch, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

const fingerprint = () => treeFingerprint(scratch);

beforeAll(() => {
  scratch = copyRepository('innover-new-service-');
}, 120_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('innover new service', () => {
  it('--dry-run lists the plan and writes nothing; a refusal writes nothing either', async () => {
    const before = fingerprint();
    const dry = await runCli(['--json', 'new', 'service', 'ledger-audit', '--dry-run'], { root: scratch });
    expect(dry.exitCode).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ name: 'ledger-audit', hostPort: 8107, dryRun: true, edits: ['innover.yaml', 'package.json', 'tsconfig.json', 'wso2/api-config.yaml'] });
    const refused = await runCli(['new', 'service', 'forex'], { root: scratch });
    expect(refused).toMatchObject({ exitCode: 1, stdout: '' });
    expect(refused.stderr).toEqual(["innover: name: 'forex' is already a service in innover.yaml: pick another name (or innover remove service forex first)"]);
    expect(fingerprint()).toEqual(before);
  });

  it('leaves the tree byte-identical when a step after the writes and npm install fails', async () => {
    const before = fingerprint();
    const failing = strictFake<ReturnType<typeof createBufClient>>('buf', {
      compile: async () => {
        throw new UserError('buf: injected failure');
      },
    });
    const failed = await runCli(['new', 'service', 'ledger-audit'], { root: scratch, clients: { npm: createNpmClient(scratch), buf: failing } });
    expect(failed).toMatchObject({ exitCode: 1, stderr: ['innover: buf: injected failure'] });
    expect(existsSync(join(scratch, 'services/ledger-audit'))).toBe(false);
    expect(existsSync(join(scratch, 'node_modules/@innover/ledger-audit'))).toBe(false);
    expect(fingerprint()).toEqual(before);
  }, 180_000);

  it('adds a service that builds, matches the drift checks and passes its own component test; remove service undoes it', async () => {
    const before = fingerprint();
    const added = await runCli(['new', 'service', 'ledger-audit'], { root: scratch });
    expect(added.stderr).toEqual([]);
    expect(added.exitCode).toBe(0);
    expect(added.stdout).toContain('service ledger-audit added on host port 8107');
    expect(readFileSync(join(scratch, 'package-lock.json'), 'utf8')).toContain('"node_modules/@innover/ledger-audit"');
    expect(readFileSync(join(scratch, 'keycloak/realm-export.json'), 'utf8')).toContain('"ledger-audit-write"');
    expect(readFileSync(join(scratch, 'nginx/innover.conf'), 'utf8')).toContain('/svc/ledger-audit/');
    expect(readFileSync(join(scratch, 'services/proto/src/generated/topics.json'), 'utf8')).toContain('ledger-audit.note-created.v1');

    run('npx', ['tsc', '-b']);
    run('npx', ['tsc', '-p', 'tsconfig.test.json']);
    for (const check of [['generate', '--check'], ['k8s', 'render', '--check'], ['proto', '--check']]) run('node', ['bin/innover.js', ...check]);
    run('npx', ['eslint', 'services/ledger-audit']);
    const component = run('npx', ['vitest', 'run', '--project', 'unit', 'services/ledger-audit']);
    expect(component).toMatch(/3 passed/);

    const again = await runCli(['new', 'service', 'ledger-audit'], { root: scratch });
    expect(again.stderr.join('\n')).toContain("name: 'ledger-audit' is already a service in innover.yaml");

    const dry = await runCli(['remove', 'service', 'ledger-audit', '--dry-run'], { root: scratch });
    expect(dry.stdout.split('\n').slice(0, 2)).toEqual(['would remove services/ledger-audit/', 'would remove protos/ledger-audit/']);
    const removed = await runCli(['remove', 'service', 'ledger-audit'], { root: scratch });
    expect(removed).toMatchObject({ exitCode: 0, stderr: [] });
    expect(fingerprint()).toEqual(before);
    for (const check of [['generate', '--check'], ['k8s', 'render', '--check'], ['proto', '--check']]) run('node', ['bin/innover.js', ...check]);
  }, 600_000);
});
