import { planStack } from './plan-stack.js';
import type { Topology } from '../topology/schema.js';

/**
 * The kinds of base image that innover's CI can stand in for with a local build when no registry
 * answers (`kafka` is a Redpanda image: a Kafka-protocol broker).
 */
export type StandInKind = 'node' | 'redis' | 'postgres' | 'nginx' | 'kafka';

/**
 * `IMAGE=KIND` pairs for standin-images.sh: the base images a profile builds on or runs that a
 * local stand-in can replace, with tags from the topology, their one home. Pure.
 */
export function standInBaseImages(topology: Topology, profile: string): string[] {
  const plan = planStack(topology, profile);
  const pairs = new Map<string, StandInKind>();
  if (plan.workloads.some((container) => container.role === 'api' || container.role === 'worker')) {
    pairs.set(topology.infrastructure.node.image, 'node');
  }
  for (const container of plan.workloads) {
    if (container.component === 'redis') pairs.set(container.image, 'redis');
    if (container.component === 'nginx') pairs.set(container.image, 'nginx');
    if (container.component === 'redpanda') pairs.set(container.image, 'kafka');
    if (container.component === 'database' && plan.database === 'postgres') pairs.set(container.image, 'postgres');
  }
  return [...pairs].map(([image, kind]) => `${image}=${kind}`);
}

/** The images the integration tier's container peers run (test/support/peers.ts), by kind. Pure. */
export function integrationPeerImages(topology: Topology): Record<'redis' | 'postgres' | 'kafka', string> {
  return { redis: topology.infrastructure.redis.image, postgres: topology.database.postgres.image, kafka: topology.infrastructure.redpanda.image };
}

/**
 * `IMAGE=KIND` pairs for every image the tests run: the base images of the e2e profile and the
 * integration peers' images, each once. Pure.
 */
export function testImages(topology: Topology, e2eProfile: string): string[] {
  const pairs = new Map(standInBaseImages(topology, e2eProfile).map((pair) => [pair.slice(0, pair.lastIndexOf('=')), pair] as const));
  for (const [kind, image] of Object.entries(integrationPeerImages(topology))) if (!pairs.has(image)) pairs.set(image, `${image}=${kind}`);
  return [...pairs.values()];
}
