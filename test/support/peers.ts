/**
 * Real peers for integration tests and benchmarks. Redis, PostgreSQL and the Kafka broker run as
 * containers (Testcontainers) from the image tags in the topology (innover.yaml over innover's
 * defaults), their one home; the OIDC issuer runs in process (oidc-provider). Each peer publishes
 * its port on a free host port and returns its 127.0.0.1 address plus `stop()`.
 *
 * Every peer container carries the label `innover.test-peer=true` and the pid and host of the run
 * that owns it. Ryuk (Testcontainers' reaper) is off, since its image may be missing, so a run
 * removes its own containers (`stop()`, and the integration tier's global teardown) and, at setup,
 * the ones an earlier run on this host left behind when it was killed (`removeLeftoverPeers`).
 *
 * Written with erasable TypeScript only so plain Node (type stripping) can import it from bench
 * scripts; heavy modules (testcontainers, kafkajs, pg, oidc-provider) load on first use.
 */
import { randomBytes } from 'node:crypto';
import { createConnection, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ownerAlive, processStart } from './process-identity.ts';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { ContainerRuntimeClient, GenericContainer, StartedTestContainer } from 'testcontainers';

// The Ryuk image cannot be pulled everywhere (innover's CI reaches no registry); the labels below
// and the owner's cleanup do its job. An explicit TESTCONTAINERS_RYUK_DISABLED=false keeps Ryuk.
process.env['TESTCONTAINERS_RYUK_DISABLED'] ??= 'true';

const repositoryRoot = new URL('../../', import.meta.url);

/** A free TCP port on 127.0.0.1 (tiny race window between close and the peer binding it). */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}

/** The images the container peers run: tags from the topology, never written here. */
export type PeerImages = ReturnType<typeof import('../../cli/src/plan/base-images.js').integrationPeerImages>;

type TopologyModule = typeof import('../../cli/src/topology/load.js');
type BaseImagesModule = typeof import('../../cli/src/plan/base-images.js');
let images: Promise<PeerImages> | undefined;

/**
 * Loads innover.yaml over the defaults: from the CLI's sources under vitest (which compiles them),
 * from its build (`cli/dist`, made by `npm ci`/`tsc -b`) under plain Node, e.g. the bench.
 */
export function peerImages(): Promise<PeerImages> {
  images ??= (async () => {
    const [{ loadTopology }, { integrationPeerImages }] = process.env['VITEST']
      ? await Promise.all([import('../../cli/src/topology/load.js'), import('../../cli/src/plan/base-images.js')])
      : await Promise.all([
          import(new URL('cli/dist/topology/load.js', repositoryRoot).href) as Promise<TopologyModule>,
          import(new URL('cli/dist/plan/base-images.js', repositoryRoot).href) as Promise<BaseImagesModule>,
        ]);
    return integrationPeerImages(await loadTopology(fileURLToPath(repositoryRoot)));
  })();
  return images;
}

export const peerLabel = 'innover.test-peer';
const kindLabel = 'innover.test-peer.kind';
const ownerPidLabel = 'innover.test-peer.owner-pid';
const ownerHostLabel = 'innover.test-peer.owner-host';
/** The owner's boot id and start time, so a pid reused after a reboot or a restore is not taken for it. */
const ownerStartLabel = 'innover.test-peer.owner-start';
/** The pid that owns this run's peers; the integration tier's global setup sets it to vitest's own. */
export const peerOwnerVariable = 'INNOVER_TEST_PEER_OWNER';

function ownerPid(): number {
  const owner = Number(process.env[peerOwnerVariable]);
  return Number.isInteger(owner) && owner > 0 ? owner : process.pid;
}

/** The labels of a peer container: the marker, its kind, and the pid, start and host of its owner. */
export function peerLabels(kind: keyof PeerImages, owner = ownerPid()): Record<string, string> {
  const start = processStart(owner);
  return {
    [peerLabel]: 'true',
    [kindLabel]: kind,
    [ownerPidLabel]: String(owner),
    [ownerHostLabel]: hostname(),
    ...(start === undefined ? {} : { [ownerStartLabel]: start }),
  };
}

/** Whether the process that labelled a peer still runs (the same process, not a reuse of its pid). */
function peerOwnerAlive(labels: Record<string, string>): boolean {
  const pid = labels[ownerPidLabel] ?? '';
  const start = labels[ownerStartLabel];
  return ownerAlive(start === undefined ? pid : `${pid}@${start}`);
}

async function containerRuntime(): Promise<ContainerRuntimeClient> {
  const { getContainerRuntimeClient } = await import('testcontainers');
  try {
    return await getContainerRuntimeClient();
  } catch (error) {
    throw new Error(`no Docker engine answers (Testcontainers: ${firstLine(error)}): start Docker (e.g. sudo systemctl start docker) or set DOCKER_HOST`, { cause: error });
  }
}

/** Starts a labelled container from the topology's image of `kind`; one line when it cannot. */
async function startPeerContainer(kind: keyof PeerImages, configure: (container: GenericContainer) => GenericContainer): Promise<StartedTestContainer> {
  await containerRuntime();
  const { GenericContainer } = await import('testcontainers');
  const image = (await peerImages())[kind];
  try {
    return await configure(new GenericContainer(image).withLabels(peerLabels(kind))).start();
  } catch (error) {
    throw new Error(`the ${kind} peer (${image}) did not start: ${firstLine(error)}`, { cause: error });
  }
}

/** Force-removes the peer containers `select` picks from those on the engine; returns how many. */
async function removePeers(select: (labels: Record<string, string>) => boolean): Promise<number> {
  const { dockerode } = (await containerRuntime()).container;
  const found = await dockerode.listContainers({ all: true, filters: { label: [`${peerLabel}=true`] } });
  const chosen = found.filter((container) => select(container.Labels));
  await Promise.all(chosen.map((container) => dockerode.getContainer(container.Id).remove({ force: true, v: true }).catch(() => undefined)));
  return chosen.length;
}

/**
 * Removes peer containers that runs on this host left behind when they were killed: those whose
 * owner process is gone. A concurrent run's peers (owner alive, or another host's) stay.
 */
export async function removeLeftoverPeers(): Promise<number> {
  const host = hostname();
  return await removePeers((labels) => labels[ownerHostLabel] === host && !peerOwnerAlive(labels));
}

/** Removes every peer container the given owner (default: this run) started on this host. */
export async function removePeersOwnedBy(owner = ownerPid()): Promise<number> {
  const host = hostname();
  return await removePeers((labels) => labels[ownerHostLabel] === host && labels[ownerPidLabel] === String(owner));
}

/** A Redis container. `stop()` then `start()` brings it back on the same host port (readiness tests). */
export interface RedisPeer {
  url: string;
  host: string;
  port: number;
  password: string | undefined;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRedis(options: { password?: string } = {}): Promise<RedisPeer> {
  const { Wait } = await import('testcontainers');
  const port = await freePort();
  const password = options.password;
  // No persistence (each start is empty, as the tests expect); protected mode off, since clients
  // arrive through Docker's port forwarding, not on loopback; the password when one is given.
  const command = ['redis-server', '--port', '6379', '--save', '', '--appendonly', 'no', '--protected-mode', 'no', ...(password ? ['--requirepass', password] : [])];
  let container: StartedTestContainer | undefined;
  const peer: RedisPeer = {
    url: password ? `redis://:${encodeURIComponent(password)}@127.0.0.1:${port}/0` : `redis://127.0.0.1:${port}/0`,
    host: '127.0.0.1',
    port,
    password,
    async start() {
      if (container) return;
      // A new container on the same fixed host port: what a restarted Redis looks like to a client.
      container = await startPeerContainer('redis', (redis) =>
        redis.withCommand(command).withExposedPorts({ container: 6379, host: port }).withWaitStrategy(Wait.forLogMessage('Ready to accept connections')),
      );
    },
    async stop() {
      const running = container;
      container = undefined;
      await running?.stop();
    },
  };
  await peer.start();
  return peer;
}

/** A PostgreSQL container with password authentication (the image requires POSTGRES_PASSWORD). */
export interface PostgresPeer {
  /** Superuser URL (user `postgres`, with its password) to the `postgres` database. */
  url: string;
  port: number;
  password: string;
  /** Creates a database and returns its superuser URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

export interface PostgresOptions {
  /** Scripts the image's entrypoint runs from /docker-entrypoint-initdb.d on first start, by file name. */
  initScripts?: Record<string, string>;
  /** More environment for the container (e.g. what an init script reads). */
  environment?: Record<string, string>;
}

export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresPeer> {
  const { Wait } = await import('testcontainers');
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const data = '/var/lib/postgresql/data';
  const container = await startPeerContainer('postgres', (postgres) =>
    postgres
      .withEnvironment({ POSTGRES_USER: 'postgres', POSTGRES_PASSWORD: password, POSTGRES_DB: 'postgres', PGDATA: data, ...options.environment })
      .withTmpFs({ [data]: 'rw' })
      // Durability is worthless for a throwaway database: skip the flushes.
      .withCommand(['postgres', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'])
      .withCopyContentToContainer(Object.entries(options.initScripts ?? {}).map(([name, content]) => ({ content, target: `/docker-entrypoint-initdb.d/${name}`, mode: 0o755 })))
      .withExposedPorts({ container: 5432, host: port })
      // TCP, not the socket: during first-start init the server listens on the socket only.
      .withWaitStrategy(Wait.forSuccessfulCommand('pg_isready -h 127.0.0.1 -p 5432 -U postgres -d postgres'))
      .withStartupTimeout(60_000),
  );
  const urlOf = (database: string): string => `postgresql://postgres:${password}@127.0.0.1:${port}/${database}`;
  return {
    url: urlOf('postgres'),
    port,
    password,
    async createDatabase(name: string) {
      const { default: pg } = await import('pg');
      const client = new pg.Client({ connectionString: urlOf('postgres') });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name.replaceAll('"', '')}"`);
      } finally {
        await client.end();
      }
      return urlOf(name);
    },
    async stop() {
      await container.stop();
    },
  };
}

/** The port the broker listens on inside its container. */
export const kafkaListenerPort = 9092;

/**
 * `redpanda start` for a one-broker Redpanda in a container that processes on the host reach at
 * 127.0.0.1:hostPort (Docker maps hostPort to the listener). Pure.
 * `--mode dev-container` bundles --overprovisioned, --reserve-memory 0M, --check=false and
 * --unsafe-bypass-fsync (docs.redpanda.com, rpk redpanda start); `--smp 1` and `--memory` keep it
 * to one core and a fixed budget, as Redpanda's single-broker container examples do. The Kafka
 * stand-in CI uses reads only --kafka-addr and advertises its container's IP.
 */
export function redpandaStartCommand(hostPort: number): string[] {
  return [
    'redpanda',
    'start',
    '--mode',
    'dev-container',
    '--smp',
    '1',
    '--memory',
    '512M',
    '--kafka-addr',
    `0.0.0.0:${kafkaListenerPort}`,
    '--advertise-kafka-addr',
    `127.0.0.1:${hostPort}`,
  ];
}

/** A Kafka-protocol broker in a container: the topology's Redpanda image. */
export interface KafkaPeer {
  /** Bootstrap addresses for clients on this host. */
  brokers: string[];
  /** Freezes the broker's container (docker pause): its port stays open, nothing answers (a broker outage). */
  pause(): Promise<void>;
  /** Thaws it (docker unpause). */
  unpause(): Promise<void>;
  stop(): Promise<void>;
}

function tcpReachable(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port, timeout: timeoutMs });
    const done = (reachable: boolean): void => {
      socket.destroy();
      resolve(reachable);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

/** The brokers the cluster advertises, asked through the bootstrap address as a client would. */
async function advertisedBrokers(bootstrap: string): Promise<string[]> {
  const { Kafka, logLevel } = await import('kafkajs');
  const admin = new Kafka({ clientId: 'innover-test-peer', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 100 } }).admin();
  await admin.connect();
  try {
    return (await admin.describeCluster()).brokers.map((broker) => `${broker.host}:${broker.port}`);
  } finally {
    await admin.disconnect();
  }
}

export async function startKafka(): Promise<KafkaPeer> {
  const { Wait } = await import('testcontainers');
  const port = await freePort();
  const container = await startPeerContainer('kafka', (kafka) =>
    kafka
      .withCommand(redpandaStartCommand(port))
      .withExposedPorts({ container: kafkaListenerPort, host: port })
      // The check the generated stack's healthcheck makes.
      .withWaitStrategy(Wait.forSuccessfulCommand("rpk cluster health | grep -Eq 'Healthy:.+true'"))
      .withStartupTimeout(90_000),
  );
  const bootstrap = `127.0.0.1:${port}`;
  try {
    // Clients follow the address the broker advertises: make sure this host reaches it.
    for (const address of await advertisedBrokers(bootstrap)) {
      const separator = address.lastIndexOf(':');
      if (!(await tcpReachable(address.slice(0, separator), Number(address.slice(separator + 1)), 3_000))) {
        throw new Error(`the Kafka broker advertises ${address}, which this host cannot reach (it should advertise 127.0.0.1:${port})`);
      }
    }
  } catch (error) {
    await container.stop();
    throw error;
  }
  const dockerContainer = async () => (await containerRuntime()).container.dockerode.getContainer(container.getId());
  return {
    brokers: [bootstrap],
    pause: async () => void (await (await dockerContainer()).pause()),
    unpause: async () => void (await (await dockerContainer()).unpause()),
    stop: async () => void (await container.stop()),
  };
}

function scopeValues(scope: string, prefix: string): string[] {
  return scope.split(' ').filter((value) => value.startsWith(prefix)).map((value) => value.slice(prefix.length));
}

/** An OIDC issuer (oidc-provider) that hands out JWT access tokens shaped like Keycloak's. */
export interface OidcPeer {
  issuer: string;
  jwksUrl: string;
  /** The token endpoint (what a service's OIDC_TOKEN_URL names). */
  tokenUrl: string;
  /** A client_credentials access token carrying `aud` and `realm_access.roles`. */
  token(options?: { roles?: string[]; audience?: string }): Promise<string>;
  stop(): Promise<void>;
}

/** A client with fixed realm roles, as Keycloak's generated `<service>-service` clients are. */
export interface OidcClient {
  id: string;
  secret: string;
  roles: string[];
}

export async function startOidcIssuer(options: { audience?: string; roles?: string[]; clients?: readonly OidcClient[] } = {}): Promise<OidcPeer> {
  let Provider: typeof import('oidc-provider').default;
  try {
    ({ default: Provider } = await import('oidc-provider'));
  } catch {
    throw new Error('oidc-provider not found: npm install -D oidc-provider');
  }
  const { generateKeyPair, exportJWK } = await import('jose');
  const defaultAudience = options.audience ?? 'innover-api';
  const defaultRoles = options.roles ?? [];
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const clientId = 'innover-test';
  const clientSecret = 'innover-test-secret';
  const resource = 'urn:innover:api';
  // Fixed clients get their roles whatever they ask for, as a Keycloak client with service-account roles does.
  const fixedClients = new Map((options.clients ?? []).map((client) => [client.id, client]));
  const provider = new Provider(issuer, {
    clients: [clientId, ...fixedClients.keys()].map((id) => ({
      client_id: id,
      client_secret: id === clientId ? clientSecret : (fixedClients.get(id)?.secret ?? ''),
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
    })),
    jwks: { keys: [jwk] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => resource,
        useGrantedResource: () => true,
        // The token request carries the wanted roles and audience as `role:<name>` and `aud:<name>` scopes
        // (the token endpoint accepts no custom parameters); the resource server grants exactly those.
        getResourceServerInfo: (ctx: KoaContextWithOIDC) => ({
          scope: String(ctx.oidc.params?.['scope'] ?? 'api'),
          audience: scopeValues(String(ctx.oidc.params?.['scope'] ?? ''), 'aud:')[0] ?? defaultAudience,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
    ttl: { ClientCredentials: 600 },
    extraTokenClaims: (ctx: KoaContextWithOIDC) => {
      const fixed = fixedClients.get(String(ctx.oidc.client?.clientId ?? ''));
      if (fixed) return { realm_access: { roles: fixed.roles } };
      const scope = String(ctx.oidc.params?.['scope'] ?? '');
      return { realm_access: { roles: scope.includes('roles') ? scopeValues(scope, 'role:') : defaultRoles } };
    },
  });
  const server = provider.listen(port, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as { jwks_uri: string; token_endpoint: string };
  return {
    issuer,
    jwksUrl: discovery.jwks_uri,
    tokenUrl: discovery.token_endpoint,
    async token(request = {}) {
      const scope = ['api', 'roles', ...(request.roles ?? defaultRoles).map((role) => `role:${role}`), `aud:${request.audience ?? defaultAudience}`];
      const body = new URLSearchParams({ grant_type: 'client_credentials', resource, scope: scope.join(' ') });
      const response = await fetch(discovery.token_endpoint, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
      const json = (await response.json()) as { access_token?: string; error?: string; error_description?: string };
      if (!json.access_token) throw new Error(`oidc-provider refused a token: ${json.error} ${json.error_description ?? ''}`);
      return json.access_token;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
