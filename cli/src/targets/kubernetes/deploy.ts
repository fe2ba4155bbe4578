import { setTimeout as sleep } from 'node:timers/promises';
import { UserError } from '../../command.js';
import type { HelmRelease, KubeObject, KubeTarget, KubernetesClient, PortForward } from '../../clients/kubernetes-client.js';
import type { EnvConfig } from '../../env/schema.js';
import { clusterServices, ingressFromValues, ingressParts, keycloakRelativePath, releaseJobSelector, releaseSelector, type IngressValues } from './chart-contract.js';
import { jobOutcome } from './cluster-status.js';

/** The `.env` endpoints configure-keycloak and publish-apis use, pointed at the cluster. */
export type ClusterEndpoints = Pick<EnvConfig, 'KEYCLOAK_URL' | 'KEYCLOAK_MANAGEMENT_URL' | 'KEYCLOAK_INTERNAL_URL' | 'WSO2_URL' | 'WSO2_GATEWAY_URL'>;

/** One URL `k8s deploy` prints: an Ingress host, or a local port behind a `kubectl port-forward`. */
export interface ClusterUrl {
  name: string;
  url: string;
  via: 'ingress' | 'port-forward';
  /** The command that makes `url` answer, when it is a port-forward. */
  command?: string;
}

export interface DeployInput {
  kube: KubernetesClient;
  target: KubeTarget;
  release: HelmRelease;
  /** The Secret the pods read: the default one, or the `existingSecret` of the values. */
  secretName: string;
  /** Names of the topology's services (their Services mean there are APIs to publish). */
  serviceNames: readonly string[];
  /** Local port per plan container for the printed port-forward commands (the Compose host ports). */
  localPorts: Readonly<Record<string, number>>;
  progress: (line: string) => void;
  signal: AbortSignal;
  /** Between two looks at the Jobs. */
  pollMilliseconds?: number;
  /** Aligns the realm and the WSO2 key manager, reaching both at these endpoints. */
  configureKeycloak: (endpoints: ClusterEndpoints) => Promise<void>;
  /** Publishes the service APIs on the gateway at these endpoints; throws when one failed. */
  publishApis: (endpoints: ClusterEndpoints) => Promise<void>;
}

/** `k8s deploy` data, also its `--json` output. Never holds a secret. */
export interface DeployResult {
  release: string;
  namespace: string;
  context?: string;
  chart: string;
  jobs: Array<{ name: string; outcome: 'complete' }>;
  keycloakConfigured: boolean;
  apisPublished: boolean;
  /** How configure and publish reached the cluster: `none` when the release has no Keycloak and WSO2. */
  endpoints: 'port-forward' | 'none';
  urls: ClusterUrl[];
  seconds: number;
}

/** A Job that failed: one line naming it and the command that shows why. */
export function jobFailedError(job: string, reason: string, namespace: string): UserError {
  return new UserError(`Job ${job} failed (${reason}): see why with kubectl logs job/${job} -n ${namespace}, fix it, then rerun innover k8s deploy`);
}

/**
 * `innover k8s deploy`: checks the Secret, runs `helm upgrade --install --wait` while watching the
 * Jobs (a failed Job stops the install at once rather than at the timeout), waits until every Job
 * is complete or one failed, configures Keycloak and publishes the APIs through port-forwards, and
 * returns the URLs (the Ingress hosts, when the values enable it).
 */
export async function deployToCluster(input: DeployInput): Promise<DeployResult> {
  const started = Date.now();
  const deadline = started + input.release.timeoutSeconds * 1000;
  const { kube, target } = input;
  const selector = releaseSelector(input.release.name);
  const jobs = { selector: releaseJobSelector(input.release.name), earlier: new Set<string>() };

  input.progress(`Secret ${input.secretName}`);
  if (!(await kube.exists(target, 'secret', input.secretName))) {
    throw new UserError(
      `Secret ${input.secretName} is missing in namespace ${target.namespace}: run innover k8s secrets --namespace ${target.namespace}${target.context ? ` --context ${target.context}` : ''}, or name an existing Secret in values (secrets.existingSecret)`,
    );
  }

  // Each revision runs Jobs of its own (`<job>-r<revision>`): those of earlier ones are not waited for.
  for (const job of await kube.list(target, ['jobs'], jobs.selector)) jobs.earlier.add(job.metadata.name);
  input.progress(`helm upgrade --install ${input.release.name} ${input.release.chart} (waits up to ${input.release.timeoutSeconds} s)`);
  await installWatchingJobs(input, jobs);

  input.progress('Jobs');
  const completed = await waitForJobs(input, jobs, deadline);

  const [services, values] = await Promise.all([kube.list(target, ['services'], selector), kube.releaseValues(target, input.release.name)]);
  const serviceNames = new Set(services.map((service) => service.metadata.name));
  const find = (name: string): string | undefined => [...serviceNames].find((entry) => entry === name || entry.endsWith(`-${name}`));
  const keycloak = find(clusterServices.keycloak.service);
  const wso2 = find(clusterServices.wso2.service);
  const ingress = ingressFromValues(values);
  const hasApis = input.serviceNames.some((name) => find(name) !== undefined);

  let keycloakConfigured = false;
  let apisPublished = false;
  let via: DeployResult['endpoints'] = 'none';
  if (keycloak && wso2) {
    const forwards: PortForward[] = [];
    try {
      input.progress(`kubectl port-forward svc/${keycloak} and svc/${wso2}`);
      const keycloakForward = await kube.portForward(target, `svc/${keycloak}`, [clusterServices.keycloak.http, clusterServices.keycloak.management], { signal: input.signal });
      forwards.push(keycloakForward);
      const wso2Forward = await kube.portForward(target, `svc/${wso2}`, [clusterServices.wso2.management, clusterServices.wso2.gatewayHttps], { signal: input.signal });
      forwards.push(wso2Forward);
      const endpoints = clusterEndpoints({ keycloak: keycloakForward.ports, wso2: wso2Forward.ports }, ingress, keycloak);
      via = 'port-forward';
      input.progress('configure-keycloak (Keycloak state is lost when its pod restarts, so every deploy runs it)');
      await input.configureKeycloak(endpoints);
      keycloakConfigured = true;
      if (hasApis) {
        input.progress('publish-apis');
        await input.publishApis(endpoints);
        apisPublished = true;
      }
    } finally {
      await Promise.all(forwards.map((forward) => forward.stop()));
    }
  }

  return {
    release: input.release.name,
    namespace: target.namespace,
    ...(target.context ? { context: target.context } : {}),
    chart: input.release.chart,
    jobs: completed,
    keycloakConfigured,
    apisPublished,
    endpoints: via,
    urls: clusterUrls(services, ingress, target, input.localPorts),
    seconds: Math.round((Date.now() - started) / 100) / 10,
  };
}

/** The first failed Job among `jobs`, if any. */
function firstFailed(jobs: readonly KubeObject[]): { name: string; reason: string } | undefined {
  for (const job of jobs) {
    const { outcome, reason } = jobOutcome(job);
    if (outcome === 'failed') return { name: job.metadata.name, reason: reason ?? 'failed' };
  }
  return undefined;
}

/**
 * Helm's `--wait` waits for the Deployments, whose init containers wait for what the Jobs set up:
 * a failed Job would hold it until the timeout. So the Jobs are watched meanwhile, and a failed one
 * stops helm and is reported.
 */
/** Which Jobs belong to this deploy: the release's, less those that existed before it. */
interface JobScope {
  selector: string;
  earlier: ReadonlySet<string>;
}

async function currentJobs(input: DeployInput, scope: JobScope): Promise<KubeObject[]> {
  return (await input.kube.list(input.target, ['jobs'], scope.selector)).filter((job) => !scope.earlier.has(job.metadata.name));
}

async function installWatchingJobs(input: DeployInput, scope: JobScope): Promise<void> {
  const helm = new AbortController();
  const stopHelm = () => helm.abort();
  input.signal.addEventListener('abort', stopHelm, { once: true });
  const watch = new AbortController();
  const watcher = (async (): Promise<{ name: string; reason: string } | undefined> => {
    for (;;) {
      try {
        await sleep(input.pollMilliseconds ?? 3000, undefined, { signal: watch.signal });
      } catch {
        return undefined;
      }
      try {
        const failed = firstFailed(await currentJobs(input, scope));
        if (failed) {
          helm.abort();
          return failed;
        }
      } catch {
        // A failed look is retried; helm's own result decides.
      }
    }
  })();
  try {
    await input.kube.upgradeInstall(input.target, input.release, { signal: helm.signal, onLine: (line) => line.trim() && input.progress(`  ${line.trim()}`) });
  } catch (error) {
    watch.abort();
    const failed = await watcher;
    if (failed) throw jobFailedError(failed.name, failed.reason, input.target.namespace);
    throw error;
  } finally {
    input.signal.removeEventListener('abort', stopHelm);
  }
  watch.abort();
  const failed = await watcher;
  if (failed) throw jobFailedError(failed.name, failed.reason, input.target.namespace);
}

/** Polls the release's Jobs until all are complete; a failed one, or the deadline, is a UserError. */
async function waitForJobs(input: DeployInput, scope: JobScope, deadline: number): Promise<Array<{ name: string; outcome: 'complete' }>> {
  let shown = '';
  for (;;) {
    const jobs = await currentJobs(input, scope);
    const failed = firstFailed(jobs);
    if (failed) throw jobFailedError(failed.name, failed.reason, input.target.namespace);
    const pending = jobs.filter((job) => jobOutcome(job).outcome !== 'complete').map((job) => job.metadata.name);
    if (pending.length === 0) return jobs.map((job) => ({ name: job.metadata.name, outcome: 'complete' as const })).sort((a, b) => a.name.localeCompare(b.name));
    const line = `  waiting for ${pending.join(', ')}`;
    if (line !== shown) input.progress(line);
    shown = line;
    if (Date.now() >= deadline) {
      const first = pending[0] ?? '';
      throw new UserError(`Job ${pending.join(', ')} not complete after ${input.release.timeoutSeconds} s: see kubectl logs job/${first} -n ${input.target.namespace}, or rerun with a longer --timeout`);
    }
    if (input.signal.aborted) throw new UserError('k8s deploy was interrupted while waiting for the Jobs', { exitCode: 130 });
    await sleep(input.pollMilliseconds ?? 3000, undefined, { signal: input.signal }).catch(() => undefined);
  }
}

/**
 * The endpoints of configure-keycloak and publish-apis (pure). The admin calls always go through
 * the port-forwards: the Ingress exposes neither Keycloak's management port nor WSO2's admin port,
 * and its hosts need not resolve from where deploy runs. The gateway URL, which publish-apis only
 * reports, is the Ingress host when the values enable one.
 */
export function clusterEndpoints(
  forwards: { keycloak: ReadonlyMap<number, number>; wso2: ReadonlyMap<number, number> },
  ingress: IngressValues,
  keycloakService: string,
): ClusterEndpoints {
  const local = (ports: ReadonlyMap<number, number>, port: number, scheme: string) => `${scheme}://127.0.0.1:${ports.get(port) ?? port}`;
  const gatewayHost = ingress.enabled ? ingress.hosts.gateway : undefined;
  return {
    KEYCLOAK_URL: `${local(forwards.keycloak, clusterServices.keycloak.http, 'http')}${keycloakRelativePath}`,
    KEYCLOAK_MANAGEMENT_URL: `${local(forwards.keycloak, clusterServices.keycloak.management, 'http')}${keycloakRelativePath}`,
    // WSO2 reaches Keycloak inside the namespace, by its Service.
    KEYCLOAK_INTERNAL_URL: `http://${keycloakService}:${clusterServices.keycloak.http}${keycloakRelativePath}`,
    WSO2_URL: local(forwards.wso2, clusterServices.wso2.management, 'https'),
    WSO2_GATEWAY_URL: gatewayHost ? `${ingress.tls ? 'https' : 'http'}://${gatewayHost}` : local(forwards.wso2, clusterServices.wso2.gatewayHttps, 'https'),
  };
}

/** The URLs of the parts users open (pure): Ingress hosts when enabled, else port-forward commands. */
export function clusterUrls(services: readonly KubeObject[], ingress: IngressValues, target: KubeTarget, localPorts: Readonly<Record<string, number>>): ClusterUrl[] {
  const urls: ClusterUrl[] = [];
  const scheme = ingress.tls ? 'https' : 'http';
  for (const part of ingressParts) {
    const service = services.find((entry) => entry.metadata.name === part.container || entry.metadata.name.endsWith(`-${part.container}`));
    if (!service) continue;
    const path = part.part === 'keycloak' ? `${keycloakRelativePath}/` : '';
    const host = ingress.enabled ? ingress.hosts[part.part] : undefined;
    if (host) {
      urls.push({ name: part.name, url: `${scheme}://${host}${path}`, via: 'ingress' });
      continue;
    }
    const ports = (service.spec?.['ports'] as Array<{ port: number; name?: string }> | undefined) ?? [];
    const remote = part.part === 'gateway' ? clusterServices.wso2.gatewayHttps : (ports[0]?.port ?? 80);
    const wanted = localPorts[part.container] ?? remote;
    const localPort = wanted < 1024 ? 10_000 + wanted : wanted;
    const context = target.context ? ` --context ${target.context}` : '';
    urls.push({
      name: part.name,
      url: `${part.part === 'gateway' ? 'https' : 'http'}://localhost:${localPort}${path}`,
      via: 'port-forward',
      command: `kubectl port-forward${context} -n ${target.namespace} svc/${service.metadata.name} ${localPort}:${remote}`,
    });
  }
  return urls;
}
