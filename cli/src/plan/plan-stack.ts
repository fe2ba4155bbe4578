import { UsageError } from '../command.js';
import { defaultModules } from '../components/index.js';
import type { ComponentModule, ModuleContext, PlanContext, Provision, WorkloadDraft } from '../components/module.js';
import { imageDefaultSecurity } from '../components/shared.js';
import type { DatabaseEngine, Topology } from '../topology/schema.js';
import { profileFilePaths } from './files.js';
import type { ComponentPlan, SecretRef, StackPlan, Text, Workload } from './types.js';

/** The engine behind `database` for a profile. */
export function profileDatabase(topology: Topology, profileName: string): DatabaseEngine {
  return topology.profiles[profileName]?.database ?? topology.database.engine;
}

/** The modules that take part in a profile. */
export function enabledModules(context: ModuleContext, modules: readonly ComponentModule[]): ComponentModule[] {
  return modules.filter((module) => (module.enabled ? module.enabled(context) : context.has(module.component)));
}

/**
 * Derives the target-neutral plan of one profile from the topology, by asking each component
 * module (cli/src/components) what it provides and then what it runs. Pure; names no component.
 * Workloads come in module order, each after what it depends on. Throws a UsageError for a
 * profile the topology does not define.
 */
export function planStack(topology: Topology, profileName: string, modules: readonly ComponentModule[] = defaultModules): StackPlan {
  const profile = topology.profiles[profileName];
  if (!profile) {
    throw new UsageError(
      `--profile: no profile named '${profileName}': use one of ${Object.keys(topology.profiles).join(', ')} (or define it under profiles in innover.yaml)`,
    );
  }
  const components = new Set<string>(profile.components);
  const has = (component: string): boolean => components.has(component);
  const context: ModuleContext = {
    topology,
    profile: profileName,
    components,
    has,
    engine: has('database') ? profileDatabase(topology, profileName) : undefined,
    paths: profileFilePaths(topology, profileName),
  };
  const enabled = enabledModules(context, modules);
  const provisions = enabled.map((module) => module.provides?.(context) ?? {});
  const network = provisions.find((provision) => provision.network)?.network;
  const planContext: PlanContext = { ...context, provisions, network };
  const contributions = enabled.map((module) => ({ module, contribution: module.plan(planContext) }));
  const workloads = dependencyOrder(contributions.flatMap(({ contribution }) => contribution.workloads.map((draft) => finish(topology, draft))));
  const componentPlans = contributions.map(
    ({ module, contribution }, index): ComponentPlan => ({
      name: module.name,
      component: module.component,
      workloads: contribution.workloads.map((workload) => workload.name),
      urls: contribution.urls ?? [],
      serviceEnvironment: serviceEnvironmentOf(topology, provisions[index]!),
      secrets: contribution.secrets ?? [],
      entryPoints: contribution.entryPoints ?? [],
    }),
  );
  return {
    project: topology.project,
    profile: profileName,
    components: profile.components.filter((component, index, all) => all.indexOf(component) === index),
    database: context.engine,
    workloads,
    volumes: contributions.flatMap(({ contribution }) => contribution.volumes ?? []),
    files: contributions.flatMap(({ contribution }) => contribution.files ?? []),
    ...(network ? { network } : {}),
    resources: topology.resources,
    componentPlans,
    urls: componentPlans.flatMap((component) => component.urls),
  };
}

function serviceEnvironmentOf(topology: Topology, provision: Provision): Record<string, Record<string, Text>> {
  if (!provision.serviceEnvironment && !provision.callerEnvironment) return {};
  return Object.fromEntries(
    topology.services.map((service) => [
      service.name,
      { ...provision.serviceEnvironment?.(service), ...(service.calls.length > 0 ? provision.callerEnvironment?.(service) : {}) },
    ]),
  );
}

/** Stable: module order, except that a workload moves after what it depends on. */
function dependencyOrder(workloads: readonly Workload[]): Workload[] {
  const byName = new Map(workloads.map((workload) => [workload.name, workload]));
  const ordered: Workload[] = [];
  const placed = new Set<string>();
  const visiting = new Set<string>();
  const place = (workload: Workload): void => {
    if (placed.has(workload.name)) return;
    if (visiting.has(workload.name)) throw new Error(`workloads depend on each other in a cycle through ${workload.name}`);
    visiting.add(workload.name);
    for (const dependency of workload.dependsOn) {
      const target = byName.get(dependency.name);
      if (target) place(target);
    }
    visiting.delete(workload.name);
    placed.add(workload.name);
    ordered.push(workload);
  };
  workloads.forEach(place);
  return ordered;
}

function secretsOf(texts: readonly Text[]): string[] {
  const refs = texts.flatMap((text): SecretRef[] => (typeof text === 'string' ? [] : 'concat' in text ? text.concat.filter((part): part is SecretRef => typeof part !== 'string') : [text]));
  return [...new Set(refs.map((ref) => ref.secret))];
}

function finish(topology: Topology, draft: WorkloadDraft): Workload {
  const { override, ...rest } = draft;
  const anchor = topology.resources[draft.category];
  const resources = override ?? anchor;
  const overridden = resources.cpus !== anchor.cpus || resources.memory !== anchor.memory;
  const environment = draft.environment ?? {};
  const volumes = draft.volumes ?? [];
  return {
    ...rest,
    imageTools: draft.imageTools ?? [],
    environment,
    ports: draft.ports ?? [],
    volumes,
    dependsOn: draft.dependsOn ?? [],
    resources: overridden ? resources : anchor,
    resourcesOverridden: overridden,
    restart: draft.lifecycle === 'one-shot' ? 'never' : 'always',
    security: draft.security ?? imageDefaultSecurity,
    stateful: volumes.some((volume) => volume.kind === 'data'),
    secrets: secretsOf([...Object.values(environment), ...(draft.command ?? []), ...(draft.entrypoint ?? [])]),
  };
}
