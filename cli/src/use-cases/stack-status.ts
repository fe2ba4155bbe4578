import type { CommandContext } from '../command.js';
import type { ContainerSummary } from '../clients/engine-client.js';
import { containerRows, type ContainerRow } from './container-status.js';
import type { HttpProbe } from '../clients/http-probe.js';
import { formatTable } from '../output/table.js';
import type { StackTarget } from './resolve-stack.js';
import { composeHealth } from '../targets/compose/compose-plan.js';

/** `innover ps` / `innover health` data, also their `--json` output. */
export interface StackStatus {
  project: string;
  profile: string;
  containers: ContainerRow[];
  /** True when every planned container is ready (healthy, running without a check, or a job done). */
  healthy: boolean;
}

/**
 * One list call for the project, plus a host probe (the context's `http` client, asked for only
 * when a shell-less container runs) for each running shell-less container.
 */
export async function readStackStatus(ctx: CommandContext, target: StackTarget): Promise<StackStatus> {
  const engine = await ctx.client('engine');
  const summaries = await engine.listContainers({ project: target.plan.project });
  const probe: HttpProbe = async (url, signal) => (await ctx.client('http')).probe(url, signal);
  const probes = await probeRunning(target, summaries, probe, ctx.signal);
  const containers = containerRows(target.plan.workloads, summaries, probes);
  return {
    project: target.plan.project,
    profile: target.profile,
    containers,
    healthy: containers.every((row) => row.ready),
  };
}

async function probeRunning(
  target: StackTarget,
  summaries: readonly ContainerSummary[],
  probe: HttpProbe,
  signal: AbortSignal,
): Promise<Map<string, boolean>> {
  const running = new Set(summaries.filter((summary) => summary.state === 'running').map((summary) => summary.service));
  const probes = new Map<string, boolean>();
  await Promise.all(
    target.plan.workloads.map(async (container) => {
      const health = composeHealth(container);
      if (health.kind === 'host-probe' && running.has(container.name)) {
        probes.set(container.name, await probe(health.url, signal));
      }
    }),
  );
  return probes;
}

/** The human table of `ps` and `health`. */
export function renderStackStatus(status: StackStatus): string {
  if (status.containers.every((row) => row.state === 'missing')) {
    return `no containers of project ${status.project} (profile ${status.profile}): run innover up --profile ${status.profile}`;
  }
  return renderContainerRows(status.containers);
}

/**
 * The table of rows, then one line per problem; the same for every target. A RESTARTS column
 * appears when the rows count restarts (Kubernetes), PORTS when any row publishes one.
 */
export function renderContainerRows(rows: readonly ContainerRow[]): string {
  const restarts = rows.some((row) => row.restarts !== undefined);
  const ports = !restarts || rows.some((row) => row.ports !== '');
  const table = formatTable(
    ['CONTAINER', 'STATE', 'HEALTH', ...(ports ? ['PORTS'] : []), ...(restarts ? ['RESTARTS'] : []), 'UPTIME'],
    rows.map((row) => [row.name, row.state, row.health, ...(ports ? [row.ports] : []), ...(restarts ? [String(row.restarts ?? '')] : []), row.uptime]),
  );
  const problems = rows.filter((row) => row.problem).map((row) => `${row.name} ${row.problem}`);
  return problems.length > 0 ? `${table}\n\n${problems.join('\n')}` : table;
}
