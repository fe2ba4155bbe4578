import { splitReference } from '../plan/image-references.js';
import type Dockerode from 'dockerode';
import type { DialOptions } from 'docker-modem';
import type { CommandContext } from '../command.js';
import { UserError } from '../command.js';
import {
  dockerEndpoint,
  dockerPermissionDenied,
  dockerUnreachable,
  isConnectionError,
  isPermissionError,
} from './docker-errors.js';

/** Docker's container states. */
export type ContainerState = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';
/** `none` when the container has no healthcheck. */
export type ContainerHealth = 'starting' | 'healthy' | 'unhealthy' | 'none';

export interface PublishedPort {
  hostIp: string;
  hostPort: number;
  containerPort: number;
  protocol: string;
}

/** One container as a single list call reports it (no per-container inspect). */
export interface ContainerSummary {
  id: string;
  /** Docker's container name, without the leading slash. */
  name: string;
  /** Compose service name (`com.docker.compose.service`), empty for non-compose containers. */
  service: string;
  /** Compose project (`com.docker.compose.project`), empty for non-compose containers. */
  project: string;
  image: string;
  state: ContainerState;
  health: ContainerHealth;
  /** Set once the container has exited (or is restarting after an exit). */
  exitCode: number | undefined;
  /** Docker's human status, e.g. `Up 5 minutes (healthy)`. */
  status: string;
  /** Seconds since the epoch. */
  createdAt: number;
  ports: readonly PublishedPort[];
}

export interface LogLine {
  stream: 'stdout' | 'stderr';
  text: string;
}

export interface LogOptions {
  /** Lines from the end; `all` for everything. */
  tail: number | 'all';
  follow: boolean;
  /** Stops following. */
  signal?: AbortSignal;
}

export interface ExecOptions {
  command: readonly string[];
  /** `KEY=value` pairs; how secrets reach a shell without appearing on its command line. */
  env?: readonly string[];
  /** Allocate a TTY and pass the terminal through (raw mode); only when stdin and stdout are terminals. */
  tty: boolean;
}

/** One step of a push or pull that the user may see: a layer done, or the whole image. */
export interface ImageProgress {
  /** The layer's short id, or empty for a line about the whole image. */
  layer: string;
  /** Docker's status word(s): `Pushed`, `Layer already exists`, `Pull complete`, ... */
  status: string;
}

/**
 * Registry credentials for one push, sent to the engine in the X-Registry-Auth header only;
 * never printed, never in a result.
 */
export interface RegistryAuth {
  username: string;
  password: string;
  /** The registry host, e.g. `registry.example.com:5000`. */
  serveraddress: string;
}

export interface PushOptions {
  auth?: RegistryAuth;
  onProgress?: (progress: ImageProgress) => void;
}

/**
 * The Docker engine through dockerode. The wait loop calls `listContainers` once per tick for the
 * whole project, never once per container. Every method turns "no engine" into one line with its fix.
 */
export interface EngineClient {
  /** Resolves when the engine answers; throws the one-line "not reachable" UserError otherwise. */
  ping(): Promise<void>;
  /** The containers of one Compose project (all states), or every running container when no project. */
  listContainers(filter: { project?: string; all?: boolean }): Promise<ContainerSummary[]>;
  /** Demultiplexed log lines, in order; resolves at the end (or when following stops). */
  logs(id: string, options: LogOptions, onLine: (line: LogLine) => void): Promise<void>;
  /** Runs a command in a running container with this process's stdio; resolves with its exit code. */
  exec(id: string, options: ExecOptions): Promise<number>;
  /** The id of each image reference; undefined for one that does not exist. */
  imageIds(references: readonly string[]): Promise<Record<string, string | undefined>>;
  /** Removes images by reference; the ones that were not there are reported, not fatal. */
  removeImages(references: readonly string[]): Promise<{ removed: string[]; missing: string[] }>;
  /** The CPUs the engine can give containers (`NCPU` of `docker info`): no container's `cpus` may exceed it. */
  cpuCount(): Promise<number>;
  /** Gives an existing image a second reference (`docker tag`); the source must exist. */
  tagImage(source: string, target: string): Promise<void>;
  /** Pushes one reference to its registry (`docker push`); resolves with the manifest digest the registry stored. */
  pushImage(reference: string, options?: PushOptions): Promise<{ digest: string }>;
  /** Pulls one reference from its registry (`docker pull`); rejects with the registry's own words when it cannot. */
  pullImage(reference: string, options?: { onProgress?: (progress: ImageProgress) => void }): Promise<void>;
  /** The images as one archive in `docker save` format, as a stream (each shared layer once). */
  exportImages(references: readonly string[]): Promise<NodeJS.ReadableStream>;
  /** Loads a `docker save` archive (`docker load`); resolves with what the engine says it loaded. */
  importImages(archive: NodeJS.ReadableStream): Promise<{ loaded: string[] }>;
}

const containerStates: readonly ContainerState[] = ['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead'];

function toState(value: string | undefined): ContainerState {
  const state = (value ?? '').toLowerCase() as ContainerState;
  return containerStates.includes(state) ? state : 'dead';
}

/** Health as the list call reports it: only inside the human status, e.g. `Up 3s (health: starting)`. */
export function healthFromStatus(status: string): ContainerHealth {
  if (/\(healthy\)/.test(status)) return 'healthy';
  if (/\(unhealthy\)/.test(status)) return 'unhealthy';
  if (/\(health: starting\)/.test(status)) return 'starting';
  return 'none';
}

/** Exit code from `Exited (1) 3 seconds ago` or `Restarting (137) ...`. */
export function exitCodeFromStatus(status: string): number | undefined {
  const match = /^(?:Exited|Restarting) \((-?\d+)\)/.exec(status);
  return match ? Number(match[1]) : undefined;
}

/** Maps a dockerode list entry to a summary (pure; exported for tests). */
export function toSummary(info: Dockerode.ContainerInfo): ContainerSummary {
  const labels = info.Labels ?? {};
  const ports = (info.Ports ?? [])
    .filter((port) => port.PublicPort !== undefined && port.PublicPort > 0)
    .map((port) => ({
      hostIp: port.IP ?? '0.0.0.0',
      hostPort: port.PublicPort,
      containerPort: port.PrivatePort,
      protocol: port.Type,
    }));
  // IPv4 and IPv6 bindings of one port are listed twice; one row each is enough.
  const unique = ports.filter(
    (port, index) => ports.findIndex((other) => other.hostPort === port.hostPort && other.protocol === port.protocol) === index,
  );
  return {
    id: info.Id,
    name: (info.Names?.[0] ?? info.Id.slice(0, 12)).replace(/^\//, ''),
    service: labels['com.docker.compose.service'] ?? '',
    project: labels['com.docker.compose.project'] ?? '',
    image: info.Image,
    state: toState(info.State),
    health: healthFromStatus(info.Status ?? ''),
    exitCode: exitCodeFromStatus(info.Status ?? ''),
    status: info.Status ?? '',
    createdAt: info.Created,
    ports: unique,
  };
}

/**
 * Splits Docker's multiplexed log/attach stream (8-byte frame headers) into lines. Containers
 * with a TTY send raw bytes; those are detected by an invalid header and passed through as stdout.
 */
export class LogDemultiplexer {
  private buffer = Buffer.alloc(0);
  private raw: boolean | undefined;
  private readonly partial: Record<LogLine['stream'], string> = { stdout: '', stderr: '' };

  constructor(private readonly onLine: (line: LogLine) => void) {}

  push(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    if (this.raw === undefined && this.buffer.length >= 8) {
      const kind = this.buffer[0];
      this.raw = !((kind === 0 || kind === 1 || kind === 2) && this.buffer[1] === 0 && this.buffer[2] === 0 && this.buffer[3] === 0);
    }
    if (this.raw === undefined) return;
    if (this.raw) {
      this.text('stdout', this.buffer.toString('utf8'));
      this.buffer = Buffer.alloc(0);
      return;
    }
    while (this.buffer.length >= 8) {
      const size = this.buffer.readUInt32BE(4);
      if (this.buffer.length < 8 + size) break;
      const stream = this.buffer[0] === 2 ? 'stderr' : 'stdout';
      this.text(stream, this.buffer.subarray(8, 8 + size).toString('utf8'));
      this.buffer = this.buffer.subarray(8 + size);
    }
  }

  end(): void {
    if (this.buffer.length > 0) {
      this.text('stdout', this.buffer.toString('utf8'));
      this.buffer = Buffer.alloc(0);
    }
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream]) this.onLine({ stream, text: this.partial[stream] });
      this.partial[stream] = '';
    }
  }

  private text(stream: LogLine['stream'], text: string): void {
    const lines = (this.partial[stream] + text).split(/\r?\n/);
    this.partial[stream] = lines.pop() ?? '';
    for (const line of lines) this.onLine({ stream, text: line });
  }
}

/** One message of the engine's JSON progress stream (push, pull, load). */
export interface EngineMessage {
  status?: string;
  id?: string;
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { Tag?: string; Digest?: string; Size?: number };
}

/**
 * Splits the engine's progress stream (one JSON object per line) into messages. The engine answers
 * 200 and then reports a failure in the stream, so an `error` message is thrown here.
 */
export class EngineMessageReader {
  private partial = '';

  constructor(private readonly onMessage: (message: EngineMessage) => void) {}

  push(chunk: Buffer | string): void {
    const lines = (this.partial + chunk.toString()).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.line(line);
  }

  end(): void {
    this.line(this.partial);
    this.partial = '';
  }

  private line(text: string): void {
    if (!text.trim()) return;
    let message: EngineMessage;
    try {
      message = JSON.parse(text) as EngineMessage;
    } catch {
      message = { stream: text };
    }
    if (message.error !== undefined || message.errorDetail?.message !== undefined) {
      throw new Error(message.errorDetail?.message ?? message.error);
    }
    this.onMessage(message);
  }
}

/** Reads a whole progress stream; rejects on the first `error` message. */
export function readEngineMessages(stream: NodeJS.ReadableStream, onMessage: (message: EngineMessage) => void): Promise<void> {
  const reader = new EngineMessageReader(onMessage);
  return new Promise((resolve, reject) => {
    const fail = (error: unknown): void => {
      stream.removeAllListeners('data');
      reject(error instanceof Error ? error : new Error(String(error)));
    };
    stream.on('data', (chunk: Buffer | string) => {
      try {
        reader.push(chunk);
      } catch (error) {
        fail(error);
      }
    });
    stream.on('end', () => {
      try {
        reader.end();
        resolve();
      } catch (error) {
        fail(error);
      }
    });
    stream.on('error', fail);
  });
}

/** The layer steps worth a line: a layer is done, whichever way. */
const layerDone = /^(Pushed|Layer already exists|Mounted from .*|Pull complete|Already exists)$/;

function progressOf(message: EngineMessage): ImageProgress | undefined {
  if (message.id && message.status && layerDone.test(message.status)) return { layer: message.id, status: message.status };
  return undefined;
}

function statusCode(error: unknown): number | undefined {
  const code = (error as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/**
 * How the client reaches the engine. The per-tick calls (list, ping) go straight through
 * dockerode's own transport, docker-modem, because loading all of dockerode (its BuildKit session
 * pulls in gRPC) costs more than `innover health` may take; everything else loads dockerode on
 * first use. Tests pass a stub.
 */
export interface EngineTransport {
  /** `GET /containers/json`, as dockerode's `listContainers`. */
  listContainers(options: Dockerode.ContainerListOptions): Promise<Dockerode.ContainerInfo[]>;
  /** `GET /_ping`. */
  ping(): Promise<void>;
  /** `GET /info`, as dockerode's `info`: only the fields the client reads. */
  info(): Promise<{ NCPU?: number }>;
  /** dockerode, on the same engine endpoint, loaded once when first needed. */
  dockerode(): Promise<Dockerode>;
}

/** The real client over a transport (tests of the mapping pass a stub). */
export function engineClientOver(transport: EngineTransport, endpoint: string): EngineClient {
  const guard = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof UserError) throw error;
      if (statusCode(error) === undefined && isPermissionError(error)) throw dockerPermissionDenied(endpoint);
      if (statusCode(error) === undefined && isConnectionError(error)) throw dockerUnreachable(endpoint);
      throw error;
    }
  };

  return {
    ping: () => guard(() => transport.ping()),

    cpuCount: () =>
      guard(async () => {
        const { NCPU } = await transport.info();
        if (typeof NCPU !== 'number' || NCPU < 1) throw new Error('the Docker engine reported no CPU count (NCPU in docker info)');
        return NCPU;
      }),

    listContainers: (filter) =>
      guard(async () => {
        const options: Dockerode.ContainerListOptions = { all: filter.all ?? Boolean(filter.project) };
        if (filter.project) options.filters = { label: [`com.docker.compose.project=${filter.project}`] };
        const list = await transport.listContainers(options);
        // `docker compose run` one-offs are not part of the stack.
        return list.filter((info) => info.Labels?.['com.docker.compose.oneoff'] !== 'True').map(toSummary);
      }),

    logs: (id, options, onLine) =>
      guard(async () => {
        const docker = await transport.dockerode();
        const container = docker.getContainer(id);
        const demultiplexer = new LogDemultiplexer(onLine);
        const base = { stdout: true, stderr: true, timestamps: false, ...(options.tail === 'all' ? {} : { tail: options.tail }) };
        if (!options.follow) {
          const buffer = await container.logs({ ...base, follow: false });
          demultiplexer.push(Buffer.isBuffer(buffer) ? buffer : Buffer.from(String(buffer)));
          demultiplexer.end();
          return;
        }
        const stream = await container.logs({ ...base, follow: true });
        await new Promise<void>((resolve, reject) => {
          const stop = (): void => {
            stream.removeAllListeners('data');
            (stream as unknown as { destroy?: () => void }).destroy?.();
            demultiplexer.end();
            resolve();
          };
          if (options.signal?.aborted) return stop();
          options.signal?.addEventListener('abort', stop, { once: true });
          stream.on('data', (chunk: Buffer) => demultiplexer.push(chunk));
          stream.on('end', () => {
            options.signal?.removeEventListener('abort', stop);
            demultiplexer.end();
            resolve();
          });
          stream.on('error', reject);
        });
      }),

    exec: (id, options) =>
      guard(async () => {
        const docker = await transport.dockerode();
        const container = docker.getContainer(id);
        const attachStdin = options.tty;
        const exec = await container.exec({
          Cmd: [...options.command],
          Env: [...(options.env ?? [])],
          AttachStdin: attachStdin,
          AttachStdout: true,
          AttachStderr: true,
          Tty: options.tty,
        });
        const stream = await exec.start({ hijack: true, stdin: attachStdin, Tty: options.tty });
        const stdin = process.stdin;
        const resize = (): void => {
          void exec.resize({ h: process.stdout.rows ?? 24, w: process.stdout.columns ?? 80 }).catch(() => undefined);
        };
        await new Promise<void>((resolve, reject) => {
          if (options.tty) {
            stream.on('data', (chunk: Buffer) => process.stdout.write(chunk));
            stdin.setRawMode?.(true);
            stdin.resume();
            stdin.pipe(stream);
            resize();
            process.stdout.on('resize', resize);
          } else {
            const demultiplexer = new LogDemultiplexer((line) =>
              (line.stream === 'stderr' ? process.stderr : process.stdout).write(`${line.text}\n`),
            );
            stream.on('data', (chunk: Buffer) => demultiplexer.push(chunk));
            stream.on('end', () => demultiplexer.end());
          }
          stream.on('end', () => resolve());
          stream.on('close', () => resolve());
          stream.on('error', reject);
        }).finally(() => {
          if (options.tty) {
            process.stdout.off('resize', resize);
            stdin.unpipe(stream);
            stdin.setRawMode?.(false);
            stdin.pause();
          }
        });
        const result = await exec.inspect();
        return result.ExitCode ?? 0;
      }),

    imageIds: (references) =>
      guard(async () => {
        const docker = await transport.dockerode();
        const ids: Record<string, string | undefined> = {};
        await Promise.all(
          references.map(async (reference) => {
            try {
              ids[reference] = (await docker.getImage(reference).inspect()).Id;
            } catch (error) {
              if (statusCode(error) !== 404) throw error;
              ids[reference] = undefined;
            }
          }),
        );
        return ids;
      }),

    removeImages: (references) =>
      guard(async () => {
        const docker = await transport.dockerode();
        const removed: string[] = [];
        const missing: string[] = [];
        for (const reference of references) {
          try {
            await docker.getImage(reference).remove();
            removed.push(reference);
          } catch (error) {
            if (statusCode(error) === 404) missing.push(reference);
            else if (statusCode(error) === 409) {
              throw new UserError(`image ${reference} is still used by a container: run innover down first`);
            } else throw error;
          }
        }
        return { removed, missing };
      }),

    tagImage: (source, target) =>
      guard(async () => {
        const docker = await transport.dockerode();
        const { repository, tag } = splitReference(target);
        try {
          await docker.getImage(source).tag({ repo: repository, tag });
        } catch (error) {
          if (statusCode(error) === 404) throw new UserError(`image ${source} does not exist on this engine: build or pull it first`);
          throw error;
        }
      }),

    pushImage: (reference, options = {}) =>
      guard(async () => {
        const docker = await transport.dockerode();
        const { repository, tag } = splitReference(reference);
        // The engine wants an X-Registry-Auth header even for an anonymous push: an empty one then.
        const stream = await docker.getImage(repository).push({ tag, authconfig: options.auth ?? {} });
        let digest: string | undefined;
        await readEngineMessages(stream, (message) => {
          if (message.aux?.Digest) digest = message.aux.Digest;
          const progress = progressOf(message);
          if (progress) options.onProgress?.(progress);
        });
        if (!digest) throw new Error(`the engine reported no digest for the push of ${reference}`);
        return { digest };
      }),

    pullImage: (reference, options = {}) =>
      guard(async () => {
        const docker = await transport.dockerode();
        const stream = await docker.pull(reference);
        await readEngineMessages(stream, (message) => {
          const progress = progressOf(message);
          if (progress) options.onProgress?.(progress);
        });
      }),

    exportImages: (references) =>
      guard(async () => {
        const docker = await transport.dockerode();
        // `GET /images/get?names=a&names=b`: dockerode has it, its types do not.
        const withGetImages = docker as unknown as { getImages(options: { names: string[] }): Promise<NodeJS.ReadableStream> };
        return withGetImages.getImages({ names: [...references] });
      }),

    importImages: (archive) =>
      guard(async () => {
        const docker = await transport.dockerode();
        const stream = await docker.loadImage(archive, { quiet: true });
        const loaded: string[] = [];
        await readEngineMessages(stream, (message) => {
          for (const line of (message.stream ?? '').split('\n')) {
            const match = /^Loaded image(?: ID)?: (\S+)/.exec(line.trim());
            if (match?.[1]) loaded.push(match[1]);
          }
        });
        return { loaded };
      }),
  };
}

/** The production client: docker-modem and dockerode on DOCKER_HOST or the default socket. */
export async function createEngineClient(ctx: CommandContext): Promise<EngineClient> {
  const { default: Modem } = await import('docker-modem');
  const modem = new Modem();
  const dial = <T>(options: DialOptions): Promise<T> =>
    new Promise((resolve, reject) => modem.dial(options, (error, data) => (error ? reject(error) : resolve(data as T))));
  let dockerode: Promise<Dockerode> | undefined;
  const transport: EngineTransport = {
    listContainers: (options) =>
      dial<Dockerode.ContainerInfo[]>({
        path: '/containers/json?',
        method: 'GET',
        options,
        statusCodes: { 200: true, 400: 'bad parameter', 500: 'server error' },
      }),
    ping: async () => {
      await dial({ path: '/_ping', method: 'GET', statusCodes: { 200: true, 500: 'server error' } });
    },
    info: () => dial<{ NCPU?: number }>({ path: '/info', method: 'GET', statusCodes: { 200: true, 500: 'server error' } }),
    dockerode: () => {
      dockerode ??= import('dockerode').then(({ default: Docker }) => new Docker());
      return dockerode;
    },
  };
  return engineClientOver(transport, dockerEndpoint(ctx.env));
}

export { splitReference };
