import type { z } from 'zod';
import type { profileFilePaths } from '../plan/files.js';
import type {
  ConfigFile,
  DataVolume,
  DependencyPlan,
  EntryPoint,
  NetworkPlan,
  ProbePlan,
  SecretPlan,
  SecurityPlan,
  StackUrl,
  Text,
  Workload,
} from '../plan/types.js';
import type { DatabaseEngine, ResourceCategory, Resources, Service, Topology } from '../topology/schema.js';

/**
 * A component module: everything innover knows about one part of the stack (an infrastructure
 * component, or the application services). `planStack` (cli/src/plan) loops over a list of these
 * and names none of them; the topology schema takes each module's slice.
 */
export interface ComponentModule {
  /** Module name, e.g. `redis`, `cockroachdb`. */
  name: string;
  /** The profile component it implements (`profiles.<p>.components`); two modules may share one (the database engines). */
  component: string;
  /** Its settings in the topology: where they live, their schema, and their defaults. */
  slice?: SchemaSlice;
  /** Whether it takes part in a profile; default: the profile holds `component`. */
  enabled?(context: ModuleContext): boolean;
  /** Workload names it may create, which a service may not take. */
  reservedNames?: readonly (string | RegExp)[];
  /** Every host port it may publish, with its topology path, for the clash check (whatever the profile). */
  hostPorts?(topology: Topology): readonly (readonly [string, number])[];
  /** Profile rules: a problem (`'x' needs 'y' ...: add y`) when the profile's components do not suit it. */
  profileProblems?(components: readonly string[]): readonly string[];
  /** What it gives the rest of the stack, asked before any workload is planned. */
  provides?(context: ModuleContext): Provision;
  /** Its workloads, volumes, files, URLs, secrets and entry points for the profile. */
  plan(context: PlanContext): Contribution;
}

/** Where a module's settings live in the topology, and their schema and defaults. */
export interface SchemaSlice {
  section: 'database' | 'infrastructure';
  key: string;
  schema: z.ZodType;
  /** Merged under innover.yaml, like the rest of default-topology.ts. */
  defaults: Record<string, unknown>;
}

/** The profile being planned, as every module sees it. */
export interface ModuleContext {
  topology: Topology;
  profile: string;
  /** The profile's components. */
  components: ReadonlySet<string>;
  has: (component: string) => boolean;
  /** The engine behind `database`, when the profile holds it. */
  engine: DatabaseEngine | undefined;
  /** Where the profile's own files are written. */
  paths: ReturnType<typeof profileFilePaths>;
}

/** What a module gives the others. */
export interface Provision {
  /** What every service workload waits for. */
  serviceDependencies?: readonly DependencyPlan[];
  /** Environment it gives every service workload. */
  serviceEnvironment?(service: Service): Record<string, Text>;
  /** Environment it gives a service that calls others (after the callees' URLs). */
  callerEnvironment?(service: Service): Record<string, Text>;
  /** A network with a fixed address, when it must trust a workload by address. */
  network?: NetworkPlan;
}

/** The planning context: the module context plus what every enabled module provides. */
export interface PlanContext extends ModuleContext {
  /** Every provision, in module order. */
  provisions: readonly Provision[];
  network: NetworkPlan | undefined;
}

/** A workload before planStack fills in what follows from the rest (resources, restart, secrets, statefulness). */
export interface WorkloadDraft
  extends Omit<
    Workload,
    'resources' | 'resourcesOverridden' | 'restart' | 'secrets' | 'stateful' | 'dependsOn' | 'ports' | 'volumes' | 'environment' | 'imageTools' | 'security'
  > {
  /** The topology's override of the category's limits. */
  override?: Resources | undefined;
  category: ResourceCategory;
  dependsOn?: readonly DependencyPlan[];
  ports?: Workload['ports'];
  volumes?: Workload['volumes'];
  environment?: Workload['environment'];
  imageTools?: Workload['imageTools'];
  security?: SecurityPlan;
  readiness?: ProbePlan;
}

/** What one module adds to the plan. */
export interface Contribution {
  workloads: readonly WorkloadDraft[];
  volumes?: readonly DataVolume[];
  files?: readonly ConfigFile[];
  urls?: readonly StackUrl[];
  secrets?: readonly SecretPlan[];
  entryPoints?: readonly EntryPoint[];
}

/** A module's settings, read from its slice of the topology. */
export function settingsOf<T>(topology: Topology, slice: SchemaSlice): T {
  return (topology as unknown as Record<string, Record<string, unknown>>)[slice.section]![slice.key] as T;
}
