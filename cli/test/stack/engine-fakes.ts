import type { ContainerSummary, EngineClient } from '../../src/clients/engine-client.js';
import { strictFake } from '../support/run-cli.js';

/** A list entry as the engine would report it for a compose service of `project`. */
export function summary(service: string, overrides: Partial<ContainerSummary> = {}, project = 'innover'): ContainerSummary {
  return {
    id: `${service}-id-0123456789abcdef`,
    name: `${project}-${service}-1`,
    service,
    project,
    image: `image-of-${service}`,
    state: 'running',
    health: 'healthy',
    exitCode: undefined,
    status: 'Up 2 minutes (healthy)',
    createdAt: 1_700_000_000,
    ports: [],
    ...overrides,
  };
}

/**
 * An engine whose `listContainers` returns the next scripted snapshot on each call (the last one
 * repeats) and counts calls; every other method throws unless given.
 */
export function scriptedEngine(
  snapshots: ContainerSummary[][],
  methods: Partial<EngineClient> = {},
): EngineClient & { listCalls: number } {
  let calls = 0;
  const engine = strictFake<EngineClient>('engine', {
    // Enough CPUs for every container's limit unless a test says otherwise.
    cpuCount: async () => 8,
    listContainers: async () => {
      const snapshot = snapshots[Math.min(calls, snapshots.length - 1)] ?? [];
      calls += 1;
      return snapshot;
    },
    ...methods,
  });
  return Object.defineProperty(engine, 'listCalls', { get: () => calls }) as EngineClient & { listCalls: number };
}
