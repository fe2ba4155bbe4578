import { describe, expect, it } from 'vitest';
import { renderProfileFiles } from '../../src/render/profile-files.js';
import { defaultStack } from '../topology/fixtures.js';

describe('renderProfileFiles', () => {
  it('the default profile gives the committed files', () => {
    expect(renderProfileFiles(defaultStack(), 'full').map((file) => file.path)).toEqual([
      'docker-compose.yml',
      'nginx/innover.conf',
      'otel/collector.yaml',
      'otel/jaeger.yaml',
    ]);
  });

  it('a profile with Jaeger renders its config under .innover/ and mounts it', () => {
    const files = renderProfileFiles(defaultStack(), 'observability');
    expect(files.map((file) => file.path)).toEqual([
      '.innover/docker-compose.observability.yml',
      '.innover/collector.observability.yaml',
      '.innover/jaeger.observability.yaml',
    ]);
    expect(files[0]!.content).toContain('- ./.innover/jaeger.observability.yaml:/etc/jaeger/config.yaml:ro');
    expect(files[0]!.content).toContain('- --config=/etc/jaeger/config.yaml');
  });

  it('another profile renders under .innover/ and its compose file mounts those copies', () => {
    const files = renderProfileFiles(defaultStack(), 'lite');
    expect(files.map((file) => file.path)).toEqual(['.innover/docker-compose.lite.yml', '.innover/nginx.lite.conf']);
    expect(files[0]!.content).toContain('- ./.innover/nginx.lite.conf:/etc/nginx/conf.d/default.conf:ro');
    expect(files[1]!.content).not.toContain('/auth/');
  });

  it('a profile without Nginx or the collector gets only its compose file', () => {
    expect(renderProfileFiles(defaultStack(), 'core').map((file) => file.path)).toEqual(['.innover/docker-compose.core.yml']);
  });
});
