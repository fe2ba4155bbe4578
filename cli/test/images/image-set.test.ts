import { describe, expect, it } from 'vitest';
import { EngineMessageReader, splitReference, type EngineMessage } from '../../src/clients/engine-client.js';
import { archiveKind } from '../../src/images/image-archive.js';
import { mirroredPath, profileImages, pushedReference } from '../../src/images/image-set.js';
import { planStack } from '../../src/plan/plan-stack.js';
import { defaultStack } from '../topology/fixtures.js';

const topology = defaultStack();

describe('profileImages', () => {
  it('lists each image once, services first, with the containers that run it', () => {
    const images = profileImages(planStack(topology, 'full'));
    expect(images.filter((image) => image.kind === 'service').map((image) => image.name)).toEqual(topology.services.map((service) => service.name));
    expect(images.find((image) => image.name === 'payment')?.containers).toEqual(['payment', 'payment-worker']);
    expect(images.find((image) => image.source.startsWith('cockroachdb/'))?.containers).toEqual(['cockroach1', 'cockroach2', 'cockroach3', 'cockroach-init', 'cockroach-bootstrap']);
    expect(images.filter((image) => image.kind === 'third-party').map((image) => image.name)).toEqual([
      'database',
      'redis',
      'redpanda',
      'jaeger',
      'otel-collector',
      'keycloak',
      'nginx',
      'wso2',
    ]);
  });

  it("lite's third-party images are PostgreSQL, Redis, Redpanda and Nginx", () => {
    expect(profileImages(planStack(topology, 'lite')).filter((image) => image.kind === 'third-party').map((image) => image.source)).toEqual([
      'postgres:16-bookworm',
      'redis:7.4-bookworm',
      'docker.redpanda.com/redpandadata/redpanda:v24.3.6',
      'nginx:1.27-bookworm',
    ]);
  });
});

describe('pushed references', () => {
  it('are <registry>/innover/<service>:<tag> for a service, the path without its host for a third-party image', () => {
    const [payment] = profileImages(planStack(topology, 'lite')).filter((image) => image.name === 'payment');
    expect(payment && pushedReference('r.example:5000/team', payment, '0.1.0')).toBe('r.example:5000/team/innover/payment:0.1.0');
    expect(mirroredPath('redis:7.4-bookworm')).toBe('redis:7.4-bookworm');
    expect(mirroredPath('quay.io/keycloak/keycloak:26.6.0')).toBe('keycloak/keycloak:26.6.0');
    expect(mirroredPath('localhost:5000/a/b')).toBe('a/b:latest');
    expect(mirroredPath('otel/opentelemetry-collector-contrib:0.115.1')).toBe('otel/opentelemetry-collector-contrib:0.115.1');
  });

  it('splitReference keeps a registry port out of the tag and drops a digest', () => {
    expect(splitReference('127.0.0.1:5000/innover/payment:abc')).toEqual({ repository: '127.0.0.1:5000/innover/payment', tag: 'abc' });
    expect(splitReference('127.0.0.1:5000/innover/payment')).toEqual({ repository: '127.0.0.1:5000/innover/payment', tag: 'latest' });
    expect(splitReference(`redis:7@sha256:${'0'.repeat(64)}`)).toEqual({ repository: 'redis', tag: '7' });
  });
});

describe('EngineMessageReader', () => {
  it('splits JSON lines across chunks and throws the first error message', () => {
    const seen: EngineMessage[] = [];
    const reader = new EngineMessageReader((message) => seen.push(message));
    reader.push('{"status":"Pushed","id":"a1"}\n{"aux":{"Tag":"t","Dig');
    reader.push('est":"sha256:1"}}\n');
    reader.end();
    expect(seen).toEqual([{ status: 'Pushed', id: 'a1' }, { aux: { Tag: 't', Digest: 'sha256:1' } }]);
    expect(() => reader.push('{"errorDetail":{"message":"denied: requested access"},"error":"denied"}\n')).toThrow('denied: requested access');
  });
});

describe('archiveKind', () => {
  it('knows a tar by its ustar magic and a compressed archive by its first bytes; anything else is none', () => {
    const tar = Buffer.alloc(512);
    tar.write('ustar', 257, 'latin1');
    expect(archiveKind(tar)).toBe('tar');
    expect(archiveKind(Buffer.from([0x1f, 0x8b, 8, 0]))).toBe('compressed');
    expect(archiveKind(Buffer.from('{"not":"an archive"}'))).toBeUndefined();
    expect(archiveKind(Buffer.alloc(0))).toBeUndefined();
  });
});
