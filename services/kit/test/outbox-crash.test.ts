import { describe, expect, it } from 'vitest';
import { crashingPublisher, outboxRelayCrashAfter } from '../src/outbox.js';
import type { OutboxMessage } from '../src/outbox.js';

// The relay's test-only crash point (OUTBOX_RELAY_CRASH_AFTER): the six-service scenario
// test/payments/crash-recovery.int.test.ts kills a ledger worker with it mid-batch.
const message = (seq: number): OutboxMessage => ({ id: `id-${seq}`, topic: 't', key: 'k', seq, payload: Buffer.from([seq]), headers: {}, createdAt: new Date(0) });
const batch = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => message(from + index));

describe('OUTBOX_RELAY_CRASH_AFTER', () => {
  it('is off when unset or empty, and always under NODE_ENV=production', () => {
    expect(outboxRelayCrashAfter({})).toBeUndefined();
    expect(outboxRelayCrashAfter({ OUTBOX_RELAY_CRASH_AFTER: '' })).toBeUndefined();
    expect(outboxRelayCrashAfter({ OUTBOX_RELAY_CRASH_AFTER: '3', NODE_ENV: 'production' })).toBeUndefined();
    expect(outboxRelayCrashAfter({ OUTBOX_RELAY_CRASH_AFTER: '3', NODE_ENV: 'test' })).toBe(3);
  });

  it('refuses a value that is not a positive integer, naming the variable', () => {
    for (const value of ['0', '-1', '2.5', 'many']) expect(() => outboxRelayCrashAfter({ OUTBOX_RELAY_CRASH_AFTER: value })).toThrow(/^OUTBOX_RELAY_CRASH_AFTER: must be a positive integer/);
  });
});

describe('crashingPublisher', () => {
  it('passes whole batches on until the count, publishes the crossing batch only up to it, then crashes without acknowledging', async () => {
    const published: number[][] = [];
    let crashes = 0;
    const publish = crashingPublisher(
      (messages) => {
        published.push(messages.map((entry) => entry.seq));
        return Promise.resolve();
      },
      5,
      () => (crashes += 1),
    );
    await publish(batch(1, 3));
    expect(crashes).toBe(0);
    await expect(publish(batch(4, 8))).rejects.toThrow(/crashed on purpose after 5 messages/);
    expect(published).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
    expect(crashes).toBe(1);
  });

  it('crashes at the end of a batch that reaches the count exactly, before the relay marks it sent', async () => {
    let crashed = false;
    const publish = crashingPublisher(() => Promise.resolve(), 2, () => (crashed = true));
    await expect(publish(batch(1, 2))).rejects.toThrow(/crashed on purpose/);
    expect(crashed).toBe(true);
  });
});
