import { stringify } from 'yaml';
import { UsageError } from '../../command.js';
import type { BuildPlan, StackPlan, Workload } from '../../plan/types.js';
import type { Resources } from '../../topology/schema.js';

/**
 * `innover dev`'s view of the plan: which API and worker containers run from their TypeScript
 * sources (the Dockerfile's `dev` stage), and what Compose watch does on each change. Pure; the
 * command writes the override this renders and runs `docker compose watch` over it.
 */
export interface DevPlan {
  profile: string;
  containers: readonly DevContainer[];
}

export interface DevContainer {
  /** Compose service (`payment`, `payment-worker`). */
  name: string;
  /** The app service it belongs to. */
  service: string;
  role: 'api' | 'worker';
  /** The dev image, never the production `:local` one (`innover up` keeps using that). */
  image: string;
  build: BuildPlan & { target: 'dev' };
  command: readonly string[];
  /** The kit's healthcheck, from its sources (the dev image has no dist/). */
  healthcheck: readonly string[];
  /**
   * Twice the production limits: the container holds the kit's dev runner, the process serving, a
   * spare one preloading for the next reload and, during a reload, the one draining, all from their
   * sources (type stripping); the CPU is spent on reloads only, which it speeds up about twofold.
   */
  resources: Resources;
  watch: readonly WatchRule[];
}

/** One Compose `develop.watch` entry. Paths are relative to the project directory. */
export interface WatchRule {
  action: 'sync' | 'rebuild';
  path: string;
  /** Where a synced path lands in the container. */
  target?: string;
}

/** The libraries every service runs from source in dev: a change to one reaches every service. */
export const devLibraries = ['kit', 'proto'] as const;

/** Where the dev image keeps the workspace (the Dockerfile's WORKDIR /app). */
const appRoot = '/app';

/** The override file of a profile, relative to the project root (git-ignored, beside the profile files). */
export function devOverridePath(profile: string): string {
  return `.innover/docker-compose.${profile}.dev.yml`;
}

/** The app services a profile runs (in plan order), for `[services...]` and the error that lists them. */
export function devServices(plan: StackPlan): string[] {
  return [...new Set(plan.workloads.filter(isServiceContainer).map((workload) => workload.service!))];
}

function isServiceContainer(workload: Workload): boolean {
  return workload.component === 'services' && workload.service !== undefined && (workload.role === 'api' || workload.role === 'worker');
}

/**
 * The API and worker containers of `services` (all the profile's app services when empty), each
 * syncing its own `src/` and the libraries' `src/` (no restart: the kit's dev runner, the containers'
 * command, watches them and reloads in place, keeping the last good code serving), and rebuilding its
 * image on its own package.json (only its own), the libraries' package.json or the lockfile (shared by all).
 */
export function planDev(plan: StackPlan, services: readonly string[] = []): DevPlan {
  const known = devServices(plan);
  const unknown = services.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    const list = unknown.map((name) => `'${name}'`).join(', ');
    throw new UsageError(
      known.length === 0
        ? `profile '${plan.profile}' runs no app services: use a profile with 'services'`
        : `no service ${list} in profile '${plan.profile}': use one of ${known.join(', ')}`,
    );
  }
  const wanted = services.length > 0 ? services : known;
  const containers: DevContainer[] = [];
  for (const workload of plan.workloads) {
    if (!isServiceContainer(workload) || !wanted.includes(workload.service!)) continue;
    const service = workload.service!;
    const role = workload.role as 'api' | 'worker';
    const build = workload.build ?? plan.workloads.find((other) => other.name === workload.imageFrom)?.build;
    if (!build) continue;
    const sources = [service, ...devLibraries].map((name) => ({ action: 'sync', path: `services/${name}/src`, target: `${appRoot}/services/${name}/src` }) satisfies WatchRule);
    containers.push({
      name: workload.name,
      service,
      role,
      // The worker gets an image of its own: two services building one tag would relabel it on
      // every build and flip its id (see the services module); the layers are shared anyway.
      image: role === 'api' ? `innover/${service}:dev` : `innover/${service}-worker:dev`,
      build: { ...build, target: 'dev' },
      command: ['node', `${appRoot}/services/kit/src/bin/dev-run.ts`, role, ...sources.flatMap((source) => ['--watch', source.target])],
      healthcheck: ['CMD', 'bash', `${appRoot}/services/kit/bin/healthcheck.sh`, role],
      resources: { cpus: workload.resources.cpus * 2, memory: doubleMemory(workload.resources.memory) },
      watch: [
        ...sources,
        { action: 'rebuild', path: `services/${service}/package.json` },
        ...devLibraries.map((library): WatchRule => ({ action: 'rebuild', path: `services/${library}/package.json` })),
        { action: 'rebuild', path: 'package-lock.json' },
      ],
    });
  }
  return { profile: plan.profile, containers };
}

/** `256m` → `512m`, `1.5g` → `3g` (a Docker memory size, as the topology's schema accepts it). */
function doubleMemory(memory: string): string {
  const match = /^(\d+(?:\.\d+)?)([kmg])$/i.exec(memory);
  return match ? `${Number(match[1]) * 2}${match[2]}` : memory;
}

/**
 * The Compose override: laid over the profile's compose file (`-f <profile file> -f <this>`), it
 * swaps each watched container to its dev image and adds `develop.watch`; everything else (ports,
 * environment, dependencies) comes from the profile's file. The root filesystem is writable, for the
 * sync; the profile file's healthcheck already probes every second while a container starts, so a reload
 * turns green as soon as it is.
 */
export function renderDevOverride(dev: DevPlan): { services: Record<string, unknown> } {
  const services: Record<string, unknown> = {};
  for (const container of dev.containers) {
    services[container.name] = {
      image: container.image,
      build: { context: container.build.context, dockerfile: container.build.dockerfile, target: container.build.target, args: { ...container.build.args } },
      command: [...container.command],
      read_only: false,
      healthcheck: { test: [...container.healthcheck] },
      deploy: { resources: { limits: { cpus: container.resources.cpus, memory: container.resources.memory } } },
      develop: { watch: container.watch.map((rule) => ({ ...rule })) },
    };
  }
  return { services };
}

/** The override's YAML, with the generated header. */
export function stringifyDevOverride(dev: DevPlan): string {
  const header = `# generated by innover dev from innover.yaml (profile ${dev.profile}) — do not edit; innover dev rewrites it\n`;
  return header + stringify(renderDevOverride(dev), { lineWidth: 0, indent: 2, indentSeq: true, singleQuote: false });
}
