import { describe, expect, it } from 'vitest';
import { standInBaseImages } from '../../src/stack/base-images.js';
import { defaultStack } from '../topology/fixtures.js';

describe('standInBaseImages', () => {
  it('names the base images of the lite profile with the topology tags', () => {
    expect(standInBaseImages(defaultStack(), 'lite').sort()).toEqual(
      [
        'docker.redpanda.com/redpandadata/redpanda:v24.3.6=kafka',
        'nginx:1.27-bookworm=nginx',
        'node:24-bookworm-slim=node',
        'postgres:16-bookworm=postgres',
        'redis:7.4-bookworm=redis',
      ],
    );
  });

  it('stands the Kafka stand-in in for the Redpanda image a profile runs', () => {
    const topology = defaultStack();
    expect(standInBaseImages(topology, 'core')).toContain(`${topology.infrastructure.redpanda.image}=kafka`);
    expect(standInBaseImages(topology, 'identity').some((pair) => pair.endsWith('=kafka'))).toBe(false);
  });

  it('leaves out PostgreSQL when the profile runs CockroachDB, which has no stand-in', () => {
    expect(standInBaseImages(defaultStack(), 'full').some((pair) => pair.endsWith('=postgres'))).toBe(false);
  });
});
