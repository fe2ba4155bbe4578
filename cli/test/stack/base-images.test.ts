import { describe, expect, it } from 'vitest';
import { integrationPeerImages, standInBaseImages, testImages } from '../../src/plan/base-images.js';
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

  it('names a Redpanda image as the kafka kind', () => {
    expect(standInBaseImages(defaultStack(), 'core')).toContain('docker.redpanda.com/redpandadata/redpanda:v24.3.6=kafka');
  });
});

describe('the images the tests run', () => {
  it("are the integration peers' Redis, PostgreSQL and Redpanda images, with the topology tags", () => {
    expect(integrationPeerImages(defaultStack())).toEqual({ redis: 'redis:7.4-bookworm', postgres: 'postgres:16-bookworm', kafka: 'docker.redpanda.com/redpandadata/redpanda:v24.3.6' });
  });

  it("add the peers' images to the e2e profile's base images, each image once", () => {
    const pairs = testImages(defaultStack(), 'lite');
    expect(pairs).toEqual(expect.arrayContaining([...standInBaseImages(defaultStack(), 'lite'), 'docker.redpanda.com/redpandadata/redpanda:v24.3.6=kafka']));
    expect(new Set(pairs.map((pair) => pair.slice(0, pair.lastIndexOf('=')))).size).toBe(pairs.length);
  });
});
