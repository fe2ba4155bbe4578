import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { patchKafkaRequestQueue } from '../src/events.js';

interface RequestQueue {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  destroy(): void;
}
type RequestQueueClass = new (options: Record<string, unknown>) => RequestQueue;

const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const RequestQueue = createRequire(import.meta.url)('kafkajs/src/network/requestQueue/index.js') as RequestQueueClass;
const queue = () => new RequestQueue({ maxInFlightRequests: 1, requestTimeout: 30_000, enforceRequestTimeout: false, clientId: 'test', broker: 'localhost:9092', logger });

describe('kafkajs request queue patch', () => {
  it('with nothing pending and no throttle, a pending-request check arms no timer (kafkajs 2.2.4 looped every 1 ms)', () => {
    expect(patchKafkaRequestQueue()).toBe(true);
    // Idempotent: a second call keeps the one patch.
    expect(patchKafkaRequestQueue()).toBe(true);
    const idle = queue();
    idle.checkPendingRequests();
    expect(idle.throttleCheckTimeoutId).toBeNull();
    idle.destroy();
  });

  it('still schedules the check while requests are pending or the broker throttles', () => {
    patchKafkaRequestQueue();
    const waiting = queue();
    waiting.pending.push({});
    waiting.throttledUntil = Date.now() + 60_000;
    waiting.checkPendingRequests();
    expect(waiting.throttleCheckTimeoutId).not.toBeNull();
    waiting.destroy();

    const throttled = queue();
    throttled.throttledUntil = Date.now() + 60_000;
    throttled.checkPendingRequests();
    expect(throttled.throttleCheckTimeoutId).not.toBeNull();
    throttled.destroy();
  });
});
