import { describe, expect, it } from 'vitest';
import { onOutboxCommitted, outboxChannel, outboxCommitted, throttledSignal } from '../src/outbox-signal.js';
import { until } from '../../../test/support/until.js';

describe('outbox signal', () => {
  it('outboxCommitted calls every listener until it unsubscribes, and a throwing listener harms no one', () => {
    const calls: string[] = [];
    const stopFirst = onOutboxCommitted(() => calls.push('first'));
    const stopThrowing = onOutboxCommitted(() => {
      throw new Error('listener bug');
    });
    const stopSecond = onOutboxCommitted(() => calls.push('second'));
    outboxCommitted();
    stopFirst();
    outboxCommitted();
    stopThrowing();
    stopSecond();
    outboxCommitted();
    expect(calls).toEqual(['first', 'second', 'second']);
  });

  it('throttledSignal publishes the first notify at once and folds a burst into one trailing publish', async () => {
    const published: string[] = [];
    const signal = throttledSignal({ publish: async (channel) => void published.push(channel) }, outboxChannel('ledger'), 50);
    signal.notify();
    expect(published).toEqual(['innover:outbox:ledger']);
    for (let index = 0; index < 10; index += 1) signal.notify();
    expect(published).toHaveLength(1);
    await until('the trailing publish', () => (published.length === 2 ? true : undefined), 10_000, 10);
    signal.close();
    signal.notify();
    expect(published).toHaveLength(2);
  });

  it('a publisher that fails is ignored (the relay still polls)', () => {
    const signal = throttledSignal({ publish: () => Promise.reject(new Error('redis down')) }, outboxChannel('wallet'));
    expect(() => signal.notify()).not.toThrow();
    signal.close();
  });
});
