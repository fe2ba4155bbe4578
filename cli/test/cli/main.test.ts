import { describe, expect, it } from 'vitest';
import { commands } from '../../src/commands/registry.js';
import { runCli } from '../support/run-cli.js';

const product = [
  'init', 'generate', 'up', 'dev', 'down', 'ps', 'health', 'logs', 'restart', 'rebuild', 'urls', 'nuke', 'smoke',
  'workers', 'test-worker', 'proto', 'db-shell', 'redis-cli', 'kafka-topics', 'publish-apis',
  'configure-keycloak', 'doctor', 'load', 'images push', 'images save', 'images load',
];
/** Subcommands of a group (`innover k8s --help` lists them). */
const grouped = ['k8s render', 'k8s secrets', 'k8s deploy', 'k8s status', 'new service', 'remove service'];

describe('the CLI skeleton', () => {
  it('lists every command of the product with a one-line description', async () => {
    const run = await runCli(['--help']);
    expect(run.exitCode).toBe(0);
    // A group's commands (`images push`) are listed under the group's own line.
    for (const name of new Set(product.map((entry) => entry.split(' ')[0]))) {
      expect(run.stdout).toMatch(new RegExp(`^  ${name}\\b.*\\S`, 'm'));
    }
    expect(commands.map((command) => command.name).sort()).toEqual([...product, ...grouped].sort());
  });

  it('prints the version', async () => {
    const run = await runCli(['--version']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('refuses an unknown command in one line with exit 2', async () => {
    const run = await runCli(['bogus']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toHaveLength(1);
    expect(run.stderr[0]).toMatch(/unknown command 'bogus'.*innover --help/);
  });

  it('refuses a bad flag value in one line with the fix and exit 2', async () => {
    const run = await runCli(['logs', '--tail', 'many']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toEqual([expect.stringMatching(/--tail.*'many'.*whole number/)]);
  });

  it('refuses an unknown option in one line with exit 2', async () => {
    const run = await runCli(['ps', '--colour']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toEqual([expect.stringMatching(/unknown option '--colour'/)]);
  });

  it('answers --json errors as a JSON document', async () => {
    const run = await runCli(['logs', '--tail', 'x', '--json']);
    expect(run.exitCode).toBe(2);
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { exitCode: 2 } });
  });
});
