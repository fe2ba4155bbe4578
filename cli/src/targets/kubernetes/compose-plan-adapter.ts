import type {
  ConfigFile,
  DataVolume,
  DependencySense,
  ImageTool,
  Probe,
  ProbePlan,
  SecretRef,
  SecurityPlan,
  StackPlan,
  Text,
  VolumeMount,
  Workload,
} from '../../plan/types.js';
import { planStack, profileFilePaths, sharedFilePaths } from '../../topology/plan-stack.js';
import type { Topology } from '../../topology/schema.js';
import type { ContainerPlan, DependencyPlan as ComposeDependency, HealthcheckPlan, StackPlan as ComposeStackPlan } from '../../topology/stack-plan.js';

/**
 * A bridge, until `planStack` returns the target-neutral plan (cli/src/plan/types.ts): reads the
 * Compose-flavoured plan of topology/stack-plan.ts and gives the neutral one, so the Kubernetes
 * target is written against the neutral types only. Compose syntax is undone here, in one place:
 * `${KEY}` becomes a secret reference, `$$` a `$`, `./path` mounts config files by id, and the
 * healthchecks become probes as data. Delete this file when the components' plan lands.
 */
export function neutralPlan(topology: Topology, profileName: string): StackPlan {
  const compose = planStack(topology, profileName);
  const files = configFiles(topology, profileName);
  const volumes: DataVolume[] = compose.volumes.map((name) => ({ name, sizeHint: volumeSize(name) }));
  return {
    project: compose.project,
    profile: compose.profile,
    components: compose.components,
    database: compose.database,
    workloads: compose.containers.map((container) => workload(container, compose, files)),
    volumes,
    files,
    ...(compose.network
      ? { network: { subnet: compose.network.subnet, ipRange: compose.network.ipRange, gateway: compose.network.gateway, fixedAddress: compose.network.nginxAddress } }
      : {}),
    resources: compose.resources,
    componentPlans: [],
    urls: [],
  };
}

function volumeSize(name: string): string {
  if (name.startsWith('redis')) return '2Gi';
  return '10Gi';
}

/** The generated files, by id, at the paths innover writes them for this profile. */
function configFiles(topology: Topology, profileName: string): ConfigFile[] {
  const paths = profileFilePaths(topology, profileName);
  return [
    { id: 'nginx', path: paths.nginx },
    { id: 'collector', path: paths.collector },
    { id: 'jaeger', path: paths.jaeger },
    { id: 'realm', path: sharedFilePaths.realm },
    { id: 'wso2-deployment', path: sharedFilePaths.wso2Deployment },
    { id: 'cockroach-bootstrap', path: sharedFilePaths.cockroachBootstrap },
    { id: 'postgres-init', path: sharedFilePaths.postgresInit, executable: true },
  ];
}

/** Compose text → neutral text: `$$` is `$`, `${KEY}` / `${KEY:-}` a secret reference. */
export function parseComposeText(value: string): Text {
  const parts: (string | SecretRef)[] = [];
  let literal = '';
  for (let index = 0; index < value.length; index += 1) {
    if (value.startsWith('$$', index)) {
      literal += '$';
      index += 1;
      continue;
    }
    const reference = /^\$\{([A-Z_][A-Z0-9_]*)(:-)?\}/.exec(value.slice(index));
    if (reference) {
      if (literal) parts.push(literal);
      literal = '';
      parts.push(reference[2] ? { secret: reference[1]!, optional: true } : { secret: reference[1]! });
      index += reference[0].length - 1;
      continue;
    }
    literal += value[index];
  }
  if (literal) parts.push(literal);
  if (parts.length === 0) return '';
  if (parts.length === 1) return parts[0]!;
  return { concat: parts };
}

/** Compose text that must be a literal (a probe's command): `$$` undone; a secret there is a bug. */
function literalText(value: string): string {
  const text = parseComposeText(value);
  if (typeof text !== 'string') throw new Error(`a secret reference where only a literal may be: ${value}`);
  return text;
}

function secretsOf(texts: readonly Text[]): string[] {
  const keys = texts.flatMap((text) => (typeof text === 'string' ? [] : 'secret' in text ? [text.secret] : text.concat.flatMap((part) => (typeof part === 'string' ? [] : [part.secret]))));
  return [...new Set(keys)];
}

const conditions: Record<ComposeDependency['condition'], DependencySense> = {
  service_healthy: 'healthy',
  service_completed_successfully: 'completed',
  service_started: 'started',
};

function seconds(duration: string): number {
  const match = /^(\d+)s$/.exec(duration);
  if (!match) throw new Error(`not a duration in seconds: ${duration}`);
  return Number(match[1]);
}

/** A compose healthcheck's test as a probe: HTTP or TCP where the test is one, else the command itself. */
function probeOf(test: readonly string[], container: ContainerPlan): Probe {
  const [form, ...argv] = test;
  if (form === 'CMD-SHELL') return { kind: 'exec', command: ['sh', '-c', literalText(argv.join(' '))] };
  const line = argv.join(' ');
  const http = /\/dev\/tcp\/127\.0\.0\.1\/(\d+) && printf 'GET (\S+) /.exec(line);
  if (http) return { kind: 'http', port: Number(http[1]), path: http[2]! };
  const tcp = /^bash -c exec 3<>\/dev\/tcp\/127\.0\.0\.1\/(\d+)$/.exec(line);
  if (tcp) return { kind: 'tcp', port: Number(tcp[1]) };
  const curl = /^curl -fsk -o \/dev\/null (https?):\/\/localhost:(\d+)(\/\S*)$/.exec(line);
  if (curl) return { kind: 'http', scheme: curl[1] as 'http' | 'https', port: Number(curl[2]), path: curl[3]! };
  if (container.role === 'api' && line.endsWith('healthcheck.js api')) {
    return { kind: 'http', port: container.ports[0]?.container ?? 8000, path: '/readiness' };
  }
  return { kind: 'exec', command: argv.map(literalText) };
}

function probePlan(check: Probe, healthcheck: HealthcheckPlan | undefined, startPeriodSeconds?: number): ProbePlan {
  return {
    check,
    startPeriodSeconds: startPeriodSeconds ?? (healthcheck ? seconds(healthcheck.startPeriod) : 10),
    intervalSeconds: healthcheck ? seconds(healthcheck.interval) : 10,
    timeoutSeconds: healthcheck ? seconds(healthcheck.timeout) : 5,
    failureThreshold: healthcheck?.retries ?? 3,
  };
}

/** Readiness and the cheaper liveness check of a container. */
function probes(container: ContainerPlan): { readiness?: ProbePlan; liveness?: ProbePlan } {
  const healthcheck = container.runtime.healthcheck;
  if (container.health.kind === 'host-probe') {
    const url = new URL(container.health.url);
    const port = container.ports.find((candidate) => candidate.host === Number(url.port))?.container ?? Number(url.port);
    const check: Probe = { kind: 'http', port, path: url.pathname };
    return { readiness: probePlan(check, undefined, 5), liveness: probePlan(check, undefined, 5) };
  }
  if (!healthcheck) return {};
  if (container.component === 'database' && container.name.startsWith('cockroach')) {
    // CockroachDB's own chart: ready is /health?ready=1 (it also holds back an uninitialised node), alive is /health.
    return {
      readiness: probePlan({ kind: 'http', port: 8080, path: '/health?ready=1' }, healthcheck),
      liveness: probePlan({ kind: 'http', port: 8080, path: '/health' }, healthcheck),
    };
  }
  const readiness = probePlan(probeOf(healthcheck.test, container), healthcheck);
  if (container.role === 'api') {
    return { readiness, liveness: { ...readiness, check: { kind: 'http', port: container.ports[0]?.container ?? 8000, path: '/health' } } };
  }
  if (container.component === 'keycloak' && readiness.check.kind === 'http') {
    return { readiness, liveness: { ...readiness, check: { ...readiness.check, path: readiness.check.path.replace(/ready$/, 'live') } } };
  }
  return { readiness };
}

/** Which tools each image carries (the service images run on node:*-slim: neither). */
function imageTools(container: ContainerPlan): ImageTool[] {
  if (container.component === 'services' || container.component === 'otel-collector' || container.component === 'jaeger') return [];
  if (container.component === 'wso2') return ['bash', 'curl'];
  return ['bash'];
}

/**
 * Each image's numeric user and what it writes outside its volumes. The service images run as
 * `node` (uid 1000 in node:*-slim); the others as the user their image declares.
 */
function security(container: ContainerPlan): SecurityPlan {
  const base = { noNewPrivileges: true, capabilities: [] as string[] };
  switch (container.component) {
    case 'services':
      return { ...base, runAsUser: 1000, readOnlyRootFilesystem: true, tmpfs: ['/tmp'] };
    case 'database':
      return container.name.startsWith('postgres')
        ? { ...base, runAsUser: 999, readOnlyRootFilesystem: false, tmpfs: [] }
        : { ...base, runAsUser: 1000, readOnlyRootFilesystem: false, tmpfs: [] };
    case 'redis':
      return { ...base, runAsUser: 999, readOnlyRootFilesystem: true, tmpfs: ['/tmp'] };
    case 'redpanda':
      return { ...base, runAsUser: 101, readOnlyRootFilesystem: false, tmpfs: [] };
    case 'keycloak':
      return { ...base, runAsUser: 1000, readOnlyRootFilesystem: false, tmpfs: [] };
    case 'wso2':
      return { ...base, runAsUser: 802, readOnlyRootFilesystem: false, tmpfs: [] };
    case 'nginx':
      return { ...base, runAsUser: 101, readOnlyRootFilesystem: true, tmpfs: ['/var/cache/nginx', '/var/run', '/tmp'] };
    case 'otel-collector':
    case 'jaeger':
      return { ...base, runAsUser: 10001, readOnlyRootFilesystem: true, tmpfs: ['/tmp'] };
  }
}

function mounts(container: ContainerPlan, files: readonly ConfigFile[]): VolumeMount[] {
  return container.runtime.volumes.map((volume): VolumeMount => {
    const [source, target] = volume.split(':') as [string, string];
    if (!source.startsWith('./')) return { kind: 'data', volume: source, mountPath: target };
    const file = files.find((candidate) => candidate.path === source.slice(2));
    if (!file) throw new Error(`${container.name}: no config file id for ${source}`);
    return { kind: 'config', file: file.id, mountPath: target };
  });
}

function workload(container: ContainerPlan, compose: ComposeStackPlan, files: readonly ConfigFile[]): Workload {
  const environment = Object.fromEntries(Object.entries(container.environment).map(([key, value]) => [key, parseComposeText(value)]));
  const entrypoint = container.runtime.entrypoint?.map(parseComposeText);
  const command = container.runtime.command?.map(parseComposeText);
  const volumes = mounts(container, files);
  const api = container.runtime.pullPolicy === 'never' ? compose.containers.find((candidate) => candidate.role === 'api' && candidate.service === container.service) : undefined;
  return {
    name: container.name,
    lifecycle: container.role === 'job' ? 'one-shot' : 'long-running',
    role: container.role,
    component: container.component,
    ...(container.service ? { service: container.service } : {}),
    image: container.image,
    ...(container.runtime.build ? { build: container.runtime.build } : {}),
    ...(api ? { imageFrom: api.name } : {}),
    imageTools: imageTools(container),
    ...(entrypoint ? { entrypoint } : {}),
    ...(command ? { command } : {}),
    environment,
    ports: container.ports.map((port) => ({ container: port.container, host: port.host, purpose: port.purpose, ...(port.hostIp ? { hostOnly: true } : {}) })),
    volumes,
    ...probes(container),
    dependsOn: container.dependsOn.map((dependency) => ({ name: dependency.name, condition: conditions[dependency.condition] })),
    category: container.category,
    resources: container.resources,
    resourcesOverridden: container.resourcesOverridden,
    restart: container.runtime.restart === 'no' ? 'never' : 'always',
    ...(container.runtime.ipv4Address ? { fixedAddress: true } : {}),
    security: security(container),
    stateful: volumes.some((volume) => volume.kind === 'data'),
    secrets: secretsOf([...Object.values(environment), ...(entrypoint ?? []), ...(command ?? [])]),
    startTimeoutSeconds: container.startTimeoutSeconds,
  };
}
