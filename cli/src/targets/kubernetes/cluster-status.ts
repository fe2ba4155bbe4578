import type { KubeObject, KubeTarget, KubernetesClient } from '../../clients/kubernetes-client.js';
import type { ContainerRow } from '../../use-cases/container-status.js';
import { releaseSelector } from './chart-contract.js';

/** `k8s status` data, also its `--json` output: the rows of `health`, one per workload. */
export interface ClusterStatus {
  release: string;
  namespace: string;
  context?: string;
  containers: ContainerRow[];
  /** True when every workload is ready: replicas all ready, Jobs complete. */
  healthy: boolean;
}

/** The kinds one `kubectl get` reads for the status. */
export const statusKinds = ['deployments', 'statefulsets', 'jobs', 'pods'] as const;

/** Waiting reasons after which waiting longer does not help. */
const stuckReasons = new Set(['CrashLoopBackOff', 'ImagePullBackOff', 'ErrImagePull', 'CreateContainerConfigError', 'CreateContainerError', 'InvalidImageName', 'RunContainerError']);

/** One `kubectl get deployments,statefulsets,jobs,pods -l app.kubernetes.io/instance=<release>`. */
export async function readClusterStatus(kube: KubernetesClient, target: KubeTarget, release: string, now = new Date()): Promise<ClusterStatus> {
  const objects = await kube.list(target, statusKinds, releaseSelector(release));
  const containers = clusterRows(objects, target.namespace, now);
  return {
    release,
    namespace: target.namespace,
    ...(target.context ? { context: target.context } : {}),
    containers,
    healthy: containers.length > 0 && containers.every((row) => row.ready),
  };
}

interface PodView {
  name: string;
  phase: string;
  ready: boolean;
  restarts: number;
  startTime?: string;
  /** The first stuck waiting reason of its containers (init containers included). */
  stuck?: string;
}

/** The workload a pod belongs to: its StatefulSet or Job, or the Deployment behind its ReplicaSet. */
function ownerOf(pod: KubeObject): string | undefined {
  const owner = pod.metadata.ownerReferences?.[0];
  if (!owner) return undefined;
  if (owner.kind === 'ReplicaSet') {
    const hash = pod.metadata.labels?.['pod-template-hash'];
    return hash && owner.name.endsWith(`-${hash}`) ? owner.name.slice(0, -hash.length - 1) : owner.name;
  }
  return owner.name;
}

type ContainerStatus = { ready?: boolean; restartCount?: number; state?: { waiting?: { reason?: string } } };

function podView(pod: KubeObject): PodView {
  const status = pod.status ?? {};
  const statuses = [...((status['initContainerStatuses'] as ContainerStatus[] | undefined) ?? []), ...((status['containerStatuses'] as ContainerStatus[] | undefined) ?? [])];
  const main = (status['containerStatuses'] as ContainerStatus[] | undefined) ?? [];
  const stuck = statuses.map((entry) => entry.state?.waiting?.reason).find((reason) => reason !== undefined && stuckReasons.has(reason));
  const startTime = typeof status['startTime'] === 'string' ? status['startTime'] : undefined;
  return {
    name: pod.metadata.name,
    phase: typeof status['phase'] === 'string' ? status['phase'] : 'Unknown',
    ready: main.length > 0 && main.every((entry) => entry.ready === true),
    restarts: statuses.reduce((sum, entry) => sum + (entry.restartCount ?? 0), 0),
    ...(startTime ? { startTime } : {}),
    ...(stuck ? { stuck } : {}),
  };
}

function condition(job: KubeObject, type: string): { reason?: string; message?: string } | undefined {
  const conditions = (job.status?.['conditions'] as Array<{ type: string; status: string; reason?: string; message?: string }> | undefined) ?? [];
  return conditions.find((entry) => entry.type === type && entry.status === 'True');
}

/** Whether a Job is done: `complete`, `failed` (its backoff spent), or still `running`. */
export function jobOutcome(job: KubeObject): { outcome: 'complete' | 'failed' | 'running'; reason?: string } {
  const failed = condition(job, 'Failed') ?? condition(job, 'FailureTarget');
  if (failed) return { outcome: 'failed', reason: failed.message ?? failed.reason ?? 'failed' };
  if (condition(job, 'Complete') ?? condition(job, 'SuccessCriteriaMet')) return { outcome: 'complete' };
  return { outcome: 'running' };
}

/** `42s`, `7m`, `3h`, `2d` since `from`; empty without a time. */
export function age(from: string | undefined, now: Date): string {
  if (!from) return '';
  const seconds = Math.max(0, Math.floor((now.getTime() - Date.parse(from)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172_800) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}

/**
 * One row per workload (Deployments, StatefulSets, Jobs, in that order, each by name), judged from
 * its own status and its pods' (pure). A pod without a listed owner gets a row of its own.
 */
export function clusterRows(objects: readonly KubeObject[], namespace: string, now: Date): ContainerRow[] {
  const pods = new Map<string, PodView[]>();
  const orphans: PodView[] = [];
  const workloads = objects.filter((object) => object.kind !== 'Pod');
  const names = new Set(workloads.map((object) => object.metadata.name));
  for (const pod of objects.filter((object) => object.kind === 'Pod')) {
    const owner = ownerOf(pod);
    const view = podView(pod);
    if (owner && names.has(owner)) pods.set(owner, [...(pods.get(owner) ?? []), view]);
    else orphans.push(view);
  }
  const order = ['Deployment', 'StatefulSet', 'Job'];
  const sorted = [...workloads].sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || a.metadata.name.localeCompare(b.metadata.name));
  const rows = sorted.map((workload) => workloadRow(workload, pods.get(workload.metadata.name) ?? [], namespace, now));
  for (const pod of orphans) rows.push(podRow(pod, namespace, now));
  return rows;
}

function oldestStart(pods: readonly PodView[]): string | undefined {
  return pods
    .map((pod) => pod.startTime)
    .filter((time): time is string => time !== undefined)
    .sort()[0];
}

function workloadRow(workload: KubeObject, pods: readonly PodView[], namespace: string, now: Date): ContainerRow {
  const name = workload.metadata.name;
  const restarts = pods.reduce((sum, pod) => sum + pod.restarts, 0);
  const common = { name, role: workload.kind, container: pods.map((pod) => pod.name).join(', '), id: '', ports: '', restarts, uptime: age(oldestStart(pods), now) };
  if (workload.kind === 'Job') {
    const { outcome, reason } = jobOutcome(workload);
    if (outcome === 'complete') return { ...common, state: 'completed', health: 'completed', ready: true };
    if (outcome === 'failed') {
      return { ...common, state: 'failed', health: 'failed', ready: false, problem: `failed (${reason ?? 'backoff limit reached'}): see kubectl logs job/${name} -n ${namespace}` };
    }
    const stuck = pods.find((pod) => pod.stuck);
    return { ...common, state: 'running', health: stuck ? 'unhealthy' : 'running', ready: false, problem: stuck ? stuckProblem(stuck, namespace) : 'is running' };
  }
  const desired = typeof workload.spec?.['replicas'] === 'number' ? workload.spec['replicas'] : 1;
  const readyCount = typeof workload.status?.['readyReplicas'] === 'number' ? workload.status['readyReplicas'] : 0;
  const state = `${pods.some((pod) => pod.phase === 'Running') ? 'running' : pods.length > 0 ? 'pending' : 'no pods'} ${readyCount}/${desired}`;
  if (desired === 0) return { ...common, state: 'scaled to 0', health: '-', ready: true };
  if (readyCount >= desired) return { ...common, state, health: 'healthy', ready: true };
  const stuck = pods.find((pod) => pod.stuck);
  if (stuck) return { ...common, state, health: 'unhealthy', ready: false, problem: stuckProblem(stuck, namespace) };
  return { ...common, state, health: 'starting', ready: false, problem: `has ${readyCount} of ${desired} replicas ready` };
}

function podRow(pod: PodView, namespace: string, now: Date): ContainerRow {
  const ready = pod.phase === 'Succeeded' || pod.ready;
  return {
    name: pod.name,
    role: 'Pod',
    container: pod.name,
    id: '',
    state: pod.phase.toLowerCase(),
    health: pod.phase === 'Succeeded' ? 'completed' : pod.ready ? 'healthy' : pod.stuck ? 'unhealthy' : 'starting',
    ports: '',
    restarts: pod.restarts,
    uptime: age(pod.startTime, now),
    ready,
    ...(ready ? {} : { problem: pod.stuck ? stuckProblem(pod, namespace) : `is ${pod.phase.toLowerCase()}` }),
  };
}

function stuckProblem(pod: PodView, namespace: string): string {
  return `pod ${pod.name} is in ${pod.stuck ?? 'trouble'}: see kubectl describe pod ${pod.name} -n ${namespace}`;
}
