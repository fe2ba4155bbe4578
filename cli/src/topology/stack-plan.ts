import type { ComponentName, DatabaseEngine, ResourceCategory, Resources } from './schema.js';

/**
 * The stack for one profile, derived from the topology by `planStack` (pure). The compose
 * renderer turns it into docker-compose.yml; the CLI uses the same plan to wait for health,
 * list URLs, check ports and memory. One derivation, so the two can never disagree.
 */
export interface StackPlan {
  /** Compose project name. */
  project: string;
  profile: string;
  components: readonly ComponentName[];
  database: DatabaseEngine | undefined;
  /** Containers in dependency order: each comes after everything it depends on. */
  containers: readonly ContainerPlan[];
  volumes: readonly string[];
  /** The default network's fixed addressing, when a container needs a known address (Nginx beside Keycloak). */
  network?: NetworkPlan;
  /** Limits of each resource category: the x-<category>-deploy anchors. */
  resources: Readonly<Record<ResourceCategory, Resources>>;
}

/** The compose default network with a fixed subnet: Docker allocates only from `ipRange`. */
export interface NetworkPlan {
  subnet: string;
  ipRange: string;
  gateway: string;
  /** Outside `ipRange`, so no other container can take it. */
  nginxAddress: string;
}

export type ContainerRole = 'api' | 'worker' | 'job' | 'infrastructure' | 'database';

/** How innover decides a container is ready. */
export type HealthStrategy =
  /** A Docker healthcheck (in the image or the compose file). */
  | { kind: 'docker' }
  /** A shell-less image: the CLI probes this URL from the host; 2xx means healthy. */
  | { kind: 'host-probe'; url: string }
  /** A one-shot job: succeeds when it exits 0. */
  | { kind: 'exit-zero' };

export interface PortPlan {
  host: number;
  container: number;
  /** `127.0.0.1` for ports only the CLI and local debugging need. */
  hostIp?: string;
  /** What the port is for, e.g. `SQL`, `admin UI`, `gateway HTTPS`. */
  purpose: string;
}

export interface DependencyPlan {
  name: string;
  condition: 'service_healthy' | 'service_completed_successfully' | 'service_started';
}

export interface ContainerPlan {
  /** Compose service name, also the container's name within the project. */
  name: string;
  role: ContainerRole;
  component: ComponentName;
  /** The app service an api/worker container belongs to. */
  service?: string;
  image: string;
  category: ResourceCategory;
  /** Limits in force: the category's, or the topology's override. */
  resources: Resources;
  /** True when the limits differ from the category's anchor. */
  resourcesOverridden: boolean;
  dependsOn: readonly DependencyPlan[];
  ports: readonly PortPlan[];
  health: HealthStrategy;
  /** How long `up` waits for this container before failing (slow ones: CockroachDB, Keycloak, WSO2). */
  startTimeoutSeconds: number;
  /** Environment, with secrets only as `${VAR}` references. */
  environment: Readonly<Record<string, string>>;
  /** How Compose runs it: mapped one to one onto the compose service by the renderer. */
  runtime: ContainerRuntime;
}

/**
 * The Compose-level details of a container. Strings are in Compose syntax: `${VAR}` is filled
 * from `.env`, `$$` is a literal dollar for the container's shell.
 */
export interface ContainerRuntime {
  build?: { context: string; dockerfile: string; args: Readonly<Record<string, string>> };
  /**
   * `never` for a container that runs an image another container builds (a service's worker):
   * Compose then neither pulls it nor builds it twice, so the image id stays put between runs.
   */
  pullPolicy?: 'never';
  entrypoint?: readonly string[];
  command?: readonly string[];
  /** `source:target[:ro]`; sources starting with `./` are relative to the project directory. */
  volumes: readonly string[];
  /** A fixed address on the plan's network (outside the range Docker allocates from). */
  ipv4Address?: string;
  healthcheck?: HealthcheckPlan;
  restart: 'unless-stopped' | 'no';
}

/** A Docker healthcheck; only for images that carry the tool it runs. */
export interface HealthcheckPlan {
  test: readonly string[];
  interval: string;
  timeout: string;
  retries: number;
  startPeriod: string;
}
