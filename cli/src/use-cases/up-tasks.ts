import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ListrTask } from 'listr2';
import { UserError, type CommandContext } from '../command.js';
import type { ComposeClient } from '../clients/compose-client.js';
import type { EngineClient } from '../clients/engine-client.js';
import { checkBuild, recordBuild } from '../host/build-cache.js';
import { assessContainer } from './container-status.js';
import { generateStack } from './generate-stack.js';
import type { HttpProbe } from '../clients/http-probe.js';
import { runPreflight, renderFinding, type PreflightOptions } from './preflight.js';
import type { StackTarget } from './resolve-stack.js';
import { writeState } from '../host/state.js';
import { ContainerHealthError, waitForHealth, type ContainerProgress, type WaitOptions } from './wait-for-health.js';
import type { Workload } from '../plan/types.js';

/** What the `up` tasks share while they run. */
export interface UpState {
  target: StackTarget;
  /** True when this run created `.env` (as `innover init`). */
  envCreated: boolean;
  progress: ContainerProgress[];
  /** Set when Keycloak and WSO2 were configured. */
  keycloakConfigured: boolean;
  /** Set when the gateway APIs were published (a profile with WSO2 and the services). */
  apisPublished?: boolean;
}

export interface UpInput {
  ctx: CommandContext;
  compose: ComposeClient;
  engine: EngineClient;
  probe: HttpProbe;
  /** Only these containers (`innover up <svc...>`); their running dependencies are left as they are. */
  only?: readonly Workload[];
  build: boolean;
  timeoutSeconds: number;
  tickMilliseconds?: number;
  /** Configures Keycloak and WSO2 (identity/configure.ts, as `innover configure-keycloak`); injectable for tests. */
  configureKeycloak: () => Promise<void>;
  /** Publishes the gateway APIs (gateway/publish.ts, as `innover publish-apis`); injectable for tests. Throws when any API failed. */
  publishApis: () => Promise<void>;
  /** Creates `.env` (env/init-env.ts, as `innover init`); injectable for tests. */
  initEnv: () => Promise<void>;
  /** Writes the generated files; injectable for tests. */
  generate?: (target: StackTarget) => Promise<void>;
  /** Who holds a host port; injectable for tests (the real one reads /proc). */
  portHolders?: PreflightOptions['portHolders'];
}

/** Keycloak is configured by `up` only when WSO2 (its key manager client) runs beside it. */
export function needsKeycloakConfiguration(target: StackTarget): boolean {
  return target.plan.components.includes('keycloak') && target.plan.components.includes('wso2');
}

/**
 * The service APIs are published on the gateway by `up` when WSO2 runs with the services, so one
 * command gives a token -> gateway -> service path. Re-runs change nothing (publish-apis is
 * idempotent).
 */
export function needsApiPublishing(target: StackTarget): boolean {
  return target.plan.components.includes('wso2') && target.plan.components.includes('services');
}

/**
 * The phases of `innover up`, as listr2 tasks (built here, run by the command with a renderer
 * fit for the terminal, or the silent one in tests).
 */
export function upTasks(input: UpInput): ListrTask<UpState>[] {
  const { ctx } = input;
  return [
    {
      title: 'Preflight checks',
      task: async (state, task) => {
        const findings = await runPreflight(ctx, state.target, { env: false, ...(input.portHolders ? { portHolders: input.portHolders } : {}) });
        const errors = findings.filter((finding) => finding.level === 'error');
        for (const finding of findings.filter((entry) => entry.level === 'warning')) task.output = renderFinding(finding);
        if (errors.length > 0) throw new UserError(errors.map((finding) => finding.message));
      },
    },
    {
      title: '.env',
      task: async (state, task) => {
        const file = join(ctx.root, '.env');
        if (!existsSync(file)) {
          await input.initEnv();
          state.envCreated = true;
          task.title = '.env created with fresh secrets';
        }
        await ctx.dotenv();
        state.target = { ...state.target, compose: { ...state.target.compose, envFile: file } };
        if (!state.envCreated) task.title = '.env valid';
      },
    },
    {
      title: 'Generate',
      task: async (state) => {
        await (input.generate ?? ((target) => generateStack(ctx, target)))(state.target);
        await writeState(ctx.root, { profile: state.target.profile });
      },
    },
    {
      title: input.build ? 'docker compose build, then up -d' : 'docker compose up -d --no-build',
      task: async (state, task) => {
        const services = input.only?.map((container) => container.name) ?? [];
        const onLine = (line: string): void => {
          if (line.trim()) task.output = line;
        };
        const targets = buildTargets(state.target.plan.workloads, input.only ?? state.target.plan.workloads);
        if (input.build && targets.length > 0) {
          const images = [...new Set(state.target.plan.workloads.filter((container) => targets.includes(container.name)).map((container) => container.image))];
          const { root, project, file } = state.target.compose;
          const check = await checkBuild(root, project, file, images, input.engine);
          if (check.upToDate) {
            task.output = `images up to date with the sources: ${images.join(', ')}`;
          } else {
            await input.compose.build(state.target.compose, { services: targets, noCache: false, signal: ctx.signal, onLine });
            await recordBuild(root, project, check.fingerprint, images, input.engine);
          }
        }
        try {
          await input.compose.up(state.target.compose, {
            build: false,
            services,
            // Not --no-deps: compose hashes a service's config without its depends_on then, so the
            // next full `up` would recreate it. Running dependencies whose config is unchanged are
            // left alone either way; stopped ones are started, which the named service needs anyway.
            removeOrphans: services.length === 0,
            signal: ctx.signal,
            onLine,
          });
        } catch (error) {
          // Compose fails on an unhealthy or failed dependency; name that container and show its logs.
          const failing = await findFailingContainer(input.engine, state.target, input.only ?? state.target.plan.workloads);
          if (failing) await printLastLogs(ctx, input.engine, state.target.plan.project, failing.name);
          if (failing) throw new ContainerHealthError(failing.name, failing.reason);
          throw error;
        }
      },
      rendererOptions: { outputBar: 1 },
    },
    {
      title: 'Wait until healthy',
      task: async (state, task) => {
        const containers = input.only ?? state.target.plan.workloads;
        const shown = new Map<string, string>();
        state.progress = await waitWithLogs(ctx, input.engine, {
          project: state.target.plan.project,
          containers,
          engine: input.engine,
          probe: input.probe,
          timeoutSeconds: input.timeoutSeconds,
          ...(input.tickMilliseconds === undefined ? {} : { tickMilliseconds: input.tickMilliseconds }),
          signal: ctx.signal,
          onProgress: (progress) => {
            const changed = progress.filter((entry) => shown.get(entry.name) !== entry.phase);
            for (const entry of changed) shown.set(entry.name, entry.phase);
            if (changed.length > 0) {
              const ready = progress.filter((entry) => entry.ready).length;
              task.title = `Wait until healthy (${ready}/${progress.length})`;
              task.output = changed.map((entry) => `${entry.name} ${entry.phase}`).join('\n');
            }
          },
        });
        task.title = `All ${containers.length} containers healthy`;
      },
      rendererOptions: { outputBar: Number.POSITIVE_INFINITY },
    },
    {
      title: 'Configure Keycloak as the WSO2 key manager',
      enabled: (state) => !input.only && needsKeycloakConfiguration(state.target),
      task: async (state) => {
        await input.configureKeycloak();
        state.keycloakConfigured = true;
      },
    },
    {
      title: 'Publish the service APIs on the WSO2 gateway',
      enabled: (state) => !input.only && needsApiPublishing(state.target),
      task: async (state) => {
        await input.publishApis();
        state.apisPublished = true;
      },
    },
  ];
}

/** APIs and workers run the service images innover builds; everything else runs a pulled image. */
export function runsServiceImage(container: Workload): boolean {
  return container.role === 'api' || container.role === 'worker';
}

/**
 * One compose service per image to build. An API and its worker share an image; were both built,
 * each build would stamp its own service label on the image, the last one would win, and a second
 * `up` would recreate containers whose sources did not change. Building one per image keeps image
 * ids, and so containers, stable.
 */
export function buildTargets(all: readonly Workload[], wanted: readonly Workload[]): string[] {
  const images = new Set(wanted.filter(runsServiceImage).map((container) => container.image));
  const targets: string[] = [];
  for (const image of images) {
    const builder = all.find((container) => container.image === image && container.role === 'api') ?? all.find((container) => container.image === image);
    if (builder) targets.push(builder.name);
  }
  return targets;
}

/** waitForHealth that, on a failing container, prints its last log lines before failing. */
export async function waitWithLogs(ctx: CommandContext, engine: EngineClient, options: WaitOptions): Promise<ContainerProgress[]> {
  try {
    return await waitForHealth(options);
  } catch (error) {
    if (error instanceof ContainerHealthError) await printLastLogs(ctx, engine, options.project, error.container);
    throw error;
  }
}

/** The first container (in dependency order) that exited badly or is unhealthy, from one list call. */
async function findFailingContainer(
  engine: EngineClient,
  target: StackTarget,
  containers: readonly Workload[],
): Promise<{ name: string; reason: string } | undefined> {
  const summaries = await engine.listContainers({ project: target.plan.project }).catch(() => []);
  const byService = new Map(summaries.map((summary) => [summary.service, summary]));
  for (const container of containers) {
    const assessment = assessContainer(container, byService.get(container.name));
    if (assessment.failure) return { name: container.name, reason: assessment.failure };
  }
  return undefined;
}

/** The last lines of a container's log, on stderr, so a failed `up` shows why without a second command. */
export async function printLastLogs(ctx: CommandContext, engine: EngineClient, project: string, service: string, lines = 20): Promise<void> {
  try {
    const summaries = await engine.listContainers({ project });
    const summary = summaries.find((entry) => entry.service === service);
    if (!summary) return;
    const collected: string[] = [];
    await engine.logs(summary.id, { tail: lines, follow: false }, (line) => void collected.push(line.text));
    ctx.out.info(`--- last ${collected.length} log lines of ${service} ---`);
    for (const line of collected) ctx.out.info(`${service} | ${line}`);
    ctx.out.info(`--- more: innover logs ${service} ---`);
  } catch {
    // The failure itself is what the user needs; missing logs must not hide it.
  }
}
