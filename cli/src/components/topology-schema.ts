import { z } from 'zod';
import { databaseSchema, infrastructureSchema, profileSchema, topologySchema, componentNames, type TopologyInput } from '../topology/schema.js';
import { defaultTopology } from '../topology/default-topology.js';
import { defaultModules } from './index.js';
import type { ComponentModule } from './module.js';

/**
 * The topology schema for a list of modules: the shipped schema (whose database and
 * infrastructure sections are the default modules' slices) plus the slice of every further
 * module, and profiles that may name every module's component. The default list gives the
 * shipped schema itself.
 */
export function topologySchemaFor(modules: readonly ComponentModule[]): z.ZodType {
  const extra = modules.filter((module) => module.slice && !defaultModules.includes(module));
  const extraComponents = modules.map((module) => module.component).filter((component) => !(componentNames as readonly string[]).includes(component));
  if (extra.length === 0 && extraComponents.length === 0) return topologySchema;
  const slices = (section: 'database' | 'infrastructure') =>
    Object.fromEntries(extra.filter((module) => module.slice!.section === section).map((module) => [module.slice!.key, module.slice!.schema]));
  const components = [...componentNames, ...new Set(extraComponents)] as [string, ...string[]];
  return topologySchema.extend({
    database: databaseSchema.extend(slices('database')),
    infrastructure: infrastructureSchema.extend(slices('infrastructure')),
    profiles: z.record(z.string(), profileSchema.extend({ components: z.array(z.enum(components)).min(1) })),
  });
}

/** The defaults for a list of modules: the shipped defaults plus each further module's slice defaults. */
export function defaultTopologyFor(modules: readonly ComponentModule[]): TopologyInput {
  const extra = modules.filter((module) => module.slice && !defaultModules.includes(module));
  if (extra.length === 0) return defaultTopology;
  const topology = structuredClone(defaultTopology) as unknown as Record<string, Record<string, unknown>>;
  for (const module of extra) topology[module.slice!.section]![module.slice!.key] = module.slice!.defaults;
  return topology as unknown as TopologyInput;
}
