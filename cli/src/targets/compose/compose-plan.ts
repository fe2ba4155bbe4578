import type { ComponentName, ResourceCategory, Resources } from '../../topology/schema.js';
import type { DependencySense, ProbePlan, SecurityPlan, StackPlan, Text, Workload } from '../../plan/types.js';

/**
 * The Compose target's reading of the neutral plan: every Compose-specific spelling in one place.
 * A secret reference becomes `${KEY}`, a literal `$` becomes `$$`, a config file `./<path>:<mount>:ro`,
 * a probe a healthcheck (with the tools the image carries; a shell-less image is probed from the
 * host on its published port), a dependency a `depends_on` condition.
 */
export interface ComposeStackPlan {
  /** Compose project name. */
  project: string;
  profile: string;
  components: readonly string[];
  database: StackPlan['database'];
  /** Containers in dependency order: each comes after everything it depends on. */
  containers: readonly ContainerPlan[];
  volumes: readonly string[];
  /** The default network's fixed addressing, when a container needs a known address (Nginx beside Keycloak). */
  network?: ComposeNetworkPlan;
  /** Limits of each resource category: the x-<category>-deploy anchors. */
  resources: Readonly<Record<ResourceCategory, Resources>>;
}

/** The compose default network with a fixed subnet: Docker allocates only from `ipRange`. */
export interface ComposeNetworkPlan {
  subnet: string;
  ipRange: string;
  gateway: string;
  /** Outside `ipRange`, so no other container can take it. */
  fixedAddress: string;
}

export type ContainerRole = Workload['role'];

/** How innover decides a container is ready under Compose. */
export type HealthStrategy =
  /** A Docker healthcheck (in the compose file). */
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

export type ComposeCondition = 'service_healthy' | 'service_completed_successfully' | 'service_started';

export interface DependencyPlan {
  name: string;
  condition: ComposeCondition;
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
  /** `never` for a container that runs an image another container builds (a service's worker). */
  pullPolicy?: 'never';
  entrypoint?: readonly string[];
  command?: readonly string[];
  /** `source:target[:ro]`; sources starting with `./` are relative to the project directory. */
  volumes: readonly string[];
  /** A fixed address on the plan's network (outside the range Docker allocates from). */
  ipv4Address?: string;
  healthcheck?: HealthcheckPlan;
  /** `['ALL']` when the plan lists the capabilities to keep; `capAdd` holds those. */
  capDrop?: readonly string[];
  capAdd?: readonly string[];
  /** `no-new-privileges:true` when the plan forbids privilege escalation. */
  securityOpt?: readonly string[];
  readOnly?: boolean;
  /** Writable scratch paths of a read-only container. */
  tmpfs?: readonly string[];
  restart: 'unless-stopped' | 'no';
}

/** A Docker healthcheck; only for images that carry the tool it runs. */
export interface HealthcheckPlan {
  test: readonly string[];
  interval: string;
  timeout: string;
  retries: number;
  startPeriod: string;
  startInterval: string;
}

const conditions: Readonly<Record<DependencySense, ComposeCondition>> = {
  started: 'service_started',
  healthy: 'service_healthy',
  completed: 'service_completed_successfully',
};

/** A literal for Compose: `$` doubled, so Compose passes it through rather than interpolating. */
function literal(text: string): string {
  return text.replaceAll('$', '$$$$');
}

/** A neutral text in Compose syntax: secrets as `${KEY}` (`${KEY:-}` when optional), literals escaped. */
export function composeText(text: Text): string {
  if (typeof text === 'string') return literal(text);
  if ('concat' in text) return text.concat.map(composeText).join('');
  return text.optional ? `\${${text.secret}:-}` : `\${${text.secret}}`;
}

/** A healthcheck that asks an HTTP endpoint with nothing but bash builtins (no curl in most images). */
function bashHttpCheck(port: number, path: string): string[] {
  const request = `GET ${path} HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n`;
  return ['CMD', 'bash', '-c', `exec 3<>/dev/tcp/127.0.0.1/${port} && printf '${request}' >&3 && read -r status <&3 && [[ $status == *' 200'* ]]`];
}

/** The healthcheck test of a probe, in the container, with the tools the image carries; undefined: the image cannot run it. */
function healthcheckTest(workload: Workload, probe: ProbePlan): readonly string[] | undefined {
  if (probe.inImage) return ['CMD', ...probe.inImage];
  const { check } = probe;
  const tools = new Set(workload.imageTools);
  switch (check.kind) {
    case 'exec': {
      const [program, flag, line] = check.command;
      if (program === 'sh' && flag === '-c' && line !== undefined && check.command.length === 3) return ['CMD-SHELL', line];
      return ['CMD', ...check.command];
    }
    case 'tcp':
      return tools.has('bash') ? ['CMD', 'bash', '-c', `exec 3<>/dev/tcp/127.0.0.1/${check.port}`] : undefined;
    case 'http':
      if (tools.has('curl')) return ['CMD', 'curl', '-fsk', '-o', '/dev/null', `${check.scheme ?? 'http'}://localhost:${check.port}${check.path}`];
      if (tools.has('bash') && check.scheme !== 'https') return bashHttpCheck(check.port, check.path);
      return undefined;
  }
}

/**
 * How often Docker runs a healthcheck once the container is healthy. A check is an exec in the container:
 * about 35 ms of CPU between dockerd, containerd, the shim, runc and the check itself, so the stack's 16
 * containers checked every 5-10 s cost a tenth of a CPU doing nothing (about 2 ms a payment under load).
 * Every 30 s (Docker's default) costs a third of that.
 */
const steadyHealthcheckIntervalSeconds = 30;

/** While a container starts, Docker checks it every second, so innover sees it ready as soon as it is. */
const startHealthcheckIntervalSeconds = 1;

/**
 * A Docker healthcheck for the workload's readiness, when the image can run it. The probe's interval is the
 * Kubernetes one (kubelet's HTTP probes cost next to nothing); under Compose the container is checked every
 * second while it starts, for as long as innover waits for it (its start timeout; failures before the first
 * success never count), then every `steadyHealthcheckIntervalSeconds`, with the retries that keep the probe's
 * time to unhealthy (interval × failure threshold), two at least.
 */
export function composeHealthcheck(workload: Workload): HealthcheckPlan | undefined {
  const probe = workload.readiness;
  if (!probe || workload.lifecycle === 'one-shot') return undefined;
  const test = healthcheckTest(workload, probe);
  if (!test) return undefined;
  const interval = Math.max(probe.intervalSeconds, steadyHealthcheckIntervalSeconds);
  return {
    test: test.map(literal),
    interval: `${interval}s`,
    timeout: `${probe.timeoutSeconds}s`,
    retries: Math.max(2, Math.ceil((probe.intervalSeconds * probe.failureThreshold) / interval)),
    startPeriod: `${Math.max(probe.startPeriodSeconds, workload.startTimeoutSeconds)}s`,
    startInterval: `${startHealthcheckIntervalSeconds}s`,
  };
}

/**
 * How innover sees the workload become ready under Compose: a job by its exit, a workload with a
 * healthcheck by Docker's health, a shell-less one by an HTTP probe from the host on the port that
 * publishes its readiness probe's.
 */
export function composeHealth(workload: Workload): HealthStrategy {
  if (workload.lifecycle === 'one-shot') return { kind: 'exit-zero' };
  if (composeHealthcheck(workload) || !workload.readiness) return { kind: 'docker' };
  const { check } = workload.readiness;
  const published = check.kind === 'exec' ? undefined : workload.ports.find((port) => port.container === check.port);
  if (check.kind !== 'http' || !published) {
    throw new Error(`${workload.name}: its readiness probe can run neither in its image nor from the host (publish the probe's port)`);
  }
  return { kind: 'host-probe', url: `${check.scheme ?? 'http'}://localhost:${published.host}${check.path}` };
}

/** The plan's hardening in Compose's terms: cap_drop/cap_add, security_opt, read_only and tmpfs. */
function composeSecurity(security: SecurityPlan): Pick<ContainerRuntime, 'capDrop' | 'capAdd' | 'securityOpt' | 'readOnly' | 'tmpfs'> {
  return {
    ...(security.capabilities ? { capDrop: ['ALL'] } : {}),
    ...(security.capabilities?.length ? { capAdd: [...security.capabilities] } : {}),
    ...(security.noNewPrivileges ? { securityOpt: ['no-new-privileges:true'] } : {}),
    ...(security.readOnlyRootFilesystem ? { readOnly: true } : {}),
    ...(security.readOnlyRootFilesystem && security.tmpfs.length ? { tmpfs: [...security.tmpfs] } : {}),
  };
}

/** The Compose container of one workload. */
export function composeContainer(plan: StackPlan, workload: Workload): ContainerPlan {
  const filePath = (id: string): string => {
    const file = plan.files.find((entry) => entry.id === id);
    if (!file) throw new Error(`${workload.name} mounts file ${id}, which the plan lacks`);
    return file.path;
  };
  const healthcheck = composeHealthcheck(workload);
  const runtime: ContainerRuntime = {
    ...(workload.build ? { build: workload.build } : {}),
    ...(workload.imageFrom ? { pullPolicy: 'never' as const } : {}),
    ...(workload.entrypoint ? { entrypoint: workload.entrypoint.map(composeText) } : {}),
    ...(workload.command ? { command: workload.command.map(composeText) } : {}),
    volumes: workload.volumes.map((volume) =>
      volume.kind === 'data' ? `${volume.volume}:${volume.mountPath}` : `./${filePath(volume.file)}:${volume.mountPath}:ro`,
    ),
    ...(workload.fixedAddress && plan.network ? { ipv4Address: plan.network.fixedAddress } : {}),
    ...(healthcheck ? { healthcheck } : {}),
    ...composeSecurity(workload.security),
    restart: workload.restart === 'always' ? 'unless-stopped' : 'no',
  };
  return {
    name: workload.name,
    role: workload.role,
    component: workload.component as ComponentName,
    ...(workload.service ? { service: workload.service } : {}),
    image: workload.image,
    category: workload.category,
    resources: workload.resources,
    resourcesOverridden: workload.resourcesOverridden,
    dependsOn: workload.dependsOn.map((dependency) => ({ name: dependency.name, condition: conditions[dependency.condition] })),
    ports: workload.ports.map((port) => ({ host: port.host, container: port.container, ...(port.hostOnly ? { hostIp: '127.0.0.1' } : {}), purpose: port.purpose })),
    health: composeHealth(workload),
    startTimeoutSeconds: workload.startTimeoutSeconds,
    environment: Object.fromEntries(Object.entries(workload.environment).map(([key, value]) => [key, composeText(value)])),
    runtime,
  };
}

/** The whole plan as Compose reads it. Pure. */
export function composePlan(plan: StackPlan): ComposeStackPlan {
  return {
    project: plan.project,
    profile: plan.profile,
    components: plan.components,
    database: plan.database,
    containers: plan.workloads.map((workload) => composeContainer(plan, workload)),
    volumes: plan.volumes.map((volume) => volume.name),
    ...(plan.network
      ? { network: { subnet: plan.network.subnet, ipRange: plan.network.ipRange, gateway: plan.network.gateway, fixedAddress: plan.network.fixedAddress } }
      : {}),
    resources: plan.resources,
  };
}
