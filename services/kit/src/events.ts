import { createRequire } from 'node:module';
import { Kafka, logLevel as kafkaLogLevel, Partitioners } from 'kafkajs';
import type { Consumer, Producer, IHeaders, LogEntry } from 'kafkajs';
import type { Logger } from 'pino';
import { context } from '@opentelemetry/api';
import { extractTraceContext, injectTraceContext, SpanKind, withSpan } from './tracing.ts';

import { jsonCodec, topicName } from './codec.ts';
import type { Codec } from './codec.ts';
import type { OutboxMessage } from './outbox.ts';

export { jsonCodec, topicName } from './codec.ts';
export type { Codec } from './codec.ts';

export interface ReceivedEvent<T> {
  topic: string;
  key: string | undefined;
  value: T;
  headers: Record<string, string>;
}

/** Kafka access for one service: publish its own events, consume anyone's. */
export interface EventBus {
  /** Publishes to `<service>.<event>.v1` with the active trace context in the headers. */
  publish<T>(event: string, value: T, options?: { key?: string; codec?: Codec<T> }): Promise<void>;
  /** Consumes a full topic name (see `topicName`), each message handled inside a span continuing the producer's trace. */
  subscribe<T>(options: { groupId: string; topic: string; codec?: Codec<T>; fromBeginning?: boolean; handler: (event: ReceivedEvent<T>) => Promise<void> }): Promise<void>;
  /**
   * The outbox relay's publisher (`createOutboxRelay({publish: (messages) => bus.publishOutbox(messages)})`):
   * one `sendBatch`, so each partition gets its messages in the batch's order; every message keeps the headers
   * written at enqueue time (its transaction's `traceparent`, `event-id`), so consumers continue that trace.
   */
  publishOutbox(messages: OutboxMessage[]): Promise<void>;
  /** Readiness probe: fetches broker metadata. */
  check(): Promise<void>;
  close(): Promise<void>;
}

const patched = Symbol.for('innover.kafkajs.requestQueuePatched');

interface KafkaRequestQueue {
  pending: unknown[];
  throttledUntil: number;
  scheduleCheckPendingRequests: (this: KafkaRequestQueue) => void;
}

/**
 * kafkajs 2.2.4 (the last release) re-arms a timer for its pending-request check on every connection even when
 * nothing is pending and nothing is throttled, with a negative delay (hence Node 24's TimeoutNegativeWarning), so
 * every open broker connection runs a 1 ms timer loop forever: most of an idle worker's CPU
 * (github.com/tulios/kafkajs/issues/1556 and /1704, unfixed upstream). The check only ever sends pending
 * requests, and `push` and every response check again, so with none pending and no throttle there is nothing to
 * wait for: skip the timer then; everything else runs as before (including #1532's marginal-throttle case,
 * where requests are pending). Applied once per process; a kafkajs without that method is left alone.
 */
export function patchKafkaRequestQueue(): boolean {
  const require = createRequire(import.meta.url);
  let RequestQueue: { prototype: KafkaRequestQueue & { [patched]?: true } };
  try {
    RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as typeof RequestQueue;
  } catch {
    return false;
  }
  const prototype = RequestQueue.prototype;
  if (prototype[patched]) return true;
  const original = prototype.scheduleCheckPendingRequests;
  if (typeof original !== 'function') return false;
  prototype.scheduleCheckPendingRequests = function scheduleCheckPendingRequests(this: KafkaRequestQueue) {
    if (this.pending.length === 0 && this.throttledUntil <= Date.now()) return;
    original.call(this);
  };
  prototype[patched] = true;
  return true;
}

function toLogger(logger: Logger) {
  return () =>
    ({ level, log }: LogEntry): void => {
      const { message, ...extra } = log;
      const method = level <= kafkaLogLevel.ERROR ? 'error' : level === kafkaLogLevel.WARN ? 'warn' : 'debug';
      logger[method]({ kafka: extra }, message);
    };
}

function headerText(headers: IHeaders | undefined): Record<string, string> {
  const text: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) text[key] = Buffer.isBuffer(first) ? first.toString() : String(first);
  }
  return text;
}

export function createEventBus(options: { brokers: string[]; serviceName: string; logger: Logger }): EventBus {
  patchKafkaRequestQueue();
  const kafka = new Kafka({
    clientId: options.serviceName,
    brokers: options.brokers,
    connectionTimeout: 2_000,
    requestTimeout: 10_000,
    retry: { retries: 3, initialRetryTime: 200 },
    logCreator: toLogger(options.logger.child({ component: 'kafka' })),
  });
  let producer: Producer | undefined;
  let producerReady: Promise<Producer> | undefined;
  const consumers: Consumer[] = [];
  const admin = kafka.admin();
  let adminReady: Promise<void> | undefined;

  // Connect lazily and retry on the next call after a failure, so a broker that starts late never wedges the API.
  const connectedProducer = (): Promise<Producer> => {
    producerReady ??= (async () => {
      // One request in flight per broker: a retried batch cannot overtake the next one, so each partition keeps
      // the outbox's per-key order without the idempotent producer (which the Kafka stand-in does not offer).
      producer = kafka.producer({ allowAutoTopicCreation: true, createPartitioner: Partitioners.DefaultPartitioner, maxInFlightRequests: 1, idempotent: false });
      await producer.connect();
      return producer;
    })().catch((error: unknown) => {
      producerReady = undefined;
      throw error;
    });
    return producerReady;
  };

  return {
    async publish(event, value, publishOptions = {}) {
      const topic = topicName(options.serviceName, event);
      const codec = publishOptions.codec ?? jsonCodec();
      await withSpan(`${topic} publish`, { kind: SpanKind.PRODUCER, attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': topic, 'messaging.operation.type': 'send' } }, async () => {
        const ready = await connectedProducer();
        await ready.send({
          topic,
          messages: [{ ...(publishOptions.key ? { key: publishOptions.key } : {}), value: Buffer.from(codec.encode(value)), headers: { ...injectTraceContext(), 'content-type': publishOptions.codec ? 'application/x-protobuf' : 'application/json' } }],
        });
      });
    },
    async publishOutbox(messages) {
      if (messages.length === 0) return;
      const byTopic = new Map<string, Array<{ key: string; value: Buffer; headers: Record<string, string> }>>();
      for (const message of messages) {
        const list = byTopic.get(message.topic) ?? [];
        list.push({ key: message.key, value: message.payload, headers: message.headers });
        byTopic.set(message.topic, list);
      }
      await withSpan('outbox publish', { kind: SpanKind.PRODUCER, attributes: { 'messaging.system': 'kafka', 'messaging.operation.type': 'send', 'messaging.batch.message_count': messages.length } }, async () => {
        const ready = await connectedProducer();
        await ready.sendBatch({ topicMessages: [...byTopic].map(([topic, topicMessages]) => ({ topic, messages: topicMessages })) });
      });
    },
    async subscribe(subscription) {
      const codec = subscription.codec ?? jsonCodec();
      const consumer = kafka.consumer({ groupId: subscription.groupId, allowAutoTopicCreation: true });
      consumers.push(consumer);
      await consumer.connect();
      await consumer.subscribe({ topic: subscription.topic, fromBeginning: subscription.fromBeginning ?? false });
      await consumer.run({
        eachMessage: async ({ topic, message }) => {
          const headers = headerText(message.headers);
          const parent = extractTraceContext(headers);
          await context.with(parent, () =>
            withSpan(`${topic} process`, { kind: SpanKind.CONSUMER, attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': topic, 'messaging.operation.type': 'process', 'messaging.consumer.group.name': subscription.groupId } }, async () => {
              let value: ReturnType<typeof codec.decode>;
              try {
                value = codec.decode(new Uint8Array(message.value ?? Buffer.alloc(0)));
              } catch (error) {
                // A message that cannot be decoded never will be: log it and move on rather than block the partition.
                options.logger.error({ topic, offset: message.offset, reason: (error as Error).message }, 'undecodable event skipped');
                return;
              }
              // Handler failures propagate: kafkajs retries the message, so handlers must be idempotent.
              await subscription.handler({ topic, key: message.key?.toString(), value, headers });
            }),
          );
        },
      });
    },
    async check() {
      adminReady ??= admin.connect().catch((error: unknown) => {
        adminReady = undefined;
        throw error;
      });
      await adminReady;
      await admin.describeCluster();
    },
    async close() {
      await Promise.allSettled([producer?.disconnect(), admin.disconnect(), ...consumers.map((consumer) => consumer.disconnect())]);
    },
  };
}
