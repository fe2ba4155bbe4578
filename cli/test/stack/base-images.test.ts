import { describe, expect, it } from 'vitest';
import { standInBaseImages } from '../../src/stack/base-images.js';
import { defaultStack } from '../topology/fixtures.js';

describe('standInBaseImages', () => {
  it('names the base images of the lite profile with the topology tags', () => {
    expect(standInBaseImages(defaultStack(), 'lite').sort()).toEqual(
      ['nginx:1.27-bookworm=nginx', 'node:24-bookworm-slim=node', 'postgres:16-bookworm=postgres', 'redis:7.4-bookworm=redis'],
    );
  });

  it('leaves out PostgreSQL when the profile runs CockroachDB, which has no stand-in', () => {
    expect(standInBaseImages(defaultStack(), 'full').some((pair) => pair.endsWith('=postgres'))).toBe(false);
  });
});
