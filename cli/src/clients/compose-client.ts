import type { CommandContext } from '../command.js';
import { UserError } from '../command.js';
import { dockerEndpoint, dockerUnreachable, isConnectionError } from './docker-errors.js';

/**
 * One Compose project on disk: `docker compose --project-directory <root> -p <project> -f <file>
 * --env-file <envFile>`. Every compose call names all four so nothing depends on the cwd.
 */
export interface ComposeProject {
  root: string;
  project: string;
  /** Absolute path of the compose file of the profile. */
  file: string;
  /** Absolute path of `.env`; left out when there is none yet (`down` still works). */
  envFile?: string;
  /** Absolute paths of override files laid over `file`, in order (`innover dev`'s watch override). */
  overrides?: readonly string[];
}

/** Streaming and cancellation for the long-running calls. */
export interface ComposeCallOptions {
  /** Each line compose prints (progress goes to stderr; both streams are merged, in order). */
  onLine?: (line: string) => void;
  signal?: AbortSignal;
}

export interface ComposeUpOptions extends ComposeCallOptions {
  /** Only these services (compose service names); all when empty. */
  services?: readonly string[];
  build: boolean;
  /** Start the named services without their dependencies. Beware: compose then hashes their config without depends_on, so a later full `up` recreates them. */
  noDeps?: boolean;
  /** Remove containers of services no longer in the file (a profile switch). */
  removeOrphans?: boolean;
}

export interface ComposeDownOptions extends ComposeCallOptions {
  volumes: boolean;
}

export interface ComposeWatchOptions extends ComposeCallOptions {
  /** Only these services (compose service names); every service with a `develop` section when empty. */
  services?: readonly string[];
  /** Watch containers that are already up (`--no-up`) instead of starting them first. */
  noUp?: boolean;
}

export interface ComposeBuildOptions extends ComposeCallOptions {
  services?: readonly string[];
  noCache: boolean;
}

/**
 * `docker compose` v2 through execa, with argument arrays only (never a shell string). Each method
 * resolves when compose exits 0 and throws a one-line UserError otherwise.
 */
export interface ComposeClient {
  /** `docker compose version --short`, e.g. `2.26.1`. */
  version(): Promise<string>;
  up(project: ComposeProject, options: ComposeUpOptions): Promise<void>;
  down(project: ComposeProject, options: ComposeDownOptions): Promise<void>;
  restart(project: ComposeProject, services: readonly string[], options?: ComposeCallOptions): Promise<void>;
  build(project: ComposeProject, options: ComposeBuildOptions): Promise<void>;
  /**
   * `docker compose watch`: syncs, restarts and rebuilds as each service's `develop.watch` says, until
   * `options.signal` aborts (then it resolves: stopping the watch is the normal end) or compose fails.
   */
  watch(project: ComposeProject, options: ComposeWatchOptions): Promise<void>;
}

/** The lowest Compose v2 version innover accepts; older ones get the install line instead. */
export const minimumComposeVersion = '2.20.0';

/** The global arguments that pin a call to one project. */
export function projectArguments(project: ComposeProject): string[] {
  return [
    'compose',
    '--ansi',
    'never',
    '--progress',
    'plain',
    '--project-directory',
    project.root,
    '-p',
    project.project,
    '-f',
    project.file,
    ...(project.overrides ?? []).flatMap((override) => ['-f', override]),
    ...(project.envFile ? ['--env-file', project.envFile] : []),
  ];
}

/** The arguments of each call, pure, so tests can check them without running Docker. */
export const composeArguments = {
  up(project: ComposeProject, options: ComposeUpOptions): string[] {
    const args = [...projectArguments(project), 'up', '-d'];
    if (options.build) args.push('--build');
    else args.push('--no-build');
    if (options.noDeps) args.push('--no-deps');
    if (options.removeOrphans) args.push('--remove-orphans');
    args.push(...(options.services ?? []));
    return args;
  },
  down(project: ComposeProject, options: ComposeDownOptions): string[] {
    const args = [...projectArguments(project), 'down', '--remove-orphans'];
    if (options.volumes) args.push('--volumes');
    return args;
  },
  restart(project: ComposeProject, services: readonly string[]): string[] {
    return [...projectArguments(project), 'restart', ...services];
  },
  watch(project: ComposeProject, options: ComposeWatchOptions): string[] {
    const args = [...projectArguments(project), 'watch'];
    if (options.noUp) args.push('--no-up');
    args.push(...(options.services ?? []));
    return args;
  },
  build(project: ComposeProject, options: ComposeBuildOptions): string[] {
    const args = [...projectArguments(project), 'build'];
    if (options.noCache) args.push('--no-cache');
    args.push(...(options.services ?? []));
    return args;
  },
};

/** Runs one process and reports its lines; the seam the real client and its tests share. */
export type ProcessRunner = (
  file: string,
  args: readonly string[],
  options: ComposeCallOptions,
) => Promise<{ exitCode: number; output: string; spawnError?: string }>;

const runWithExeca: ProcessRunner = async (file, args, options) => {
  const { execa } = await import('execa');
  const subprocess = execa(file, args, {
    all: true,
    reject: false,
    stdin: 'ignore',
    ...(options.signal ? { cancelSignal: options.signal } : {}),
    env: { DOCKER_CLI_HINTS: 'false', COMPOSE_MENU: 'false' },
  });
  const lines: string[] = [];
  if (subprocess.all) {
    let partial = '';
    subprocess.all.on('data', (chunk: Buffer) => {
      const text = partial + chunk.toString('utf8');
      const parts = text.split(/\r?\n/);
      partial = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        if (lines.length > 400) lines.shift();
        options.onLine?.(line);
      }
    });
    subprocess.all.on('end', () => {
      if (partial) {
        lines.push(partial);
        options.onLine?.(partial);
      }
    });
  }
  const result = await subprocess;
  const spawnError = (result as { code?: string }).code;
  return {
    exitCode: result.exitCode ?? (result.isCanceled ? 130 : 1),
    output: lines.join('\n'),
    ...(typeof spawnError === 'string' && !result.exitCode ? { spawnError } : {}),
  };
};

/** The line of compose output that best explains a failure. */
export function failureReason(output: string): string {
  const lines = output
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const errorLine = [...lines].reverse().find((line) => /error|failed|unhealthy|denied|not found|no such/i.test(line));
  return (errorLine ?? lines[lines.length - 1] ?? 'no output').replace(/^Error response from daemon: /, '');
}

/** Compares dotted versions: negative when a < b. */
export function compareVersions(a: string, b: string): number {
  const parse = (version: string) => version.replace(/^v/, '').split(/[.+-]/).slice(0, 3).map((part) => Number.parseInt(part, 10) || 0);
  const left = parse(a);
  const right = parse(b);
  for (let index = 0; index < 3; index += 1) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

const installCompose =
  'install Docker Compose v2 >= 2.20 (Docker apt repository: apt-get install docker-compose-plugin; Debian 13: apt-get install docker-compose)';

/**
 * A client for a machine without a usable `docker compose`: every call says what to install,
 * in one line, instead of failing somewhere deep in a spawn.
 */
export function missingComposeClient(reason: string): ComposeClient {
  const fail = (): Promise<never> => Promise.reject(new UserError(reason));
  return { version: fail, up: fail, down: fail, restart: fail, build: fail, watch: fail };
}

/** The real client over a process runner (execa by default). */
export function composeClientOver(run: ProcessRunner, env: Readonly<Record<string, string | undefined>>): ComposeClient {
  const call = async (what: string, args: string[], options: ComposeCallOptions = {}): Promise<void> => {
    const result = await run('docker', args, options);
    if (result.spawnError === 'ENOENT') throw new UserError(`the docker CLI is not installed: ${installCompose}`);
    if (result.exitCode === 0) return;
    if (options.signal?.aborted) throw new UserError(`docker compose ${what} was interrupted`, { exitCode: 130 });
    if (isConnectionError(new Error(result.output))) throw dockerUnreachable(dockerEndpoint(env));
    throw new UserError(`docker compose ${what} failed (exit ${result.exitCode}): ${failureReason(result.output)}`);
  };
  return {
    async version() {
      const result = await run('docker', ['compose', 'version', '--short'], {});
      if (result.spawnError === 'ENOENT') throw new UserError(`the docker CLI is not installed: ${installCompose}`);
      if (result.exitCode !== 0) throw new UserError(`Docker Compose v2 is not installed: ${installCompose}`);
      return result.output.trim().split('\n').pop()?.trim().replace(/^v/, '') ?? '';
    },
    up: (project, options) => call('up', composeArguments.up(project, options), options),
    down: (project, options) => call('down', composeArguments.down(project, options), options),
    restart: (project, services, options) => call('restart', composeArguments.restart(project, services), options),
    build: (project, options) => call('build', composeArguments.build(project, options), options),
    async watch(project, options) {
      try {
        await call('watch', composeArguments.watch(project, options), options);
      } catch (error) {
        // Ctrl-C ends the watch; that is how `innover dev` stops, not a failure.
        if (options.signal?.aborted) return;
        throw error;
      }
    },
  };
}

/**
 * The production client. Probes `docker compose version` once: without Compose v2 (or below the
 * minimum) it returns a null-object client whose every call names what to install.
 */
export async function createComposeClient(ctx: CommandContext): Promise<ComposeClient> {
  const client = composeClientOver(runWithExeca, ctx.env);
  let version: string;
  try {
    version = await client.version();
  } catch (error) {
    if (error instanceof UserError) return missingComposeClient(error.problems[0] ?? installCompose);
    throw error;
  }
  if (compareVersions(version, minimumComposeVersion) < 0) {
    return missingComposeClient(`Docker Compose ${version} is too old: ${installCompose}`);
  }
  return { ...client, version: () => Promise.resolve(version) };
}
