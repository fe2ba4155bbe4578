/**
 * Task queues on Redis (BullMQ): what the API and the CLI use to enqueue, run and inspect tasks.
 * Deliberately free of express and OpenTelemetry so the CLI that imports `@innover/kit/queue` stays light;
 * callers that trace pass the W3C carrier in `trace`.
 */
import { Queue, QueueEvents, RedisConnection } from 'bullmq';
import type { ConnectionOptions, JobsOptions } from 'bullmq';

export { parseTaskArgs, TaskArgumentError, sampleTaskArguments } from './task-arguments.ts';

/** What a job carries: the task's arguments and the trace context of whoever enqueued it. */
export interface TaskJobData {
  args: unknown;
  trace?: Record<string, string>;
}

/** Name of the custom backoff the kit's workers implement: exponential with a ceiling. */
export const cappedExponentialBackoff = 'capped-exponential';

/** Defaults for every job: retried with capped exponential backoff, failures kept for inspection. */
export const defaultJobOptions: JobsOptions = {
  attempts: 5,
  backoff: { type: cappedExponentialBackoff, delay: 1_000 },
  // Completed jobs are kept a day (bounded) so results stay readable and a repeated job id stays deduplicated.
  removeOnComplete: { age: 24 * 3_600, count: 10_000 },
  removeOnFail: false,
};

/** Delay before retry `attemptsMade` (1-based): 1 s, 2 s, 4 s ... never more than `capMs`. */
export function backoffDelay(attemptsMade: number, baseMs = 1_000, capMs = 30_000): number {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, attemptsMade - 1));
}

/** ioredis options from a `redis://[:password@]host:port/db` URL (BullMQ builds its own connections from them). */
export function redisConnection(redisUrl: string): ConnectionOptions {
  const url = new URL(redisUrl);
  const database = Number(url.pathname.slice(1) || 0);
  return {
    host: url.hostname,
    port: Number(url.port || 6379),
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    db: Number.isFinite(database) ? database : 0,
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
    // BullMQ requirement for blocking connections; commands wait for reconnection instead of failing.
    maxRetriesPerRequest: null,
  };
}

/** Picks the queue for a task from the topology's routing, falling back to the service's own queue. */
export function queueForTask(task: string, routes: Record<string, string>, defaultQueue: string): string {
  return routes[task] ?? defaultQueue;
}

/** Why a task did not produce a result: it failed, gave no result in time, or Redis was not reachable with the given password. */
export class TaskRunError extends Error {
  override name = 'TaskRunError';
  readonly reason: 'failed' | 'timeout' | 'connection';
  readonly jobId: string | undefined;
  constructor(reason: 'failed' | 'timeout' | 'connection', message: string, jobId: string | undefined) {
    super(message);
    this.reason = reason;
    this.jobId = jobId;
  }
}

export interface EnqueueRequest {
  queue: string;
  task: string;
  args: unknown;
  /** Same id twice → one job (BullMQ ignores an add whose id exists). */
  jobId?: string;
  trace?: Record<string, string>;
}

/** Long-lived producer side: one BullMQ Queue per queue name, plus result waiting. */
export interface TaskClient {
  enqueue(request: EnqueueRequest): Promise<{ id: string }>;
  /** Enqueues and waits for the result; rejects with `TaskRunError` on failure or timeout. */
  run(request: EnqueueRequest & { timeoutMs: number }): Promise<unknown>;
  close(): Promise<void>;
}

// Redis error replies to AUTH; a wrong password will not get better by reconnecting.
const passwordRefusal = /^(WRONGPASS|NOAUTH)\b|invalid (username-)?password|AUTH .*without any password/i;

/**
 * One line for a connection that never became ready. Never the Redis reply itself: some Redis versions echo
 * the password sent in their AUTH error; only the error code is kept.
 */
export function redisConnectionMessage(connection: { host: string; port: number }, error: Error | undefined, waitedMs: number): string {
  const address = `${connection.host}:${connection.port}`;
  if (error && passwordRefusal.test(error.message)) {
    const code = /^[A-Z]+\b/.exec(error.message)?.[0] ?? 'AUTH';
    return `Redis refused the password at ${address} (${code}): put the password the server requires in the Redis URL (for the stack: REDIS_PASSWORD in .env)`;
  }
  const errno = error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  const code = errno ?? (error ? 'error' : 'no answer');
  return `Redis unreachable at ${address} (${code}) within ${waitedMs} ms: start Redis (\`innover up\`) or fix the host and port of the Redis URL`;
}

/**
 * BullMQ's connection class, remembering the connections it makes so they can be dropped in any state:
 * QueueEvents close() first waits for its connection to become ready, which never happens with a wrong
 * password or an unreachable Redis. One class per BullMQ object, so its connections are known.
 */
function droppableConnections(): { Connection: typeof RedisConnection; drop: () => void } {
  const made: DroppableConnection[] = [];
  class DroppableConnection extends RedisConnection {
    constructor(...args: ConstructorParameters<typeof RedisConnection>) {
      super(...args);
      made.push(this);
    }
    drop(): void {
      this._client.disconnect();
    }
  }
  return { Connection: DroppableConnection, drop: () => made.forEach((connection) => connection.drop()) };
}

export function createTaskClient(redisUrl: string): TaskClient {
  const connection = redisConnection(redisUrl);
  const url = new URL(redisUrl);
  const address = { host: url.hostname, port: Number(url.port || 6379) };
  const queues = new Map<string, Queue>();
  const events = new Map<string, Promise<QueueEvents>>();
  // Kept apart from `events`: close() must also reach a QueueEvents that never became ready.
  const allEvents: Array<{ queueEvents: QueueEvents; ready: boolean; drop(): void }> = [];
  // BullMQ reconnects forever and reports each failure as an `error` event: remember the last one for the
  // message, and give up at once on a refused password.
  let lastConnectionError: Error | undefined;
  let refusePassword: (error: Error) => void = () => undefined;
  const passwordRefused = new Promise<never>((_resolve, reject) => {
    refusePassword = reject;
  });
  passwordRefused.catch(() => undefined);
  const onConnectionError = (error: Error): void => {
    lastConnectionError = error;
    if (passwordRefusal.test(error.message)) refusePassword(error);
  };
  const queueFor = (name: string): Queue => {
    let queue = queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection, defaultJobOptions });
      queue.on('error', onConnectionError);
      queues.set(name, queue);
    }
    return queue;
  };
  const eventsFor = (name: string): Promise<QueueEvents> => {
    let ready = events.get(name);
    if (!ready) {
      const { Connection, drop } = droppableConnections();
      const queueEvents = new QueueEvents(name, { connection, blockingTimeout: 5_000 }, Connection);
      queueEvents.on('error', onConnectionError);
      const entry = { queueEvents, ready: false, drop };
      allEvents.push(entry);
      ready = queueEvents.waitUntilReady().then(() => {
        entry.ready = true;
        return queueEvents;
      });
      events.set(name, ready);
    }
    return ready;
  };
  const enqueue = async (request: EnqueueRequest): Promise<{ id: string }> => {
    const data: TaskJobData = { args: request.args, ...(request.trace ? { trace: request.trace } : {}) };
    const job = await queueFor(request.queue).add(request.task, data, request.jobId ? { jobId: request.jobId } : {});
    return { id: job.id ?? request.jobId ?? '' };
  };
  return {
    enqueue,
    async run(request) {
      // `timeoutMs` bounds the whole call, the wait for Redis included (BullMQ alone would wait for it forever).
      const started = Date.now();
      const deadline = started + request.timeoutMs;
      let connected = false;
      let jobId: string | undefined;
      const noResult = () => new TaskRunError('timeout', `task ${request.task} (job ${jobId}) on queue ${request.queue} gave no result within ${request.timeoutMs} ms; is a worker running for that queue?`, jobId);
      const work = (async () => {
        // Subscribe before adding so a fast worker cannot finish the job before we listen.
        const queueEvents = await eventsFor(request.queue);
        const queue = queueFor(request.queue);
        await queue.waitUntilReady();
        connected = true;
        const data: TaskJobData = { args: request.args, ...(request.trace ? { trace: request.trace } : {}) };
        const job = await queue.add(request.task, data, request.jobId ? { jobId: request.jobId } : {});
        jobId = job.id;
        try {
          return (await job.waitUntilFinished(queueEvents, Math.max(1, deadline - Date.now()))) as unknown;
        } catch (error) {
          const message = (error as Error).message;
          if (/timed out|timeout/i.test(message)) throw noResult();
          throw new TaskRunError('failed', `task ${request.task} (job ${job.id}) on queue ${request.queue} failed: ${message}`, job.id);
        }
      })();
      // Whatever loses the race below rejects later (when close() disconnects): not an unhandled rejection.
      work.catch(() => undefined);
      let timer: NodeJS.Timeout | undefined;
      const outOfTime = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => {
          reject(connected ? noResult() : new TaskRunError('connection', redisConnectionMessage(address, lastConnectionError, Date.now() - started), undefined));
        }, Math.max(0, deadline - Date.now()));
      });
      const refused = passwordRefused.catch((error: unknown) => {
        throw new TaskRunError('connection', redisConnectionMessage(address, error as Error, Date.now() - started), undefined);
      });
      try {
        return await Promise.race([work, outOfTime, refused]);
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      // A Queue closes in any state (it disconnects one still connecting).
      await Promise.allSettled([...queues.values()].map((queue) => queue.close()));
      // A QueueEvents that never became ready would wait for Redis forever in close(): drop its connection instead.
      for (const entry of allEvents) if (!entry.ready) entry.drop();
      await Promise.allSettled(allEvents.filter((entry) => entry.ready).map((entry) => entry.queueEvents.close()));
    },
  };
}

/** One-shot enqueue-and-wait for the CLI's `test-worker`; rejects with `TaskRunError`. */
export async function runTask(options: { redisUrl: string; queue: string; task: string; args: unknown; timeoutMs: number; jobId?: string }): Promise<unknown> {
  const client = createTaskClient(options.redisUrl);
  try {
    return await client.run(options);
  } finally {
    await client.close();
  }
}

/** State of one queue as `innover workers` shows it. */
export interface QueueState {
  queue: string;
  /** Worker connections currently registered on the queue. */
  workers: number;
  active: Array<{ id: string; task: string; startedAt: string | undefined }>;
  waiting: number;
  failed: number;
  delayed: number;
  completed: number;
}

export async function inspectQueues(options: { redisUrl: string; queues: string[] }): Promise<QueueState[]> {
  const connection = redisConnection(options.redisUrl);
  return await Promise.all(
    options.queues.map(async (name): Promise<QueueState> => {
      const queue = new Queue(name, { connection });
      queue.on('error', () => undefined);
      try {
        const [workers, activeJobs, counts] = await Promise.all([queue.getWorkers(), queue.getActive(), queue.getJobCounts('waiting', 'prioritized', 'failed', 'delayed', 'completed')]);
        return {
          queue: name,
          workers: workers.length,
          active: activeJobs.map((job) => ({ id: job.id ?? '', task: job.name, startedAt: job.processedOn ? new Date(job.processedOn).toISOString() : undefined })),
          waiting: (counts['waiting'] ?? 0) + (counts['prioritized'] ?? 0),
          failed: counts['failed'] ?? 0,
          delayed: counts['delayed'] ?? 0,
          completed: counts['completed'] ?? 0,
        };
      } finally {
        await queue.close();
      }
    }),
  );
}
