import type Dockerode from 'dockerode';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { engineClientOver, type EngineTransport, type ImageProgress } from '../../src/clients/engine-client.js';

const lines = (...messages: unknown[]): Readable => Readable.from([messages.map((message) => JSON.stringify(message)).join('\n') + '\n']);

/** A transport whose dockerode is the given stub (only the calls a test makes). */
function over(stub: Partial<Record<keyof Dockerode | 'getImages', unknown>>): ReturnType<typeof engineClientOver> {
  const transport: EngineTransport = {
    listContainers: () => Promise.reject(new Error('unexpected')),
    ping: () => Promise.resolve(),
    info: () => Promise.resolve({}),
    dockerode: () => Promise.resolve(stub as unknown as Dockerode),
  };
  return engineClientOver(transport, '/var/run/docker.sock');
}

describe('the engine client: image methods', () => {
  it('push splits registry port from tag, sends an (empty) auth header, reports layers done and the digest', async () => {
    const calls: Array<{ name: string; options: unknown }> = [];
    const engine = over({
      getImage: (name: string) => ({
        push: (options: unknown) => {
          calls.push({ name, options });
          return Promise.resolve(
            lines(
              { status: 'The push refers to repository [127.0.0.1:5000/innover/payment]' },
              { status: 'Preparing', id: 'l1' },
              { status: 'Pushing', id: 'l1', progressDetail: { current: 1, total: 2 } },
              { status: 'Pushed', id: 'l1' },
              { status: 'Layer already exists', id: 'l2' },
              { status: 't1: digest: sha256:abc size: 1' },
              { aux: { Tag: 't1', Digest: 'sha256:abc', Size: 1 } },
            ),
          );
        },
      }),
    });
    const progress: ImageProgress[] = [];
    expect(await engine.pushImage('127.0.0.1:5000/innover/payment:t1', { onProgress: (step) => progress.push(step) })).toEqual({ digest: 'sha256:abc' });
    expect(calls).toEqual([{ name: '127.0.0.1:5000/innover/payment', options: { tag: 't1', authconfig: {} } }]);
    expect(progress).toEqual([
      { layer: 'l1', status: 'Pushed' },
      { layer: 'l2', status: 'Layer already exists' },
    ]);
  });

  it('push rejects with the message of an error in the stream (the engine answered 200)', async () => {
    const engine = over({
      getImage: () => ({ push: () => Promise.resolve(lines({ status: 'Preparing', id: 'l1' }, { errorDetail: { message: 'unauthorized: authentication required' }, error: 'unauthorized' })) }),
    });
    await expect(engine.pushImage('r.example/innover/payment:t1')).rejects.toThrow('unauthorized: authentication required');
  });

  it('tag of a missing image is one line; load lists what the engine loaded', async () => {
    const missing = Object.assign(new Error('no such image'), { statusCode: 404 });
    const engine = over({
      getImage: () => ({ tag: () => Promise.reject(missing) }),
      loadImage: () => Promise.resolve(lines({ stream: 'Loaded image: redis:7.4-bookworm\n' }, { stream: 'Loaded image ID: sha256:0123\n' })),
    });
    await expect(engine.tagImage('nope:1', 'r.example/nope:1')).rejects.toThrow('image nope:1 does not exist on this engine: build or pull it first');
    expect(await engine.importImages(Readable.from([Buffer.alloc(10)]))).toEqual({ loaded: ['redis:7.4-bookworm', 'sha256:0123'] });
  });

  it('export asks for every reference in one call', async () => {
    const asked: unknown[] = [];
    const engine = over({
      getImages: (options: unknown) => {
        asked.push(options);
        return Promise.resolve(Readable.from([Buffer.from('tar')]));
      },
    });
    await engine.exportImages(['a:1', 'b:2']);
    expect(asked).toEqual([{ names: ['a:1', 'b:2'] }]);
  });
});
