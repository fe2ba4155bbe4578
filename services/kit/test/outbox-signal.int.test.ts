import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis } from '../../../test/support/peers.js';
import type { RedisPeer } from '../../../test/support/peers.js';
import { outboxChannel, subscribeOutboxSignal, throttledSignal } from '../src/outbox-signal.js';
import { until } from '../../../test/support/until.js';

let redis: RedisPeer;

beforeAll(async () => {
  redis = await startRedis({ password: 'signal-secret' });
});

afterAll(async () => {
  await redis?.stop();
});

describe('outbox signal over Redis', () => {
  it("a process's publish reaches the subscriber of the same service's channel, not another service's", async () => {
    const ledgerWakes: number[] = [];
    const walletWakes: number[] = [];
    const ledger = await subscribeOutboxSignal(redis.url, outboxChannel('ledger'), () => ledgerWakes.push(1));
    const wallet = await subscribeOutboxSignal(redis.url, outboxChannel('wallet'), () => walletWakes.push(1));
    const publisher = new Redis(redis.url);
    const signal = throttledSignal(publisher, outboxChannel('ledger'));
    try {
      signal.notify();
      await until('the ledger subscriber woken', () => (ledgerWakes.length > 0 ? true : undefined));
      // The wallet channel got nothing: one more round trip on the same connection orders after the publish.
      await publisher.publish(outboxChannel('ledger'), '');
      await until('the second ledger wake-up', () => (ledgerWakes.length > 1 ? true : undefined));
      expect(walletWakes).toEqual([]);
    } finally {
      signal.close();
      await Promise.all([ledger.close(), wallet.close(), publisher.quit()]);
    }
  });
});
