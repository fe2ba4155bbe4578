import { planStack } from '../topology/plan-stack.js';
import type { Topology } from '../topology/schema.js';

/** The kinds of base image that ../shared/tools/standin-images.sh can stand in for. */
export type StandInKind = 'node' | 'redis' | 'postgres' | 'nginx' | 'kafka';

/**
 * `IMAGE=KIND` pairs for standin-images.sh: the base images a profile builds on or runs that a
 * local stand-in can replace, with tags from the topology, their one home. Pure.
 */
export function standInBaseImages(topology: Topology, profile: string): string[] {
  const plan = planStack(topology, profile);
  const pairs = new Map<string, StandInKind>();
  if (plan.containers.some((container) => container.role === 'api' || container.role === 'worker')) {
    pairs.set(topology.infrastructure.node.image, 'node');
  }
  for (const container of plan.containers) {
    if (container.component === 'redis') pairs.set(container.image, 'redis');
    if (container.component === 'nginx') pairs.set(container.image, 'nginx');
    if (container.component === 'redpanda') pairs.set(container.image, 'kafka');
    if (container.component === 'database' && plan.database === 'postgres') pairs.set(container.image, 'postgres');
  }
  return [...pairs].map(([image, kind]) => `${image}=${kind}`);
}
