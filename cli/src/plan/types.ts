import type { DatabaseEngine, ResourceCategory, Resources } from '../topology/schema.js';

/**
 * The target-neutral stack plan of one profile: what runs, not how a target spells it. The
 * component modules (cli/src/components) derive it from the topology; each target translates it
 * in one place (cli/src/targets/compose: Compose syntax; cli/src/targets/kubernetes: a Helm
 * chart). Nothing here is in a target's syntax: a secret is a reference, a literal is a literal
 * (no `$$`), a probe is data, a config file is an id plus a mount path (no `./path`).
 */
export interface StackPlan {
  /** Project name: the Compose project, the chart's release prefix. */
  project: string;
  /** The profile this plan is of. */
  profile: string;
  /** The profile's components (module names, e.g. `services`, `database`, `redis`), deduplicated, in profile order. */
  components: readonly string[];
  /** The engine behind `database`, when the profile holds it. */
  database: DatabaseEngine | undefined;
  /** Workloads in dependency order: each comes after everything it depends on. */
  workloads: readonly Workload[];
  /** Named data volumes the workloads mount (`VolumeMount.kind === 'data'`). */
  volumes: readonly DataVolume[];
  /** Generated config files the workloads mount (`VolumeMount.kind === 'config'`). */
  files: readonly ConfigFile[];
  /** A network with a fixed address for a workload that others must trust by address (Nginx beside Keycloak). */
  network?: NetworkPlan;
  /** Limits of each resource category (Compose: the x-<category>-deploy anchors; Kubernetes: resources.limits). */
  resources: Readonly<Record<ResourceCategory, Resources>>;
  /** What each component of the profile contributes beyond its workloads, in module order. */
  componentPlans: readonly ComponentPlan[];
  /** Every URL of the profile from the host, in the order `innover urls` shows them. */
  urls: readonly StackUrl[];
}

/** A secret by its `.env` key: Compose writes `${KEY}`, Kubernetes a secretKeyRef. Never the value. */
export interface SecretRef {
  secret: string;
  /** Empty when `.env` lacks it (Compose `${KEY:-}`; Kubernetes `optional: true`). */
  optional?: boolean;
}

/** A literal, a secret reference, or their concatenation (e.g. a URL with a password in it). */
export type Text = string | SecretRef | { concat: readonly (string | SecretRef)[] };

/** What a workload is for. */
export type WorkloadRole = 'api' | 'worker' | 'job' | 'infrastructure' | 'database';

/** One container image run as a long-running process or a one-shot job. */
export interface Workload {
  /** Unique name: the Compose service, the Kubernetes object name; also the host name others reach it by. */
  name: string;
  /** `long-running` (Compose service / Deployment or StatefulSet) or `one-shot` (runs to exit 0 / Job). */
  lifecycle: 'long-running' | 'one-shot';
  role: WorkloadRole;
  /** The component module it comes from (`services`, `database`, `redis`, ...). */
  component: string;
  /** The app service an api/worker workload belongs to. */
  service?: string;
  /** Image reference, e.g. `redis:7.4-bookworm` or `innover/payment:local`. */
  image: string;
  /** How to build the image, when innover builds it. */
  build?: BuildPlan;
  /** The workload that builds this image (a service's worker runs the image its API builds): never pull or build it here. */
  imageFrom?: string;
  /** What the image carries that a target may use to run a probe (`bash` for /dev/tcp, `curl`); empty: nothing (shell-less). */
  imageTools: readonly ImageTool[];
  /** Replaces the image's entrypoint. */
  entrypoint?: readonly Text[];
  /** Arguments (Compose `command`, Kubernetes `args`). */
  command?: readonly Text[];
  /** Environment: literals as they are, secrets as references. */
  environment: Readonly<Record<string, Text>>;
  ports: readonly PortPlan[];
  volumes: readonly VolumeMount[];
  /** Ready to serve: the Compose healthcheck, the Kubernetes readinessProbe (its start period a startupProbe). */
  readiness?: ProbePlan;
  /** A cheaper alive check, when the component has one (services: `/health` beside readiness `/readiness`). */
  liveness?: ProbePlan;
  /** Workloads to wait for, and in which sense. */
  dependsOn: readonly DependencyPlan[];
  category: ResourceCategory;
  /** Limits in force: the category's, or the topology's override. */
  resources: Resources;
  /** True when the limits differ from the category's. */
  resourcesOverridden: boolean;
  /** `always` restarts a long-running workload; `never` for one-shot jobs. */
  restart: 'always' | 'never';
  /** Needs the network's fixed address (`StackPlan.network.fixedAddress`), because another workload trusts it by address. */
  fixedAddress?: boolean;
  security: SecurityPlan;
  /** Keeps data that must survive a restart (mounts a data volume): StatefulSet + PVC on Kubernetes. */
  stateful: boolean;
  /** `.env` keys this workload reads (every SecretRef in its environment, command and entrypoint). */
  secrets: readonly string[];
  /** How long innover waits for it to be ready once its dependencies are (slow ones: CockroachDB, Keycloak, WSO2). */
  startTimeoutSeconds: number;
}

export type ImageTool = 'bash' | 'curl';

export interface BuildPlan {
  /** Build context, relative to the project root (`.`). */
  context: string;
  /** Dockerfile, relative to the project root. */
  dockerfile: string;
  args: Readonly<Record<string, string>>;
}

export interface PortPlan {
  /** Port the workload listens on. */
  container: number;
  /** Port published on the host (Compose); Kubernetes uses `container` for the Service. */
  host: number;
  /** Published on 127.0.0.1 only: ports only the CLI and local debugging need. */
  hostOnly?: boolean;
  /** What the port is for, e.g. `SQL`, `admin UI`, `gateway HTTPS`. */
  purpose: string;
}

export type VolumeMount =
  /** A named data volume (`StackPlan.volumes`). */
  | { kind: 'data'; volume: string; mountPath: string }
  /** A generated config file (`StackPlan.files`), mounted read-only. */
  | { kind: 'config'; file: string; mountPath: string };

export interface DataVolume {
  name: string;
  /** Size a target should request (Kubernetes PVC), e.g. `10Gi`. */
  sizeHint: string;
}

/**
 * A file innover renders (nginx, collector, jaeger, realm, WSO2 deployment.toml, database init).
 * The content comes from the renderer `id` names (cli/src/render); `path` is where innover writes
 * it, relative to the project root (Compose mounts it from there; Kubernetes puts its content in a
 * ConfigMap).
 */
export interface ConfigFile {
  /** Stable id, e.g. `nginx`, `collector`, `jaeger`, `realm`, `wso2-deployment`, `cockroach-bootstrap`, `postgres-init`. */
  id: string;
  path: string;
  /** True for a script the workload runs (postgres-init.sh), so a target keeps it executable. */
  executable?: boolean;
}

/** The check itself. */
export type Probe =
  | { kind: 'http'; port: number; path: string; scheme?: 'http' | 'https' }
  | { kind: 'tcp'; port: number }
  /** A command in the container, as argv; `['sh', '-c', line]` for a shell line (Compose: CMD-SHELL). */
  | { kind: 'exec'; command: readonly string[] };

/** A probe with its timing. */
export interface ProbePlan {
  check: Probe;
  /**
   * The command the image itself runs for this probe, for targets whose probes run inside the
   * container (the Compose healthcheck), when the image lacks the tools to run `check` (the
   * services' images have no curl: their kit's bin/healthcheck.sh). Targets with native HTTP probes
   * (Kubernetes) use `check`.
   */
  inImage?: readonly string[];
  /** Grace before failures count (Compose start_period; Kubernetes startupProbe). */
  startPeriodSeconds: number;
  intervalSeconds: number;
  timeoutSeconds: number;
  /** Consecutive failures before unhealthy (Compose retries; Kubernetes failureThreshold). */
  failureThreshold: number;
}

/** `started`: created and running; `healthy`: its readiness passes; `completed`: a job exited 0. */
export type DependencySense = 'started' | 'healthy' | 'completed';

export interface DependencyPlan {
  name: string;
  condition: DependencySense;
}

/** Hardening a target applies (Compose security_opt/cap_drop/read_only; Kubernetes securityContext). */
export interface SecurityPlan {
  /** Numeric uid the image runs as (Kubernetes runAsUser); absent: the image must start as root. */
  runAsUser?: number;
  /** Why the image must start as root, when it must. */
  rootReason?: string;
  /** The root filesystem can be read-only; `tmpfs` lists the writable scratch paths it then needs. */
  readOnlyRootFilesystem: boolean;
  tmpfs: readonly string[];
  /** Capabilities to add back after dropping all; absent: keep the image's defaults (no drop). */
  capabilities?: readonly string[];
  /** No privilege escalation (Compose no-new-privileges; Kubernetes allowPrivilegeEscalation: false). */
  noNewPrivileges: boolean;
}

/** The network when a workload needs a fixed address: the target allocates others only from `ipRange`. */
export interface NetworkPlan {
  subnet: string;
  ipRange: string;
  gateway: string;
  /** The fixed address (outside `ipRange`) of the workload with `fixedAddress`. */
  fixedAddress: string;
}

/** One URL of the running stack. Never carries a secret. */
export interface StackUrl {
  /** Stable key, also the variable name of `--format env` (e.g. `KEYCLOAK_ADMIN_CONSOLE_URL`). */
  key: string;
  name: string;
  url: string;
}

/** A `.env` secret a component needs. */
export interface SecretPlan {
  key: string;
  /** What it is, for `.env.example` and the Kubernetes Secret's docs. */
  description: string;
}

/** A command innover runs inside a workload (db-shell, redis-cli, kafka-topics). */
export interface EntryPoint {
  /** The CLI command it serves, e.g. `db-shell`, `redis-cli`, `kafka-topics`. */
  name: string;
  /** The workload to exec into. */
  workload: string;
  /** The app service it acts as (db-shell <service>: that service's user on its database); absent: the admin. */
  service?: string;
  /** argv; the user's arguments follow. */
  command: readonly string[];
  /** Exec environment from `.env`, by key (a password reaches the tool by environment, never argv). */
  environment?: Readonly<Record<string, SecretRef>>;
}

/** What one component contributes to the profile besides its workloads. */
export interface ComponentPlan {
  /** Module name, e.g. `cockroachdb`, `redis`. */
  name: string;
  /** The profile component it implements, as in `StackPlan.components` (`database` for either engine). */
  component: string;
  /** Its workloads' names. */
  workloads: readonly string[];
  urls: readonly StackUrl[];
  /** Environment it gives each service's workloads (e.g. `REDIS_URL`), by service name; secrets as references. */
  serviceEnvironment: Readonly<Record<string, Readonly<Record<string, Text>>>>;
  /** `.env` secrets it needs. */
  secrets: readonly SecretPlan[];
  /** Shell and exec entry points. */
  entryPoints: readonly EntryPoint[];
}
