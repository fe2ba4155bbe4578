import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/command.js';
import { createBufClient } from '../../src/clients/buf-client.js';
import { createNpmClient } from '../../src/clients/npm-client.js';
import { runCli, strictFake } from '../support/run-cli.js';

// `innover new service` in a scratch copy of this repository: the tracked (and new, unignored) files,
// the build outputs so `tsc -b` is incremental, and node_modules as hard links (but for npm's hidden
// lockfile, which it rewrites in place; the packages it replaces, never rewrites).
const repository = fileURLToPath(new URL('../../..', import.meta.url));
let scratch: string;

function run(file: string, args: string[]): string {
  return execFileSync(file, args, { cwd: scratch, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The tree, path by path (digests of the bytes, symlinks by target); of node_modules what npm install changes there. */
function fingerprint(): Record<string, string> {
  const tree: Record<string, string> = {};
  const walk = (relative: string) => {
    const absolute = join(scratch, relative);
    const stats = lstatSync(absolute, { throwIfNoEntry: false });
    if (!stats) return;
    if (stats.isSymbolicLink()) tree[relative] = `-> ${readlinkSync(absolute)}`;
    else if (stats.isDirectory()) {
      tree[`${relative}/`] = 'folder';
      for (const entry of readdirSync(absolute).sort()) {
        const child = relative ? `${relative}/${entry}` : entry;
        if (child === 'node_modules') for (const kept of ['node_modules/@innover', 'node_modules/.package-lock.json']) walk(kept);
        else if (!child.endsWith('/dist') && !child.endsWith('.tsbuildinfo')) walk(child);
      }
    } else tree[relative] = createHash('sha256').update(readFileSync(absolute)).digest('hex');
  };
  walk('');
  return tree;
}

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'innover-new-service-'));
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: repository, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const file of files) {
    if (!existsSync(join(repository, file))) continue;
    mkdirSync(dirname(join(scratch, file)), { recursive: true });
    cpSync(join(repository, file), join(scratch, file), { verbatimSymlinks: true });
  }
  for (const folder of readdirSync(join(repository, 'services')).map((name) => `services/${name}`).concat('cli')) {
    for (const output of ['dist', 'tsconfig.tsbuildinfo']) {
      if (existsSync(join(repository, folder, output))) cpSync(join(repository, folder, output), join(scratch, folder, output), { recursive: true, preserveTimestamps: true });
    }
  }
  for (const folder of ['.', 'cli', ...readdirSync(join(repository, 'services')).map((name) => `services/${name}`)]) {
    if (!existsSync(join(repository, folder, 'node_modules'))) continue;
    execFileSync('cp', ['-al', join(repository, folder, 'node_modules'), join(scratch, folder, 'node_modules')]);
    // npm rewrites its hidden lockfile in place: a copy of its own, or the repository's would change through the link.
    const hidden = join(scratch, folder, 'node_modules/.package-lock.json');
    if (existsSync(hidden)) {
      rmSync(hidden);
      cpSync(join(repository, folder, 'node_modules/.package-lock.json'), hidden);
    }
  }
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
    const after = fingerprint();
    // The API config is the user's: its entry goes, the comment generate put above it stays.
    expect(readFileSync(join(scratch, 'wso2/api-config.yaml'), 'utf8')).not.toContain('ledger-audit');
    expect({ ...after, 'wso2/api-config.yaml': '' }).toEqual({ ...before, 'wso2/api-config.yaml': '' });
    for (const check of [['generate', '--check'], ['k8s', 'render', '--check'], ['proto', '--check']]) run('node', ['bin/innover.js', ...check]);
  }, 600_000);
});
