import { mirroredPath } from '../../plan/image-references.js';
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { ConfigMap, Service } from 'kubernetes-models/v1';
import type { IContainer, IEnvVar, IPodSpec, IProbe, IVolume, IVolumeMount } from 'kubernetes-models/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import type { ProbePlan, SecretRef, SecurityPlan, StackPlan, Text, Workload } from '../../plan/types.js';
import { helmBlock, helmValue } from './helm-template.js';
import { componentLabel, jobLabel, nameLabel, optionalSecretKeys, partOfLabel } from './names.js';
import { objectName, statefulSetName } from './values.js';

/**
 * The Kubernetes target: the neutral plan in, manifests out, as plain objects built with
 * kubernetes-models' typed classes. Pure. The values-driven parts (images, replicas, resources,
 * storage, Keycloak's URL, the Secret's name, the namespace) are Helm expressions
 * (helm-template.ts); chart.ts writes the files.
 *
 * Every object is named as the workload is in the plan, which is also the host name the other
 * workloads use: one release per namespace, so nothing needs the release name in it.
 */

/** One template file of the chart: `templates/<name>.yaml` with its documents. */
export interface TemplateFile {
  name: string;
  documents: object[];
}

/** A config file's content, by the plan's file id, as the renderers give it. */
export type ConfigContents = Readonly<Record<string, string>>;

/** What the target needs besides the plan: the config files' contents and Keycloak's public URL as the plan spells it. */
export interface KubernetesInput {
  plan: StackPlan;
  contents: ConfigContents;
  /** The plan's Keycloak public URL: a literal starting with it becomes `.Values.keycloak.publicUrl`. */
  keycloakPublicUrl: string;
  /**
   * Whole literals that values set on a cluster, by the expression that replaces them (the admin
   * console's URL; the proxy address Keycloak trusts, which in Compose is Nginx's fixed address).
   */
  valueLiterals: Readonly<Record<string, string>>;
}

const namespace = () => helmValue('.Release.Namespace');
const secretName = () => helmValue('include "innover.secretName" .');
/** Where a script the plan runs with `bash -c` is mounted from its ConfigMap. */
const scriptPath = '/innover/script/run.sh';

function labels(workload: string, component: string): Record<string, string> {
  return {
    [nameLabel]: workload,
    'app.kubernetes.io/instance': helmValue('.Release.Name'),
    [componentLabel]: component,
    [partOfLabel]: 'innover',
    'app.kubernetes.io/managed-by': helmValue('.Release.Service'),
  };
}

function selector(workload: string): Record<string, string> {
  return { [nameLabel]: workload, 'app.kubernetes.io/instance': helmValue('.Release.Name') };
}

function metadata(name: string, component: string, extraLabels: Record<string, string> = {}) {
  return { name, namespace: namespace(), labels: { ...labels(name, component), ...extraLabels } };
}

/** Host names of numbered members (cockroach1) for everyone else: the StatefulSet's client Service. */
function clientHosts(plan: StackPlan): Map<string, string> {
  const hosts = new Map<string, string>();
  for (const workload of plan.workloads) {
    const set = statefulSetName(workload.name);
    if (workload.stateful && set !== workload.name) hosts.set(workload.name, set);
  }
  return hosts;
}

function rewriteHosts(value: string, hosts: ReadonlyMap<string, string>): string {
  let result = value;
  for (const [from, to] of hosts) result = result.replace(new RegExp(`\\b${from}(?=:\\d)`, 'g'), to);
  return result;
}

/** Kubernetes expands `$(NAME)` in env values, command and args; `$$` keeps a literal `$`. */
function escapeExpansion(value: string): string {
  return value.replaceAll('$(', '$$(');
}

class Translation {
  /** Secrets an env value, a command or an argument refers to: defined first, so `$(KEY)` expands. */
  readonly referenced = new Set<string>();
  constructor(
    private readonly input: KubernetesInput,
    private readonly hosts: ReadonlyMap<string, string>,
  ) {}

  literal(value: string): string {
    return escapeExpansion(rewriteHosts(value, this.hosts));
  }

  /** A literal that starts with Keycloak's public URL becomes the values' URL plus the rest. */
  private keycloakDerived(value: string): string | undefined {
    const base = this.input.keycloakPublicUrl;
    if (!value.startsWith(base)) return undefined;
    return helmValue(`printf "%s%s" .Values.keycloak.publicUrl ${JSON.stringify(value.slice(base.length))} | quote`);
  }

  /** A value in env/command/args text: secrets as `$(KEY)`, each defined as an env var. */
  inline(text: Text): string {
    if (typeof text === 'string') {
      const expression = this.input.valueLiterals[text];
      if (expression !== undefined) return helmValue(expression);
      return this.keycloakDerived(text) ?? this.literal(text);
    }
    const parts = 'secret' in text ? [text] : text.concat;
    return parts
      .map((part) => {
        if (typeof part === 'string') return this.literal(part);
        this.referenced.add(part.secret);
        return `$(${part.secret})`;
      })
      .join('');
  }

  env(name: string, text: Text): IEnvVar {
    if (typeof text !== 'string' && 'secret' in text) return secretEnv(name, text);
    return { name, value: this.inline(text) };
  }
}

function secretEnv(name: string, reference: SecretRef): IEnvVar {
  const optional = reference.optional === true || optionalSecretKeys.has(reference.secret);
  return { name, valueFrom: { secretKeyRef: { name: secretName(), key: reference.secret, ...(optional ? { optional: true } : {}) } } };
}

function probeHandler(probe: ProbePlan['check'], portMap: (port: number) => number): Pick<IProbe, 'httpGet' | 'tcpSocket' | 'exec'> {
  if (probe.kind === 'http') return { httpGet: { port: portMap(probe.port), path: probe.path, ...(probe.scheme === 'https' ? { scheme: 'HTTPS' } : {}) } };
  if (probe.kind === 'tcp') return { tcpSocket: { port: portMap(probe.port) } };
  return { exec: { command: [...probe.command] } };
}

/**
 * Compose's one healthcheck, in Kubernetes' three probes: the start period (and the time innover
 * gives the workload to start) is the startupProbe; the health test the readinessProbe; a cheaper
 * check, or the same one, the livenessProbe with twice the failure threshold, so a slow moment
 * takes the pod out of its Service before it gets it restarted.
 */
function probes(workload: Workload, portMap: (port: number) => number): Pick<IContainer, 'readinessProbe' | 'livenessProbe' | 'startupProbe'> {
  const readiness = workload.readiness;
  if (!readiness) return {};
  const liveness = workload.liveness ?? readiness;
  const timing = (plan: ProbePlan) => ({ periodSeconds: plan.intervalSeconds, timeoutSeconds: plan.timeoutSeconds });
  const startWindow = Math.max(readiness.startPeriodSeconds, workload.startTimeoutSeconds);
  const startPeriod = Math.min(readiness.intervalSeconds, 5);
  return {
    startupProbe: { ...probeHandler(liveness.check, portMap), periodSeconds: startPeriod, timeoutSeconds: liveness.timeoutSeconds, failureThreshold: Math.ceil(startWindow / startPeriod) },
    readinessProbe: { ...probeHandler(readiness.check, portMap), ...timing(readiness), failureThreshold: readiness.failureThreshold },
    livenessProbe: { ...probeHandler(liveness.check, portMap), ...timing(liveness), failureThreshold: liveness.failureThreshold * 2 },
  };
}

/** Ports below 1024 need root or NET_BIND_SERVICE: a non-root pod listens 8000 higher, its Service keeps the port. */
function podPort(workload: Workload, port: number): number {
  const user = kubernetesSecurity(workload).runAsUser;
  return port < 1024 && user !== undefined && user !== 0 ? port + 8000 : port;
}

function imageExpression(workload: Workload): string {
  if (workload.build || workload.imageFrom) {
    const repository = workload.image.replace(/:[^:/]+$/, '');
    return helmValue(`include "innover.image" (dict "registry" .Values.image.registry "image" (printf "%s:%s" ${JSON.stringify(repository)} .Values.image.tag)) | quote`);
  }
  // Under a mirror, the path `images push --all` pushes to: the image's own registry host dropped.
  return helmValue(`include "innover.image" (dict "registry" .Values.thirdPartyRegistry "image" ${JSON.stringify(workload.image)} "mirrored" ${JSON.stringify(mirroredPath(workload.image))}) | quote`);
}

/** A `bash -c <script>` workload: the script moves into a ConfigMap, where it needs no escaping. */
function script(workload: Workload): { shell: string; body: string } | undefined {
  const [shell, flag] = workload.entrypoint ?? [];
  const body = workload.command?.[0];
  if (typeof shell !== 'string' || flag !== '-c' || typeof body !== 'string' || workload.command?.length !== 1 || !body.includes('\n')) return undefined;
  return { shell, body };
}

function configMapName(fileId: string): string {
  return `${fileId}-config`;
}

function scriptConfigMapName(workload: Workload): string {
  return `${statefulSetName(workload.name)}-script`;
}

function checksum(values: readonly string[]): string {
  return createHash('sha256').update(values.join('\0')).digest('hex').slice(0, 16);
}

/**
 * For images the plan says start as root (no SecurityPlan.runAsUser: Compose runs them so), the
 * numeric user each can run as from the start, as `runAsNonRoot` needs, by the image's name (its
 * repository's last segment, so a mirror keeps it), with the scratch folders it then needs.
 */
const rootStartedImages: Readonly<Record<string, { runAsUser: number; readOnlyRootFilesystem: boolean; tmpfs: readonly string[] }>> = {
  // CockroachDB's own chart runs it as 1000; the data directory is the volume, owned through fsGroup.
  cockroach: { runAsUser: 1000, readOnlyRootFilesystem: false, tmpfs: [] },
  // As its `nginx` user from the start, Nginx cannot create its temp folders or pid file in the image.
  nginx: { runAsUser: 101, readOnlyRootFilesystem: true, tmpfs: ['/var/cache/nginx', '/var/run', '/tmp'] },
};

/**
 * The pod's hardening, from the plan's SecurityPlan: its user (or, for an image Compose starts as
 * root, the one above), its read-only root filesystem and scratch folders. Every container drops
 * all capabilities and may not escalate privileges. The capabilities the plan adds back serve an
 * image that starts as root; started as its own user, a container needs none (a non-root
 * process cannot use them anyway without file capabilities).
 */
export function kubernetesSecurity(workload: Workload): SecurityPlan & { capabilities: readonly string[] } {
  const plan = workload.security;
  const imageName = workload.image.replace(/[:@].*$/, '').split('/').pop() ?? '';
  const started = plan.runAsUser === undefined ? rootStartedImages[imageName] : undefined;
  const runAsUser = plan.runAsUser ?? started?.runAsUser;
  return {
    ...(runAsUser === undefined ? {} : { runAsUser }),
    readOnlyRootFilesystem: plan.readOnlyRootFilesystem || (started?.readOnlyRootFilesystem ?? false),
    tmpfs: [...new Set([...(started?.tmpfs ?? []), ...plan.tmpfs])],
    noNewPrivileges: true,
    capabilities: runAsUser === undefined || runAsUser === 0 ? (plan.capabilities ?? []) : [],
  };
}

interface PodParts {
  spec: IPodSpec;
  annotations: Record<string, string>;
}

/** Which init container waits for a dependency, by the dependency's component. */
const dependencyChecks: Readonly<Record<string, { check: 'database' | 'redis' | 'broker'; variable: string }>> = {
  database: { check: 'database', variable: 'DATABASE_URL' },
  redis: { check: 'redis', variable: 'REDIS_URL' },
  redpanda: { check: 'broker', variable: 'KAFKA_BROKERS' },
};

/** The kit's entry point in every service image (services/kit/src/bin/wait-for-dependencies.ts). */
export const waitForDependenciesEntryPoint = '/app/services/kit/dist/bin/wait-for-dependencies.js';

function podParts(workload: Workload, input: KubernetesInput, hosts: ReadonlyMap<string, string>, extra: { env?: IEnvVar[]; args?: string[] } = {}): PodParts {
  const translation = new Translation(input, hosts);
  const scripted = script(workload);
  const command = scripted ? [scripted.shell, scriptPath] : workload.entrypoint?.map((text) => translation.inline(text));
  const args = scripted ? undefined : (extra.args ?? workload.command?.map((text) => translation.inline(text)));
  const declared = Object.entries(workload.environment).map(([name, text]) => translation.env(name, text));
  const declaredNames = new Set(declared.map((variable) => variable.name));
  const helpers = [...translation.referenced].filter((key) => !declaredNames.has(key)).map((key) => secretEnv(key, { secret: key }));
  const env = [...(extra.env ?? []), ...helpers, ...declared];

  const volumes: IVolume[] = [];
  const mounts: IVolumeMount[] = [];
  const contents: string[] = [];
  const fileIds = new Set<string>();
  for (const volume of workload.volumes) {
    if (volume.kind === 'data') {
      mounts.push({ name: 'data', mountPath: volume.mountPath });
      continue;
    }
    const file = input.plan.files.find((candidate) => candidate.id === volume.file);
    if (!file) throw new Error(`${workload.name}: the plan has no config file '${volume.file}'`);
    const key = posix.basename(file.path);
    if (!fileIds.has(file.id)) {
      volumes.push({ name: `config-${file.id}`, configMap: { name: configMapName(file.id), ...(file.executable ? { defaultMode: 0o555 } : {}) } });
      fileIds.add(file.id);
    }
    mounts.push({ name: `config-${file.id}`, mountPath: volume.mountPath, subPath: key, readOnly: true });
    contents.push(input.contents[file.id] ?? '');
  }
  if (scripted) {
    volumes.push({ name: 'script', configMap: { name: scriptConfigMapName(workload) } });
    mounts.push({ name: 'script', mountPath: posix.dirname(scriptPath), readOnly: true });
    contents.push(scripted.body);
  }
  const security = kubernetesSecurity(workload);
  security.tmpfs.forEach((path, index) => {
    volumes.push({ name: `scratch-${index}`, emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } });
    mounts.push({ name: `scratch-${index}`, mountPath: path });
  });

  const user = security.runAsUser;
  const containerSecurity: IContainer['securityContext'] = {
    ...(user !== undefined ? { runAsUser: user, runAsGroup: user, runAsNonRoot: user !== 0 } : {}),
    allowPrivilegeEscalation: !security.noNewPrivileges,
    readOnlyRootFilesystem: security.readOnlyRootFilesystem,
    capabilities: { drop: ['ALL'], ...(security.capabilities.length ? { add: [...security.capabilities] } : {}) },
  };
  const portMap = (port: number) => podPort(workload, port);
  const listening = workload.lifecycle === 'long-running' ? reachedPorts(input.plan, workload, input.contents) : [];
  const image = imageExpression(workload);
  const pullPolicy: IContainer['imagePullPolicy'] = workload.build || workload.imageFrom ? helmValue('.Values.image.pullPolicy') : 'IfNotPresent';
  const resources = helmBlock<IContainer['resources']>(`index .Values.resources ${JSON.stringify(objectName(workload))}`);
  const container: IContainer = {
    name: workload.role === 'job' ? 'job' : workload.role === 'api' || workload.role === 'worker' ? workload.role : statefulSetName(workload.name),
    image,
    imagePullPolicy: pullPolicy,
    ...(command ? { command } : {}),
    ...(args ? { args } : {}),
    ...(env.length ? { env } : {}),
    ...(listening.length ? { ports: listening.map((port) => ({ containerPort: portMap(port), protocol: 'TCP' as const })) } : {}),
    ...(mounts.length ? { volumeMounts: mounts } : {}),
    resources,
    ...probes(workload, portMap),
    securityContext: containerSecurity,
  };

  // Every dependency the service reaches over the network, checked from its own image before it starts.
  const initContainers: IContainer[] = [];
  if (workload.role === 'api' || workload.role === 'worker') {
    const seen = new Set<string>();
    for (const dependency of workload.dependsOn) {
      const target = input.plan.workloads.find((candidate) => candidate.name === dependency.name);
      const check = target ? dependencyChecks[target.component] : undefined;
      if (!check && target && dependency.condition === 'healthy' && target.ports[0] && !seen.has(target.name)) {
        // Any other dependency that must be healthy: its Service's port accepts connections.
        seen.add(target.name);
        const host = hosts.get(target.name) ?? target.name;
        initContainers.push({
          name: `wait-for-${statefulSetName(target.name)}`,
          image,
          imagePullPolicy: pullPolicy,
          command: ['node', waitForDependenciesEntryPoint, `tcp:${host}:${target.ports[0].container}`],
          resources,
          securityContext: containerSecurity,
        });
        continue;
      }
      if (!check || seen.has(check.check) || !(check.variable in workload.environment)) continue;
      seen.add(check.check);
      // Only the variable the check reads, and the secrets its value expands.
      const variable = env.find((candidate) => candidate.name === check.variable)!;
      const expanded = [...(variable.value ?? '').matchAll(/\$\(([A-Z_][A-Z0-9_]*)\)/g)].map((match) => match[1]);
      initContainers.push({
        name: `wait-for-${check.check}`,
        image,
        imagePullPolicy: pullPolicy,
        command: ['node', waitForDependenciesEntryPoint, check.check],
        env: [...env.filter((candidate) => expanded.includes(candidate.name)), variable],
        resources,
        securityContext: containerSecurity,
      });
    }
  }

  const spec: IPodSpec = {
    ...(workload.role === 'job' ? { restartPolicy: 'Never' } : {}),
    enableServiceLinks: false,
    imagePullSecrets: helmBlock('.Values.imagePullSecrets'),
    securityContext: {
      ...(user !== undefined ? { runAsUser: user, runAsGroup: user, runAsNonRoot: user !== 0, fsGroup: user } : {}),
      seccompProfile: { type: 'RuntimeDefault' },
    },
    ...(initContainers.length ? { initContainers } : {}),
    containers: [container],
    ...(volumes.length ? { volumes } : {}),
  };
  return { spec, annotations: contents.length ? { 'innover.dev/config-checksum': checksum(contents) } : {} };
}

function literals(text: Text): string[] {
  if (typeof text === 'string') return [text];
  return 'secret' in text ? [] : text.concat.filter((part): part is string => typeof part === 'string');
}

/**
 * The ports a workload's Service exposes: those the plan lists (what Compose publishes) plus
 * those other workloads reach it on by name (`redpanda:29092`, its in-network listener).
 */
function reachedPorts(plan: StackPlan, workload: Workload, contents: ConfigContents): number[] {
  const ports = new Set(workload.ports.map((port) => port.container));
  const names = [workload.name, statefulSetName(workload.name)];
  const texts = [
    ...plan.workloads.flatMap((other) => [...Object.values(other.environment), ...(other.command ?? []), ...(other.entrypoint ?? [])].flatMap(literals)),
    ...Object.values(contents),
  ];
  for (const text of texts) {
    for (const name of names) {
      for (const match of text.matchAll(new RegExp(`(?<![\\w.-])${name}:(\\d+)`, 'g'))) ports.add(Number(match[1]));
    }
  }
  return [...ports].sort((left, right) => left - right);
}

function servicePorts(workload: Workload, input: KubernetesInput) {
  return reachedPorts(input.plan, workload, input.contents).map((port) => ({ name: `tcp-${port}`, port, targetPort: podPort(workload, port), protocol: 'TCP' as const }));
}

function clientService(name: string, workload: Workload, input: KubernetesInput): Service {
  return new Service({ metadata: metadata(name, workload.role), spec: { type: 'ClusterIP', selector: selector(name), ports: servicePorts(workload, input) } });
}

/** The one StatefulSet of a component's numbered members (cockroach1..3): `--join` over its headless Service. */
function statefulSet(members: readonly Workload[], input: KubernetesInput, hosts: ReadonlyMap<string, string>): TemplateFile {
  const first = members[0]!;
  const name = statefulSetName(first.name);
  const headless = `${name}-headless`;
  const memberHost = (member: string) => {
    const index = members.findIndex((candidate) => candidate.name === member);
    return `${name}-${index}.${headless}`;
  };
  const args = first.command?.map((text) => {
    if (typeof text !== 'string') return text;
    if (text.startsWith('--join=')) return text.replace(/[a-z][a-z0-9-]*(?=:\d)/g, (host) => (members.some((member) => member.name === host) ? memberHost(host) : host));
    if (members.length > 1 || first.name !== name) return text.replace(new RegExp(`\\b${first.name}(?=:\\d)`), `$(POD_NAME).${headless}`);
    return text;
  });
  const translation = new Translation(input, new Map());
  const translatedArgs = args?.map((text) => translation.inline(text));
  const parts = podParts(first, input, hosts, {
    // Each member advertises its own stable name: the pod's, from the downward API.
    ...(translatedArgs?.some((arg) => arg.includes('$(POD_NAME)')) ? { env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }] } : {}),
    ...(translatedArgs ? { args: translatedArgs } : {}),
  });
  if (first.component === 'database' && first.image.startsWith('postgres')) {
    // The volume's root holds lost+found, which initdb refuses: the cluster lives one level down.
    parts.spec.containers[0]!.env = [...(parts.spec.containers[0]!.env ?? []), { name: 'PGDATA', value: `${first.volumes.find((volume) => volume.kind === 'data')?.mountPath ?? '/var/lib/postgresql/data'}/pgdata` }];
  }
  const documents: object[] = [
    new Service({
      metadata: metadata(headless, first.role),
      spec: {
        clusterIP: 'None',
        // Members find each other before they are ready: an uninitialised cluster is never ready.
        publishNotReadyAddresses: true,
        selector: selector(name),
        ports: servicePorts(first, input),
      },
    }),
    clientService(name, first, input),
    new StatefulSet({
      metadata: metadata(name, first.role),
      spec: {
        serviceName: headless,
        replicas: members.length,
        podManagementPolicy: 'Parallel',
        selector: { matchLabels: selector(name) },
        template: { metadata: { labels: labels(name, first.role), annotations: parts.annotations }, spec: parts.spec },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data' },
            spec: {
              accessModes: ['ReadWriteOnce'],
              storageClassName: helmValue('if .Values.storage.className }}{{ .Values.storage.className | quote }}{{ else }}null{{ end'),
              resources: { requests: { storage: helmValue(`index .Values.storage.sizes ${JSON.stringify(name)} | quote`) } },
            },
          },
        ],
      },
    }),
  ];
  if (members.length > 1) {
    documents.push(new PodDisruptionBudget({ metadata: metadata(name, first.role), spec: { maxUnavailable: 1, selector: { matchLabels: selector(name) } } }));
  }
  return { name, documents };
}

function deployment(workload: Workload, input: KubernetesInput, hosts: ReadonlyMap<string, string>): TemplateFile {
  const parts = podParts(workload, input, hosts);
  const scaled = workload.role === 'api' || workload.role === 'worker';
  const documents: object[] = [];
  if (reachedPorts(input.plan, workload, input.contents).length) documents.push(clientService(workload.name, workload, input));
  documents.push(
    new Deployment({
      metadata: metadata(workload.name, workload.role),
      spec: {
        replicas: scaled ? helmValue<number>(`index .Values.replicas ${JSON.stringify(workload.name)}`) : 1,
        // One replica with state in the pod (Keycloak start-dev, WSO2's H2): never two at once.
        ...(scaled ? {} : { strategy: { type: 'Recreate' } }),
        selector: { matchLabels: selector(workload.name) },
        template: { metadata: { labels: labels(workload.name, workload.role), annotations: parts.annotations }, spec: parts.spec },
      },
    }),
  );
  return { name: workload.name, documents };
}

/**
 * A one-shot workload as a Job named per release revision: a Job's template is immutable, so
 * each install and upgrade runs a new one (safe: the jobs are idempotent) and Helm deletes the
 * previous revision's. No hooks: a post-install hook deadlocks with `helm --wait`
 * (helm/charts#5266). The job retries by itself; backoffLimit bounds the pod restarts.
 */
function job(workload: Workload, input: KubernetesInput, hosts: ReadonlyMap<string, string>): TemplateFile {
  const parts = podParts(workload, input, hosts);
  return {
    name: workload.name,
    documents: [
      new Job({
        metadata: { ...metadata(workload.name, 'job', { [jobLabel]: 'true' }), name: helmValue(`printf "%s-r%d" ${JSON.stringify(workload.name)} .Release.Revision`) },
        spec: {
          backoffLimit: 6,
          template: { metadata: { labels: { ...labels(workload.name, 'job'), [jobLabel]: 'true' }, annotations: parts.annotations }, spec: parts.spec },
        },
      }),
    ],
  };
}

/** The ConfigMaps: each config file the plan mounts, each job script; content through `.Files` (chart.ts). */
function configMaps(plan: StackPlan): { documents: object[]; files: { path: string; fileId: string }[] } {
  const used = new Set(plan.workloads.flatMap((workload) => workload.volumes.flatMap((volume) => (volume.kind === 'config' ? [volume.file] : []))));
  const documents: object[] = [];
  const files: { path: string; fileId: string }[] = [];
  for (const file of plan.files.filter((candidate) => used.has(candidate.id))) {
    const folder = `files/${file.id}`;
    // Nginx's file holds the namespace and the resolver from values: rendered by `tpl`.
    const glob = `(.Files.Glob ${JSON.stringify(`${folder}/*`)}).AsConfig`;
    documents.push(
      new ConfigMap({
        metadata: metadata(configMapName(file.id), 'config'),
        data: helmBlock(file.id === 'nginx' ? `fromYaml (tpl ${glob} .)` : `fromYaml ${glob}`),
      }),
    );
    files.push({ path: `${folder}/${posix.basename(file.path)}`, fileId: file.id });
  }
  for (const workload of plan.workloads) {
    if (script(workload) === undefined) continue;
    const folder = `files/${scriptConfigMapName(workload)}`;
    documents.push(new ConfigMap({ metadata: metadata(scriptConfigMapName(workload), 'config'), data: helmBlock(`fromYaml (.Files.Glob ${JSON.stringify(`${folder}/*`)}).AsConfig`) }));
    files.push({ path: `${folder}/${posix.basename(scriptPath)}`, fileId: `script:${workload.name}` });
  }
  return { documents, files };
}

export interface KubernetesManifests {
  templates: TemplateFile[];
  /** Files under the chart's `files/`, by what they hold: a config file id, or `script:<workload>`. */
  files: { path: string; fileId: string }[];
}

/** Every manifest of the plan, grouped into template files. Pure. */
export function renderManifests(input: KubernetesInput): KubernetesManifests {
  const { plan } = input;
  const hosts = clientHosts(plan);
  const templates: TemplateFile[] = [];
  const done = new Set<string>();
  for (const workload of plan.workloads) {
    if (done.has(workload.name)) continue;
    if (workload.lifecycle === 'one-shot') {
      templates.push(job(workload, input, hosts));
    } else if (workload.stateful) {
      const set = statefulSetName(workload.name);
      const members = plan.workloads.filter((candidate) => candidate.stateful && statefulSetName(candidate.name) === set);
      members.forEach((member) => done.add(member.name));
      templates.push(statefulSet(members, input, hosts));
    } else {
      templates.push(deployment(workload, input, hosts));
    }
    done.add(workload.name);
  }
  const config = configMaps(plan);
  templates.push({ name: 'config', documents: config.documents });
  return { templates, files: config.files };
}

/** The content of a file under `files/`: a config file as rendered, or a job's script. */
export function chartFileContent(input: KubernetesInput, fileId: string): string {
  // A numbered member's host name (cockroach1) is its StatefulSet's client Service here too.
  const hosts = clientHosts(input.plan);
  if (fileId.startsWith('script:')) {
    const workload = input.plan.workloads.find((candidate) => candidate.name === fileId.slice('script:'.length))!;
    return `${rewriteHosts(script(workload)!.body, hosts).replace(/\s*$/, '')}\n`;
  }
  return rewriteHosts(input.contents[fileId] ?? '', hosts);
}

/** For the tests: the Secret keys every manifest refers to. */
export function referencedSecrets(plan: StackPlan): string[] {
  return [...new Set(plan.workloads.flatMap((workload) => workload.secrets))].sort();
}
