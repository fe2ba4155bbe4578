import type { ContainerSummary, PublishedPort } from '../clients/engine-client.js';
import type { Workload } from '../plan/types.js';
import { composeHealth } from '../targets/compose/compose-plan.js';

/** Where one planned container stands, as the wait loop and the tables show it. */
export type ContainerPhase =
  | 'missing'
  | 'created'
  | 'starting'
  | 'running'
  | 'healthy'
  | 'completed'
  | 'unhealthy'
  | 'exited'
  | 'restarting'
  | 'paused';

export interface ContainerAssessment {
  phase: ContainerPhase;
  /** Ready for its dependants: healthy, running without a healthcheck, or a job that exited 0. */
  ready: boolean;
  /** Set when waiting longer cannot help: why, in a few words. */
  failure?: string;
}

/**
 * Judges one container from its list entry (pure). `probeHealthy` is the host probe's answer for
 * `host-probe` containers (undefined when not probed this tick).
 */
export function assessContainer(
  plan: Workload,
  summary: ContainerSummary | undefined,
  probeHealthy?: boolean,
): ContainerAssessment {
  if (!summary) return { phase: 'missing', ready: false };
  const exitCode = summary.exitCode ?? 0;
  if (composeHealth(plan).kind === 'exit-zero') {
    if (summary.state === 'exited' || summary.state === 'dead') {
      return exitCode === 0
        ? { phase: 'completed', ready: true }
        : { phase: 'exited', ready: false, failure: `exited with code ${exitCode}` };
    }
    return { phase: summary.state === 'created' ? 'created' : 'running', ready: false };
  }
  switch (summary.state) {
    case 'created':
      return { phase: 'created', ready: false };
    case 'paused':
      return { phase: 'paused', ready: false, failure: 'is paused (docker unpause it)' };
    case 'restarting':
      return { phase: 'restarting', ready: false, failure: `keeps restarting (last exit code ${exitCode})` };
    case 'exited':
    case 'dead':
    case 'removing':
      return { phase: 'exited', ready: false, failure: `exited with code ${exitCode}` };
    case 'running':
      break;
  }
  if (composeHealth(plan).kind === 'host-probe') {
    return probeHealthy ? { phase: 'healthy', ready: true } : { phase: 'starting', ready: false };
  }
  switch (summary.health) {
    case 'healthy':
      return { phase: 'healthy', ready: true };
    case 'unhealthy':
      return { phase: 'unhealthy', ready: false, failure: 'is unhealthy' };
    case 'starting':
      return { phase: 'starting', ready: false };
    case 'none':
      return { phase: 'running', ready: true };
  }
}

/** `Up 5 minutes (healthy)` → `5 minutes`; empty when not up. */
export function uptimeFromStatus(status: string): string {
  const match = /^Up (.+?)(?: \((?:healthy|unhealthy|health: starting|Paused)\))*$/.exec(status);
  return match?.[1] ?? '';
}

/** `127.0.0.1:8102->8000` for each published port. */
export function formatPorts(ports: readonly PublishedPort[]): string {
  return ports
    .map((port) => `${port.hostIp === '0.0.0.0' || port.hostIp === '::' ? '' : `${port.hostIp}:`}${port.hostPort}->${port.containerPort}`)
    .join(', ');
}

/** One row of `ps` / `health`, also their `--json` shape. */
export interface ContainerRow {
  name: string;
  role: string;
  /** Docker's container name, empty when the container does not exist. */
  container: string;
  id: string;
  state: string;
  health: string;
  ports: string;
  uptime: string;
  ready: boolean;
  /** Container restarts, where the target counts them (Kubernetes pods); shown as a column then. */
  restarts?: number;
  /** Why the container is not fine, when it is not. */
  problem?: string;
}

/**
 * Rows for the planned containers (in plan order) from one list call, plus any container of the
 * project the plan does not know (a leftover of another profile).
 */
export function containerRows(
  plans: readonly Workload[],
  summaries: readonly ContainerSummary[],
  probes: ReadonlyMap<string, boolean> = new Map(),
): ContainerRow[] {
  const byService = new Map(summaries.map((summary) => [summary.service, summary]));
  const rows = plans.map((plan): ContainerRow => {
    const summary = byService.get(plan.name);
    const assessment = assessContainer(plan, summary, probes.get(plan.name));
    const problem =
      assessment.failure ??
      (assessment.phase === 'missing' ? 'not created: run innover up' : assessment.ready ? undefined : `is ${assessment.phase}`);
    return {
      name: plan.name,
      role: plan.role,
      container: summary?.name ?? '',
      id: summary?.id.slice(0, 12) ?? '',
      state: summary?.state ?? 'missing',
      health: composeHealth(plan).kind === 'exit-zero' ? (assessment.ready ? 'completed' : assessment.phase) : healthLabel(plan, summary, assessment),
      ports: formatPorts(summary?.ports ?? []),
      uptime: uptimeFromStatus(summary?.status ?? ''),
      ready: assessment.ready,
      ...(problem ? { problem } : {}),
    };
  });
  const planned = new Set(plans.map((plan) => plan.name));
  for (const summary of summaries) {
    if (planned.has(summary.service)) continue;
    rows.push({
      name: summary.service || summary.name,
      role: 'not in profile',
      container: summary.name,
      id: summary.id.slice(0, 12),
      state: summary.state,
      health: summary.health === 'none' ? '-' : summary.health,
      ports: formatPorts(summary.ports),
      uptime: uptimeFromStatus(summary.status),
      ready: true,
    });
  }
  return rows;
}

function healthLabel(plan: Workload, summary: ContainerSummary | undefined, assessment: ContainerAssessment): string {
  if (!summary) return '-';
  if (composeHealth(plan).kind === 'host-probe') return assessment.phase === 'healthy' ? 'healthy' : summary.state === 'running' ? 'starting' : '-';
  return summary.health === 'none' ? '-' : summary.health;
}
