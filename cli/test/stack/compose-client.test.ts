import { describe, expect, it } from 'vitest';
import {
  compareVersions,
  composeArguments,
  composeClientOver,
  failureReason,
  missingComposeClient,
  type ComposeProject,
  type ProcessRunner,
} from '../../src/clients/compose-client.js';
import { UserError } from '../../src/command.js';

const project: ComposeProject = { root: '/repo', project: 'innover', file: '/repo/.innover/docker-compose.lite.yml', envFile: '/repo/.env' };
const prefix = ['compose', '--ansi', 'never', '--progress', 'plain', '--project-directory', '/repo', '-p', 'innover', '-f', '/repo/.innover/docker-compose.lite.yml', '--env-file', '/repo/.env'];

describe('compose arguments (argument arrays, never a shell string)', () => {
  it('pins every call to the project, the file and .env', () => {
    expect(composeArguments.up(project, { build: true, removeOrphans: true })).toEqual([...prefix, 'up', '-d', '--build', '--remove-orphans']);
    expect(composeArguments.up(project, { build: false, services: ['payment'], noDeps: true })).toEqual([...prefix, 'up', '-d', '--no-build', '--no-deps', 'payment']);
    expect(composeArguments.down(project, { volumes: true })).toEqual([...prefix, 'down', '--remove-orphans', '--volumes']);
    expect(composeArguments.down(project, { volumes: false })).toEqual([...prefix, 'down', '--remove-orphans']);
    expect(composeArguments.restart(project, ['payment'])).toEqual([...prefix, 'restart', 'payment']);
    expect(composeArguments.build(project, { noCache: true, services: ['ledger'] })).toEqual([...prefix, 'build', '--no-cache', 'ledger']);
  });

  it('lays override files over the profile file, and watches the named services', () => {
    const withOverride: ComposeProject = { ...project, overrides: ['/repo/.innover/docker-compose.lite.dev.yml'] };
    const args = composeArguments.watch(withOverride, { services: ['payment', 'payment-worker'], noUp: true });
    expect(args.slice(0, prefix.length + 2)).toEqual([...prefix.slice(0, -2), '-f', '/repo/.innover/docker-compose.lite.dev.yml', ...prefix.slice(-2)]);
    expect(args.slice(-4)).toEqual(['watch', '--no-up', 'payment', 'payment-worker']);
  });

  it('leaves --env-file out when there is no .env yet', () => {
    const { envFile: _unused, ...withoutEnv } = project;
    expect(composeArguments.down(withoutEnv, { volumes: true })).not.toContain('--env-file');
  });

  it('passes a service name with shell characters as one argument', () => {
    const args = composeArguments.restart(project, ['x; rm -rf /']);
    expect(args.at(-1)).toBe('x; rm -rf /');
  });
});

describe('the compose client', () => {
  const runner = (result: Awaited<ReturnType<ProcessRunner>>, seen: string[][] = []): ProcessRunner => async (_file, args, options) => {
    seen.push([...args]);
    for (const line of result.output.split('\n')) options.onLine?.(line);
    return result;
  };

  it('streams output lines and resolves on exit 0', async () => {
    const lines: string[] = [];
    const seen: string[][] = [];
    const client = composeClientOver(runner({ exitCode: 0, output: ' Container innover-redis-1  Started' }, seen), {});
    await client.up(project, { build: true, onLine: (line) => lines.push(line) });
    expect(lines).toEqual([' Container innover-redis-1  Started']);
    expect(seen[0]).toEqual(composeArguments.up(project, { build: true }));
  });

  it('fails in one line with the reason compose gave', async () => {
    const output = ['#5 building', 'dependency failed to start: container innover-postgres-1 is unhealthy'].join('\n');
    const client = composeClientOver(runner({ exitCode: 1, output }), {});
    const error = await client.up(project, { build: false }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).problems).toEqual(['docker compose up failed (exit 1): dependency failed to start: container innover-postgres-1 is unhealthy']);
  });

  it('says Docker is not reachable, with the fix, when the daemon is down', async () => {
    const client = composeClientOver(runner({ exitCode: 1, output: 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?' }), {});
    await expect(client.down(project, { volumes: true })).rejects.toThrow(
      'Docker is not reachable at /var/run/docker.sock: start the Docker engine (e.g. sudo systemctl start docker) or set DOCKER_HOST',
    );
  });

  it('names what to install when the docker CLI or Compose v2 is missing', async () => {
    const noDocker = composeClientOver(runner({ exitCode: 1, output: '', spawnError: 'ENOENT' }), {});
    await expect(noDocker.version()).rejects.toThrow(/the docker CLI is not installed: install Docker Compose v2/);
    const noCompose = composeClientOver(runner({ exitCode: 1, output: "docker: 'compose' is not a docker command." }), {});
    await expect(noCompose.version()).rejects.toThrow(/Docker Compose v2 is not installed: install Docker Compose v2 >= 2.20/);
    // The fix names packages a user can install, not a path that exists only in innover's own CI.
    await expect(noCompose.version()).rejects.toThrow(/apt-get install docker-compose-plugin; Debian 13: apt-get install docker-compose\)$/);
    await expect(noCompose.version()).rejects.not.toThrow(/shared\/tools/);
  });

  it('as a null object, answers every call with the same one-line reason', async () => {
    const client = missingComposeClient('Docker Compose v2 is not installed: install it');
    for (const call of [client.version(), client.up(project, { build: true }), client.down(project, { volumes: true }), client.restart(project, ['x']), client.build(project, { noCache: true })]) {
      await expect(call).rejects.toThrow('Docker Compose v2 is not installed: install it');
    }
  });

  it('compares versions numerically', () => {
    expect(compareVersions('2.26.1-4', '2.20.0')).toBeGreaterThan(0);
    expect(compareVersions('2.9.0', '2.20.0')).toBeLessThan(0);
    expect(compareVersions('v2.20.0', '2.20.0')).toBe(0);
  });

  it('picks the error line out of build noise', () => {
    expect(failureReason('step 1\nERROR: failed to solve: npm ci exited 1\nsome trailer')).toBe('ERROR: failed to solve: npm ci exited 1');
    expect(failureReason('')).toBe('no output');
  });
});
