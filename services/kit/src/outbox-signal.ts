/**
 * Wake-ups for the outbox relay, so it can sleep long while the outbox is empty and still publish a new row at
 * once. A signal is only a hint: a lost or early one costs latency (the relay's backed-off poll still finds
 * the row), never an event, so nothing here weakens the outbox's at-least-once guarantee.
 *
 * - In process: `enqueueEvent` registers `outboxCommitted` to run after its transaction commits
 *   (`Transaction.afterCommit`); a relay in the same process listens with `onOutboxCommitted`.
 * - Across processes (the API writes, the worker relays; two worker replicas): every process with Redis
 *   publishes an empty message on `outboxChannel(service)` after such a commit, at most one per `minGapMs` (50 ms)
 *   (the last write of a burst always gets one), and the worker's relay subscribes to it. PostgreSQL's
 *   LISTEN/NOTIFY would do the same but CockroachDB has none, and the SQL must run on both.
 *
 * Light on purpose: the API imports it; ioredis loads only in `subscribeOutboxSignal`.
 */
import type { Logger } from 'pino';

const listeners = new Set<() => void>();

/** Calls `listener` after every commit in this process that wrote an outbox row; answers the unsubscribe. */
export function onOutboxCommitted(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Tells this process's listeners that an outbox row committed. Never throws. */
export function outboxCommitted(): void {
  for (const listener of listeners) {
    try {
      listener();
    } catch {
      // A hint: a failing listener must not fail the caller, whose transaction already committed.
    }
  }
}

/** The Redis channel a service's processes signal outbox writes on (one outbox per service database). */
export function outboxChannel(serviceName: string): string {
  return `innover:outbox:${serviceName}`;
}

/** What publishing needs of a Redis client (ioredis's `publish`). */
export interface SignalPublisher {
  publish(channel: string, message: string): Promise<unknown>;
}

/**
 * A throttled `notify`: the first call publishes at once, calls within `minGapMs` of a publish fold into one
 * trailing publish at the end of the gap. Failures are dropped (the relay's poll covers them). The default gap,
 * 50 ms, is half the relay's `wakeGapMs` (100 ms: a relay starts a round no sooner than that after the last),
 * so closer signals could not start a round sooner; under load they were a Redis round trip per commit.
 */
export interface ThrottledSignal {
  notify: () => void;
  close: () => void;
}

export function throttledSignal(publisher: SignalPublisher, channel: string, minGapMs = 50): ThrottledSignal {
  let lastAt = Number.NEGATIVE_INFINITY;
  let trailing: NodeJS.Timeout | undefined;
  let closed = false;
  const send = () => {
    lastAt = performance.now();
    publisher.publish(channel, '').catch(() => undefined);
  };
  return {
    notify: () => {
      if (closed || trailing) return;
      const wait = lastAt + minGapMs - performance.now();
      if (wait <= 0) send();
      else {
        trailing = setTimeout(() => {
          trailing = undefined;
          if (!closed) send();
        }, wait);
        trailing.unref();
      }
    },
    close: () => {
      closed = true;
      clearTimeout(trailing);
      trailing = undefined;
    },
  };
}

/**
 * Subscribes to a service's outbox channel on a connection of its own (a subscribed ioredis connection serves
 * nothing else) and calls `listener` per message. Reconnects (and resubscribes) by itself; answers `close`.
 */
export async function subscribeOutboxSignal(redisUrl: string, channel: string, listener: () => void, logger?: Logger): Promise<{ close(): Promise<void> }> {
  const { Redis } = await import('ioredis');
  const subscriber = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: null, connectTimeout: 2_000, retryStrategy: (times) => Math.min(2_000, times * 200) });
  subscriber.on('error', (error: Error) => logger?.debug({ err: error.message }, 'outbox signal subscriber error; the relay keeps polling'));
  subscriber.on('message', (received: string) => {
    if (received === channel) listener();
  });
  try {
    await subscriber.connect();
    await subscriber.subscribe(channel);
  } catch (error) {
    subscriber.disconnect();
    throw error;
  }
  return {
    async close() {
      await subscriber.quit().catch(() => subscriber.disconnect());
    },
  };
}
