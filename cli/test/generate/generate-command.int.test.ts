import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createContext } from '../../src/context.js';
import { UserError } from '../../src/command.js';
import { captureOutput, runCli } from '../support/run-cli.js';

// In-process CLI runs against a temporary project folder: real files, no other peers.
const roots: string[] = [];
function project(files: Record<string, string> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'innover-generate-'));
  roots.push(root);
  for (const [path, content] of Object.entries(files)) writeFileSync(join(root, path), content);
  return root;
}
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe('innover generate', () => {
  it('writes every file, then --check finds no drift; an edit is named and exits 1', async () => {
    const root = project();
    const first = await runCli(['generate'], { root });
    expect(first.exitCode).toBe(0);
    expect(first.stdout).toContain('wrote docker-compose.yml');
    expect(existsSync(join(root, 'wso2/api-config.yaml'))).toBe(true);
    expect(statSync(join(root, 'database/postgres-init.sh')).mode & 0o111).not.toBe(0);

    const before = readFileSync(join(root, 'docker-compose.yml'));
    const again = await runCli(['generate', '--json'], { root });
    expect(JSON.parse(again.stdout)).toMatchObject({ written: [], drifted: [], apiConfig: 'kept' });
    expect(readFileSync(join(root, 'docker-compose.yml')).equals(before)).toBe(true);

    expect(await runCli(['generate', '--check'], { root })).toMatchObject({ exitCode: 0, stdout: '10 generated files match the topology\n' });

    writeFileSync(join(root, 'nginx/innover.conf'), '# hand edit\n');
    rmSync(join(root, 'otel/collector.yaml'));
    const check = await runCli(['generate', '--check'], { root });
    expect(check.exitCode).toBe(1);
    expect(check.stdout).toBe('drifted: nginx/innover.conf\ndrifted: otel/collector.yaml\n2 generated files differ from the topology: run innover generate\n');
    expect(readFileSync(join(root, 'nginx/innover.conf'), 'utf8')).toBe('# hand edit\n');
  });

  it("never rewrites the user's API config; a new service's API is appended", async () => {
    const root = project();
    await runCli(['generate'], { root });
    const path = join(root, 'wso2/api-config.yaml');
    const userText = `${readFileSync(path, 'utf8')}# my note: keep me\n`;
    writeFileSync(path, userText);
    const sevenServices = [
      ['profile', 8101], ['payment', 8102], ['ledger', 8103], ['wallet', 8104], ['rule-engine', 8105], ['forex', 8106], ['fraud-check', 8107],
    ];
    writeFileSync(
      join(root, 'innover.yaml'),
      `services:\n${sevenServices.map(([name, port]) => `  - name: ${name}\n    hostPort: ${port}\n`).join('')}`,
    );
    const run = await runCli(['generate', '--json'], { root });
    expect(run.exitCode).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ apiConfig: 'extended' });
    const extended = readFileSync(path, 'utf8');
    expect(extended.startsWith(userText.trimEnd())).toBe(true);
    expect(extended).toContain('/api/fraud-check');
    expect(readFileSync(join(root, 'docker-compose.yml'), 'utf8')).toContain('fraud-check-worker:');
    // A user file is not drift-checked.
    writeFileSync(path, `${extended}# another note\n`);
    expect((await runCli(['generate', '--check'], { root })).exitCode).toBe(0);
  });

  it('refuses a user API config that is not YAML, naming the file and the fix', async () => {
    const root = project();
    await runCli(['generate'], { root });
    writeFileSync(join(root, 'wso2/api-config.yaml'), 'apis: [unclosed\n');
    const run = await runCli(['generate'], { root });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toHaveLength(1);
    expect(run.stderr[0]).toMatch(/^innover: wso2\/api-config\.yaml: not valid YAML: .*: fix the file or delete it to regenerate$/);
  });

  it("validates the user's API config against the publish-apis schema: one line per problem with its path, nothing written", async () => {
    const root = project();
    await runCli(['generate'], { root });
    writeFileSync(join(root, 'wso2/api-config.yaml'), 'apis:\n  - name: X\n    context: /x\n    endpoint: ftp://x\n    colour: red\n');
    rmSync(join(root, 'docker-compose.yml'));
    const run = await runCli(['generate'], { root });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toEqual([
      'innover: wso2/api-config.yaml: apis[0].endpoint: use an http(s) URL such as http://profile:8000',
      'innover: wso2/api-config.yaml: apis[0]: unknown field \'colour\': remove or fix the spelling',
    ]);
    expect(existsSync(join(root, 'docker-compose.yml'))).toBe(false);
  });

  it('says which generated file drifted, in words that agree with the count', async () => {
    const root = project();
    await runCli(['generate'], { root });
    writeFileSync(join(root, 'nginx/innover.conf'), '# edited\n');
    const run = await runCli(['generate', '--check'], { root });
    expect(run).toMatchObject({ exitCode: 1, stdout: 'drifted: nginx/innover.conf\n1 generated file differs from the topology: run innover generate\n' });
  });

  it('a gateway config path that is a folder: one line with the fix, not an internal error', async () => {
    const root = project();
    mkdirSync(join(root, 'wso2/api-config.yaml'), { recursive: true });
    const run = await runCli(['generate'], { root });
    expect(run).toMatchObject({ exitCode: 1, stderr: ['innover: wso2/api-config.yaml: cannot be read (EISDIR): make it a file you can read, or delete it'] });
  });

  it('works without .env', async () => {
    const root = project();
    expect((await runCli(['generate'], { root })).exitCode).toBe(0);
    expect(existsSync(join(root, '.env'))).toBe(false);
  });
});

describe('a bad topology: one line per problem with its path, exit 1, no stack trace', () => {
  it.each([
    ['a wrong type', 'services:\n  - name: a\n    hostPort: 8101\n  - name: b\n    hostPort: 8102\n  - name: c\n    hostPort: 8103\n  - name: d\n    hostPort: high\n', ['innover: innover.yaml: services[3].hostPort: expected number, received string']],
    ['an unknown field', 'colour: red\n', ["innover: innover.yaml: unknown field 'colour': remove or fix the spelling"]],
    ['two problems', 'services:\n  - name: A\n    hostPort: 0\n', ['innover: innover.yaml: services[0].name: use lowercase letters, digits and dashes, starting with a letter', 'innover: innover.yaml: services[0].hostPort: expected number to be >=1']],
    ['invalid YAML', 'services: [\n', [expect.stringMatching(/^innover: innover\.yaml: not valid YAML: .+ at line 2, column 1: fix the syntax there$/)]],
    ['not a mapping', '- 1\n', ['innover: innover.yaml: the topology must be a mapping of fields (see innover.schema.json)']],
  ])('%s', async (_, yaml, lines) => {
    const root = project({ 'innover.yaml': yaml });
    const run = await runCli(['generate'], { root });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toEqual(lines);
    expect(run.stderr.join('\n')).not.toMatch(/\n\s+at /);
    expect(existsSync(join(root, 'docker-compose.yml'))).toBe(false);
  });
});

describe('an unreadable innover.yaml', () => {
  it('is one line with the fix, exit 1', async () => {
    const root = project();
    mkdirSync(join(root, 'innover.yaml'));
    expect(await runCli(['generate'], { root })).toMatchObject({ exitCode: 1, stderr: ['innover: innover.yaml: cannot be read (EISDIR): make it a file you can read'] });
  });
});

describe('innover init', () => {
  it('writes .env from .env.example with fresh secrets, private, and never overwrites it', async () => {
    const root = project();
    await runCli(['generate'], { root });
    const run = await runCli(['init', '--json'], { root });
    expect(run.exitCode).toBe(0);
    const result = JSON.parse(run.stdout) as { created: boolean; secrets: string[]; template: string };
    expect(result).toMatchObject({ created: true, template: '.env.example' });
    expect(result.secrets).toContain('WSO2_AM_CLIENT_SECRET');
    const text = readFileSync(join(root, '.env'), 'utf8');
    expect(text).not.toMatch(/changeme/);
    expect(run.stdout).not.toContain(/WSO2_AM_CLIENT_SECRET=(.*)/.exec(text)![1]);
    expect(statSync(join(root, '.env')).mode & 0o077).toBe(0);
    await expect(createContext({ root, out: captureOutput() }).dotenv()).resolves.toMatchObject({ KEYCLOAK_URL: 'http://localhost:8080/auth' });

    const second = await runCli(['init'], { root });
    expect(second).toMatchObject({ exitCode: 0, stdout: '.env is up to date: no placeholder to fill, no key missing from .env.example; left as is\n' });
    expect(readFileSync(join(root, '.env'), 'utf8')).toBe(text);
  });

  it('on an existing .env: fills placeholders, adds what .env.example gained, keeps the rest and the mode, names keys only', async () => {
    const root = project();
    await runCli(['generate'], { root });
    await runCli(['init'], { root });
    const path = join(root, '.env');
    const kept = /^REDIS_PASSWORD=(.*)$/m.exec(readFileSync(path, 'utf8'))![1]!;
    const old = `# my notes, kept\n${readFileSync(path, 'utf8')
      .replace(/^POSTGRES_PASSWORD=.*$/m, 'POSTGRES_PASSWORD=changeme')
      .replace(/^SMOKE_CLIENT_SECRET=.*$/m, 'SMOKE_CLIENT_SECRET=<secret>')
      // An endpoint from before Keycloak moved under /auth: refused now, carried to the topology's value.
      .replace(/^KEYCLOAK_URL=.*$/m, 'KEYCLOAK_URL=http://localhost:8080')
      .replace(/^# Client secrets.*\nWSO2_AM_CLIENT_SECRET=.*\n/m, '')
      .replace(/^\n# CockroachDB licence.*\nCOCKROACH_LICENSE=\n/m, '')}MY_OWN_SETTING=unknown to innover\n`;
    writeFileSync(path, old);
    chmodSync(path, 0o640);

    const run = await runCli(['init', '--json'], { root });
    expect(run.exitCode).toBe(0);
    const result = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(result).toEqual({
      path: '.env',
      created: false,
      updated: true,
      secrets: ['POSTGRES_PASSWORD', 'SMOKE_CLIENT_SECRET', 'WSO2_AM_CLIENT_SECRET'],
      replaced: ['POSTGRES_PASSWORD', 'SMOKE_CLIENT_SECRET'],
      added: ['WSO2_AM_CLIENT_SECRET', 'COCKROACH_LICENSE'],
      refreshed: ['KEYCLOAK_URL'],
      downFirst: ['POSTGRES_PASSWORD'],
      problems: [],
      template: '.env.example',
    });
    const text = readFileSync(path, 'utf8');
    expect(text.startsWith('# my notes, kept\n')).toBe(true);
    expect(text).toContain(`REDIS_PASSWORD=${kept}\n`);
    expect(text).toContain('MY_OWN_SETTING=unknown to innover\n');
    expect(text).toMatch(/^COCKROACH_LICENSE=$/m);
    expect(text).toMatch(/^KEYCLOAK_URL=http:\/\/localhost:8080\/auth$/m);
    expect(text).not.toMatch(/changeme|<secret>/);
    for (const key of ['POSTGRES_PASSWORD', 'SMOKE_CLIENT_SECRET', 'WSO2_AM_CLIENT_SECRET']) {
      expect(run.stdout + run.stderr.join('\n')).not.toContain(new RegExp(`^${key}=(.*)$`, 'm').exec(text)![1]);
    }
    expect(statSync(path).mode & 0o777).toBe(0o640);
    expect(readdirSync(root).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    await expect(createContext({ root, out: captureOutput() }).dotenv()).resolves.toMatchObject({ COCKROACH_LICENSE: '' });

    const again = await runCli(['init'], { root });
    expect(again).toMatchObject({ exitCode: 0, stdout: '.env is up to date: no placeholder to fill, no key missing from .env.example; left as is\n' });
    expect(readFileSync(path, 'utf8')).toBe(text);
  });

  it('says in words which keys it changed, and to run innover down when a volume holds the old value', async () => {
    const root = project();
    await runCli(['init'], { root });
    const path = join(root, '.env');
    writeFileSync(path, readFileSync(path, 'utf8').replace(/^KEYCLOAK_ADMIN_PASSWORD=.*$/m, 'KEYCLOAK_ADMIN_PASSWORD=').replace(/^REDIS_PASSWORD=.*\n/m, ''));
    const run = await runCli(['init'], { root });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe(
      [
        'updated .env; every other line is kept as it was',
        '  fresh random values for the placeholders KEYCLOAK_ADMIN_PASSWORD',
        '  added REDIS_PASSWORD from the built-in template (fresh random REDIS_PASSWORD)',
        'KEYCLOAK_ADMIN_PASSWORD changed, but existing volumes keep the old value: run `innover down` (it removes the volumes) before `innover up`',
        '',
      ].join('\n'),
    );
  });

  it('keeps a real value it cannot fix, and names it', async () => {
    const root = project();
    await runCli(['init'], { root });
    const path = join(root, '.env');
    const text = readFileSync(path, 'utf8').replace(/^REDIS_PASSWORD=.*$/m, 'REDIS_PASSWORD=short');
    writeFileSync(path, text);
    const run = await runCli(['init'], { root });
    expect(run.stdout).toBe(
      '.env is up to date: no placeholder to fill, no key missing from the built-in template; left as is\n' +
        'still to fix by hand: .env: REDIS_PASSWORD: too short: use at least 12 random characters\n',
    );
    expect(readFileSync(path, 'utf8')).toBe(text);
  });

  it("appends the client secrets of the topology's callers to a .env from before services[].calls, fresh and never printed", async () => {
    const root = project();
    await runCli(['generate'], { root });
    await runCli(['init'], { root });
    const path = join(root, '.env');
    const beforeCalls = (text: string) => text.replace(/^\n# Client secrets of the services.*\n(?:[A-Z_]+_CLIENT_SECRET=.*\n)+/m, '');
    writeFileSync(path, beforeCalls(readFileSync(path, 'utf8')));
    // A stale .env.example too: the built-in template, which follows the topology, supplies them.
    writeFileSync(join(root, '.env.example'), beforeCalls(readFileSync(join(root, '.env.example'), 'utf8')));
    await expect(createContext({ root, out: captureOutput() }).dotenv()).rejects.toThrow(UserError);

    const run = await runCli(['init', '--json'], { root });
    expect(run.exitCode).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ updated: true, added: ['PAYMENT_CLIENT_SECRET', 'WALLET_CLIENT_SECRET'], secrets: ['PAYMENT_CLIENT_SECRET', 'WALLET_CLIENT_SECRET'], problems: [] });
    const env = await createContext({ root, out: captureOutput() }).dotenv();
    for (const key of ['PAYMENT_CLIENT_SECRET', 'WALLET_CLIENT_SECRET'] as const) {
      expect(env[key]).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(run.stdout).not.toContain(env[key]!);
    }

    // A service that gains calls in innover.yaml gets its secret on the next init.
    writeFileSync(join(root, 'innover.yaml'), 'services:\n  - { name: profile, hostPort: 8101, calls: [{ service: ledger, access: read }] }\n  - { name: ledger, hostPort: 8103 }\n');
    const gained = await runCli(['init', '--json'], { root });
    expect(JSON.parse(gained.stdout)).toMatchObject({ added: ['PROFILE_CLIENT_SECRET'], secrets: ['PROFILE_CLIENT_SECRET'] });
    await expect(createContext({ root, out: captureOutput() }).dotenv()).resolves.toMatchObject({ PROFILE_CLIENT_SECRET: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/) });
  });

  it('works without .env.example, from the built-in template', async () => {
    const root = project();
    const run = await runCli(['init', '--json'], { root });
    expect(JSON.parse(run.stdout)).toMatchObject({ created: true, template: 'built-in' });
  });
});

describe('a bad .env: one line per problem naming the key and the fix, exit 1', () => {
  async function problems(root: string): Promise<{ problems: readonly string[]; exitCode: number }> {
    try {
      await createContext({ root, out: captureOutput() }).dotenv();
    } catch (error) {
      if (error instanceof UserError) return { problems: error.problems, exitCode: error.exitCode };
      throw error;
    }
    throw new Error('expected .env to be refused');
  }
  async function withEnv(edit: (text: string) => string): Promise<string> {
    const root = project();
    await runCli(['init'], { root });
    const path = join(root, '.env');
    chmodSync(path, 0o600);
    writeFileSync(path, edit(readFileSync(path, 'utf8')));
    return root;
  }

  it('a missing .env', async () => {
    expect(await problems(project())).toEqual({ problems: ['.env: not found: run innover init to create it with fresh secrets'], exitCode: 1 });
  });

  it('an unreadable .env', async () => {
    const root = project();
    mkdirSync(join(root, '.env'));
    expect(await problems(root)).toEqual({ problems: ['.env: cannot be read (EISDIR): make it a file you can read, or delete it and run innover init'], exitCode: 1 });
  });

  it.each([
    ['an empty WSO2 admin password', (text: string) => text.replace(/^WSO2_ADMIN_PASSWORD=.*$/m, 'WSO2_ADMIN_PASSWORD='), ['.env: WSO2_ADMIN_PASSWORD: empty: set it in .env (the stock image uses admin)']],
    ['a missing key', (text: string) => text.replace(/^REDIS_PASSWORD=.*\n/m, ''), ['.env: REDIS_PASSWORD: missing: run `innover init` or add it to .env']],
    ['a malformed URL', (text: string) => text.replace(/^WSO2_URL=.*$/m, 'WSO2_URL=not a url'), ['.env: WSO2_URL: not a URL: use e.g. http://localhost:8080']],
    ['a placeholder secret', (text: string) => text.replace(/^WSO2_AM_CLIENT_SECRET=.*$/m, 'WSO2_AM_CLIENT_SECRET=changeme'), ['.env: WSO2_AM_CLIENT_SECRET: still a placeholder: set a random value (innover init generates one)']],
    ['an angle-bracket placeholder', (text: string) => text.replace(/^SMOKE_CLIENT_SECRET=.*$/m, 'SMOKE_CLIENT_SECRET=<secret>'), ['.env: SMOKE_CLIENT_SECRET: still a placeholder: set a random value (innover init generates one)']],
    ['an empty secret', (text: string) => text.replace(/^KEYCLOAK_ADMIN_PASSWORD=.*$/m, 'KEYCLOAK_ADMIN_PASSWORD='), ['.env: KEYCLOAK_ADMIN_PASSWORD: empty: set a random value (innover init generates one)']],
  ])('%s', async (_, edit, expected) => {
    expect(await problems(await withEnv(edit))).toEqual({ problems: expected, exitCode: 1 });
  });
  it.each([
    [['configure-keycloak', '--timeout', '1']],
    [['publish-apis', '--dry-run']],
    [['--json', 'publish-apis', '--dry-run']],
  ])('innover %j refuses it before any request: the lines on stderr, exit 1, no stack trace', async (argv) => {
    const root = await withEnv((text) =>
      text.replace(/^REDIS_PASSWORD=.*\n/m, '').replace(/^WSO2_AM_CLIENT_SECRET=(.*)$/m, 'WSO2_AM_CLIENT_SECRET=changeme'),
    );
    const secret = /^SMOKE_CLIENT_SECRET=(.*)$/m.exec(readFileSync(join(root, '.env'), 'utf8'))![1]!;
    await runCli(['generate'], { root });
    const run = await runCli(argv, { root });
    expect(run.exitCode).toBe(1);
    const lines = [
      '.env: REDIS_PASSWORD: missing: run `innover init` or add it to .env',
      '.env: WSO2_AM_CLIENT_SECRET: still a placeholder: set a random value (innover init generates one)',
    ];
    if (argv[0] === '--json') expect(JSON.parse(run.stdout)).toEqual({ error: { problems: lines, exitCode: 1 } });
    else expect(run.stderr).toEqual(lines.map((line) => `innover: ${line}`));
    expect(run.stdout + run.stderr.join('\n')).not.toMatch(/\n\s+at /);
    expect(run.stdout + run.stderr.join('\n')).not.toContain(secret);
  });
});
