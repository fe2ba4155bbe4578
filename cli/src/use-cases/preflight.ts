import { readFile } from 'node:fs/promises';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { UserError, type CommandContext } from '../command.js';
import { minimumComposeVersion } from '../clients/compose-client.js';
import type { ContainerSummary } from '../clients/engine-client.js';
import { envFileName } from '../env/load.js';
import { parseDotenv } from '../env/parse.js';
import { memoryMebibytes } from '../components/shared.js';
import type { StackPlan } from '../plan/types.js';
import { findPortHolders, type PortHolder } from '../host/port-holders.js';
import type { StackTarget } from './resolve-stack.js';

export type FindingLevel = 'ok' | 'warning' | 'error';

/** One line of `doctor` (and of `up`'s preflight): what was checked, and the fix when it failed. */
export interface Finding {
  check: 'docker' | 'compose' | 'ports' | 'memory' | 'cpus' | 'aio' | 'env' | 'license';
  level: FindingLevel;
  message: string;
}

export interface PreflightOptions {
  /** `doctor` checks `.env`; `up` checks it in its own step after creating it when missing. */
  env: boolean;
  /** Injectable for tests. */
  hostMemoryBytes?: number;
  portHolders?: (ports: readonly number[]) => Promise<Map<number, PortHolder>>;
  /** The kernel's AIO slots (Linux only; undefined elsewhere). Injectable for tests. */
  aioSlots?: () => Promise<AioSlots | undefined>;
}

/** `/proc/sys/fs/aio-max-nr` and `/proc/sys/fs/aio-nr`: the host's AIO request capacity and use. */
export interface AioSlots {
  max: number;
  used: number;
}

const problemOf = (error: unknown): string =>
  error instanceof UserError ? error.problems.join('; ') : error instanceof Error ? error.message : String(error);

/**
 * The checks `doctor` prints and `up` runs first: Docker reachable, Compose v2 at the minimum
 * version, the profile's host ports free, its memory limits against the host, each container's
 * cpus against the engine's, the host's AIO slots for Redpanda, the CockroachDB licence, and `.env`.
 */
export async function runPreflight(ctx: CommandContext, target: StackTarget, options: PreflightOptions): Promise<Finding[]> {
  const findings: Finding[] = [];
  let running: ContainerSummary[] | undefined;
  let cpus: number | undefined;
  const engine = await ctx.client('engine');
  try {
    await engine.ping();
    running = await engine.listContainers({});
    cpus = await engine.cpuCount();
    findings.push({ check: 'docker', level: 'ok', message: 'Docker engine reachable' });
  } catch (error) {
    findings.push({ check: 'docker', level: 'error', message: problemOf(error) });
  }

  const compose = await ctx.client('compose');
  try {
    const version = await compose.version();
    findings.push({ check: 'compose', level: 'ok', message: `Docker Compose ${version} (>= ${minimumComposeVersion})` });
  } catch (error) {
    findings.push({ check: 'compose', level: 'error', message: problemOf(error) });
  }

  // Without the engine no container can be named, but a process holding a port still can.
  findings.push(...(await checkPorts(target.plan, running ?? [], options.portHolders ?? findPortHolders)));
  findings.push(checkMemory(target.plan, options.hostMemoryBytes ?? totalmem()));
  if (cpus !== undefined) findings.push(checkCpus(target.plan, cpus));
  if (target.plan.workloads.some((container) => container.component === 'redpanda')) {
    const aio = checkAio(await (options.aioSlots ?? readAioSlots)());
    if (aio) findings.push(aio);
  }
  const licence = checkCockroachLicence(target.plan, await cockroachLicence(ctx));
  if (licence) findings.push(licence);

  if (options.env) {
    try {
      await ctx.dotenv();
      findings.push({ check: 'env', level: 'ok', message: '.env valid' });
    } catch (error) {
      const problems = error instanceof UserError ? error.problems : [problemOf(error)];
      for (const problem of problems) findings.push({ check: 'env', level: 'error', message: problem });
    }
  }
  return findings;
}

/** Every host port of the profile free, or held by this project's own container (a running stack). */
export async function checkPorts(
  plan: StackPlan,
  running: readonly ContainerSummary[],
  portHolders: (ports: readonly number[]) => Promise<Map<number, PortHolder>>,
): Promise<Finding[]> {
  const wanted = plan.workloads.flatMap((container) =>
    container.ports.map((port) => ({ container: container.name, port: port.host, purpose: port.purpose })),
  );
  const publishedBy = new Map<number, ContainerSummary>();
  for (const summary of running) for (const port of summary.ports) publishedBy.set(port.hostPort, summary);
  const holders = await portHolders(wanted.map((entry) => entry.port));
  const findings: Finding[] = [];
  for (const entry of wanted) {
    const container = publishedBy.get(entry.port);
    const what = `port ${entry.port} (${entry.container} ${entry.purpose})`;
    if (container) {
      if (container.project === plan.project) continue;
      findings.push({
        check: 'ports',
        level: 'error',
        message: `${what} is published by container ${container.name}${container.project ? ` of project ${container.project}` : ''}: stop it (docker stop ${container.name}) or change the port in innover.yaml`,
      });
      continue;
    }
    const holder = holders.get(entry.port);
    if (holder) {
      const by = holder.pid ? `process ${holder.command ?? '?'} (pid ${holder.pid})` : 'another process';
      findings.push({ check: 'ports', level: 'error', message: `${what} is in use by ${by}: stop it or change the port in innover.yaml` });
    }
  }
  if (findings.length === 0) {
    findings.push({ check: 'ports', level: 'ok', message: `${wanted.length} host ports free (or held by this stack)` });
  }
  return findings;
}

/** The sum of the profile's memory limits against the host: over it is a risk, not a certainty. */
export function checkMemory(plan: StackPlan, hostBytes: number): Finding {
  const limit = plan.workloads.reduce((sum, container) => sum + memoryMebibytes(container.resources.memory), 0);
  const host = hostBytes / 1024 / 1024;
  const text = `memory limits of profile ${plan.profile} sum to ${gibibytes(limit)} of ${gibibytes(host)} on this host`;
  if (limit > host) {
    return { check: 'memory', level: 'warning', message: `${text}: use a smaller profile (--profile lite) or lower resources in innover.yaml` };
  }
  return { check: 'memory', level: 'ok', message: text };
}

/**
 * COCKROACH_LICENSE as Compose passes it to the bootstrap job: the shell's value first, else
 * `.env`'s. Read without validating the rest of `.env`, since `up` runs this before it creates or
 * checks `.env`. Never printed.
 */
export async function cockroachLicence(ctx: Pick<CommandContext, 'env' | 'root'>): Promise<string | undefined> {
  const fromShell = ctx.env['COCKROACH_LICENSE'];
  if (fromShell !== undefined) return fromShell;
  try {
    return parseDotenv(await readFile(join(ctx.root, envFileName), 'utf8')).values['COCKROACH_LICENSE'];
  } catch {
    return undefined;
  }
}

/**
 * A CockroachDB cluster of more than one node without a licence: from v24.3 it is throttled to 5
 * open transactions once its 7-day grace period ends, and the services hold more than that
 * (pkg/server/license/enforcer.go; the licensing FAQ). A single node is exempt. A warning, since
 * the stack runs until then.
 */
export function checkCockroachLicence(plan: StackPlan, licence: string | undefined): Finding | undefined {
  if (plan.database !== 'cockroach') return undefined;
  const nodes = plan.workloads.filter((container) => container.role === 'database').length;
  if (nodes <= 1) return undefined;
  if (licence?.trim()) return { check: 'license', level: 'ok', message: `COCKROACH_LICENSE set for the ${nodes}-node CockroachDB cluster` };
  return {
    check: 'license',
    level: 'warning',
    message: `CockroachDB runs ${nodes} nodes without a licence and is throttled to 5 open transactions after 7 days: set COCKROACH_LICENSE in .env to a licence key, or database.cockroach.nodes: 1 in innover.yaml (single nodes are exempt)`,
  };
}

/**
 * Every container's `cpus` against the CPUs the engine has: Docker refuses to start a container
 * whose limit exceeds them, so this fails before `up` does, naming each one.
 */
export function checkCpus(plan: StackPlan, engineCpus: number): Finding {
  const over = plan.workloads.filter((container) => container.resources.cpus > engineCpus);
  const have = `${engineCpus} CPU${engineCpus === 1 ? '' : 's'}`;
  if (over.length === 0) return { check: 'cpus', level: 'ok', message: `every container's cpus fit the ${have} Docker has` };
  const named = over.map((container) => `${container.name} (${container.resources.cpus})`).join(', ');
  return {
    check: 'cpus',
    level: 'error',
    message: `cpus of ${named} exceed the ${have} Docker has: lower them in innover.yaml (resources: or the part's own resources:) or give Docker more CPUs`,
  };
}

/**
 * AIO slots one Redpanda with `--smp 1` asks for: Seastar's storage (reactor::max_aio = 1024),
 * preempt (2) and networking (max-networking-io-control-blocks, 10000) control blocks per shard
 * (smp::adjust_max_networking_aio_io_control_blocks in Redpanda's Seastar, v24.3). With fewer
 * free it shrinks the networking share; below storage + preempt + 1 it does not start ("Could
 * not setup Async I/O", redpanda#19936, #17104). `--reactor-backend=epoll`, which rpk passes
 * through to Seastar, is no way out: that check runs for every backend, and the epoll backend
 * still does its disk I/O through an AIO context.
 */
export const redpandaAioSlots = { wanted: 1024 + 2 + 10_000, minimum: 1024 + 2 + 1 } as const;

/** The host's AIO slots; undefined where /proc is not Linux's (Docker Desktop's VM has its own). */
export async function readAioSlots(): Promise<AioSlots | undefined> {
  try {
    const [max, used] = await Promise.all(['aio-max-nr', 'aio-nr'].map(async (name) => Number((await readFile(`/proc/sys/fs/${name}`, 'utf8')).trim())));
    return Number.isFinite(max) && Number.isFinite(used) ? { max: max!, used: used! } : undefined;
  } catch {
    return undefined;
  }
}

/** A warning, with the sysctl that fixes it, when the host has too few free AIO slots for Redpanda. */
export function checkAio(slots: AioSlots | undefined): Finding | undefined {
  if (!slots) return undefined;
  const free = slots.max - slots.used;
  if (free >= redpandaAioSlots.wanted) {
    return { check: 'aio', level: 'ok', message: `${free} AIO slots free for Redpanda (fs.aio-max-nr ${slots.max})` };
  }
  return {
    check: 'aio',
    level: 'warning',
    message: `only ${free} AIO slots are free (fs.aio-max-nr ${slots.max}, fs.aio-nr ${slots.used}); Redpanda wants ${redpandaAioSlots.wanted} and below ${redpandaAioSlots.minimum} fails with "Could not setup Async I/O": run sudo sysctl -w fs.aio-max-nr=1048576 (and add it to /etc/sysctl.d/ to keep it)`,
  };
}

function gibibytes(mebibytes: number): string {
  return `${(mebibytes / 1024).toFixed(1)} GiB`;
}

/** The one-line form of a finding: a mark, then the message (which carries the fix). */
export function renderFinding(finding: Finding): string {
  const mark = finding.level === 'ok' ? 'ok  ' : finding.level === 'warning' ? 'warn' : 'FAIL';
  return `${mark}  ${finding.check.padEnd(7)} ${finding.message}`;
}
