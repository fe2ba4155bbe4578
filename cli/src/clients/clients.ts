import type { CommandContext } from '../command.js';
import type { BufClient } from './buf-client.js';
import type { ComposeClient } from './compose-client.js';
import type { EngineClient } from './engine-client.js';
import type { FileWatchClient } from './file-watch-client.js';
import type { KeycloakClient } from './keycloak-client.js';
import type { KubernetesClient } from './kubernetes-client.js';
import type { NpmClient } from './npm-client.js';
import type { Wso2Client } from './wso2-client.js';
import type { HttpProbeClient } from './http-probe.js';
import type { QueueApi } from './queue-api.js';
import type { RedisProbeClient } from './redis-probe.js';
import type { TypeScriptClient } from './typescript-client.js';

/**
 * Every side effect the CLI has sits behind one of these interfaces. Commands get them from
 * `ctx.client(name)`; unit tests hand the context fakes that throw on any call they do not expect.
 */
export interface Clients {
  /** `docker compose` through execa, argument arrays only. */
  compose: ComposeClient;
  /** The Docker engine through dockerode: inspect, health, logs, exec. */
  engine: EngineClient;
  /** Keycloak's admin REST API. */
  keycloak: KeycloakClient;
  /** `helm` and `kubectl` through execa, argument arrays only; manifests on stdin. */
  kubernetes: KubernetesClient;
  /** WSO2 API Manager's publisher, admin and devportal REST APIs. */
  wso2: Wso2Client;
  /** Host-side HTTP probes (fetch) of shell-less containers: up, restart, ps, health. */
  http: HttpProbeClient;
  /** Redis over RESP on one fresh connection: AUTH + PING before BullMQ is asked anything. */
  redis: RedisProbeClient;
  /** The task queues through `@innover/kit/queue` (BullMQ): workers, test-worker. */
  queue: QueueApi;
  /** The npm-installed buf and protoc-gen-es, run in a temporary folder of their own: proto. */
  buf: BufClient;
  /** The project's npm-installed tsc in watch mode: dev's type errors. */
  typescript: TypeScriptClient;
  /** `npm install` through execa: new service. */
  npm: NpmClient;
  /** Host file changes (node:fs watch, debounced): dev's innover.yaml and .env. */
  files: FileWatchClient;
}

export type ClientName = keyof Clients;

/** Creates the production client, importing its module only when first asked for. */
export async function createClient<K extends ClientName>(name: K, ctx: CommandContext): Promise<Clients[K]> {
  switch (name) {
    case 'compose':
      return (await import('./compose-client.js')).createComposeClient(ctx) as unknown as Clients[K];
    case 'engine':
      return (await import('./engine-client.js')).createEngineClient(ctx) as unknown as Clients[K];
    case 'keycloak':
      return (await import('./keycloak-client.js')).createKeycloakClient(ctx) as unknown as Clients[K];
    case 'kubernetes':
      return (await import('./kubernetes-client.js')).createKubernetesClient(ctx) as unknown as Clients[K];
    case 'wso2':
      return (await import('./wso2-client.js')).createWso2Client(ctx) as unknown as Clients[K];
    case 'http':
      return (await import('./http-probe.js')).createHttpProbeClient() as unknown as Clients[K];
    case 'redis':
      return (await import('./redis-probe.js')).createRedisProbeClient() as unknown as Clients[K];
    case 'queue':
      return (await (await import('./queue-api.js')).loadQueueApi()) as unknown as Clients[K];
    case 'buf':
      return (await import('./buf-client.js')).createBufClient(ctx.root) as unknown as Clients[K];
    case 'typescript':
      return (await import('./typescript-client.js')).createTypeScriptClient(ctx.root) as unknown as Clients[K];
    case 'npm':
      return (await import('./npm-client.js')).createNpmClient(ctx.root) as unknown as Clients[K];
    case 'files':
      return (await import('./file-watch-client.js')).createFileWatchClient() as unknown as Clients[K];
    default:
      throw new Error(`unknown client ${String(name)}`);
  }
}
