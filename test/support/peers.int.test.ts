import { spawn, spawnSync } from 'node:child_process';
import { getContainerRuntimeClient } from 'testcontainers';
import { afterAll, describe, expect, it } from 'vitest';
import { peerImages, peerLabels, removeLeftoverPeers, startKafka } from './peers.js';

describe('peer containers left behind by a killed run', () => {
  const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
  afterAll(() => void sleeper.kill());

  it('are removed at setup when their owner process is gone; a live owner keeps its peers', async () => {
    const { dockerode } = (await getContainerRuntimeClient()).container;
    const { redis } = await peerImages();
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    const create = (owner: number) => dockerode.createContainer({ Image: redis, Cmd: ['true'], Labels: peerLabels('redis', owner) });
    const [orphan, owned] = await Promise.all([create(gone), create(sleeper.pid ?? process.pid)]);
    try {
      expect(await removeLeftoverPeers()).toBeGreaterThanOrEqual(1);
      await expect(orphan.inspect()).rejects.toMatchObject({ statusCode: 404 });
      await expect(owned.inspect()).resolves.toMatchObject({ Id: owned.id });
    } finally {
      await Promise.allSettled([orphan.remove({ force: true }), owned.remove({ force: true })]);
    }
  });
});

describe('the Kafka peer', () => {
  it('is reachable from this host at the bootstrap address, and through what it advertises', async () => {
    const kafka = await startKafka();
    try {
      const { Kafka, logLevel } = await import('kafkajs');
      const client = new Kafka({ clientId: 'peer-test', brokers: kafka.brokers, logLevel: logLevel.NOTHING });
      const producer = client.producer({ allowAutoTopicCreation: true });
      await producer.connect();
      // Producing goes to the partition leader at its advertised address, not the bootstrap one.
      await expect(producer.send({ topic: 'peer-test', messages: [{ value: 'hello' }] })).resolves.toHaveLength(1);
      await producer.disconnect();
    } finally {
      await kafka.stop();
    }
  });
});
