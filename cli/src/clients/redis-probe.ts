/**
 * Redis asked directly over RESP, one fresh connection, no client library: what the server answers
 * to AUTH and PING, with no client-side retries in between. Commands that reach Redis through
 * BullMQ ask this first, because BullMQ keeps reconnecting on a refused connection or a wrong
 * password and would wait forever; smoke asks it for its Redis check.
 */

/** The `redis` client (`ctx.client('redis')`): Redis asked directly, as below. */
export interface RedisProbeClient {
  /** See probeRedis. */
  probe: typeof probeRedis;
  /** See redisExchange. */
  exchange: typeof redisExchange;
}

/** The real client: one fresh TCP connection per call. */
export function createRedisProbeClient(): RedisProbeClient {
  return { probe: probeRedis, exchange: redisExchange };
}

/** Encodes a command as a RESP array of bulk strings (safe for any password). */
export function encodeRedisCommand(parts: readonly string[]): string {
  return `*${parts.length}\r\n${parts.map((part) => `$${Buffer.byteLength(part)}\r\n${part}\r\n`).join('')}`;
}

/**
 * Sends commands on one fresh connection and returns the first line of each reply (`+PONG`,
 * `-NOAUTH ...`). Fails after 5 s without an answer, or when `signal` aborts.
 */
export async function redisExchange(host: string, port: number, commands: readonly (readonly string[])[], signal: AbortSignal): Promise<string[]> {
  const { connect } = await import('node:net');
  return await new Promise<string[]>((resolve, reject) => {
    const socket = connect({ host, port });
    const replies: string[] = [];
    let buffered = '';
    const timer = setTimeout(() => finish(new Error(`no answer from ${host}:${port} within 5 s`)), 5_000);
    const onAbort = () => finish(new Error('out of time'));
    signal.addEventListener('abort', onAbort, { once: true });
    function finish(error?: Error): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      if (error) reject(error);
      else resolve(replies);
    }
    socket.on('connect', () => socket.write(commands.map(encodeRedisCommand).join('')));
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let end: number;
      while ((end = buffered.indexOf('\r\n')) >= 0) {
        replies.push(buffered.slice(0, end));
        buffered = buffered.slice(end + 2);
      }
      if (replies.length >= commands.length) finish();
    });
    socket.on('error', (error) => finish(error));
    socket.on('close', () => finish(replies.length >= commands.length ? undefined : new Error(`${host}:${port} closed the connection`)));
    if (signal.aborted) onAbort();
  });
}

/**
 * Resolves when Redis answers AUTH with the password and then PING; otherwise throws an Error whose
 * message says what Redis answered (or why it did not), with the fix for a wrong password.
 */
export async function probeRedis(options: { host: string; port: number; password: string }, signal: AbortSignal): Promise<void> {
  const [auth, pong] = await redisExchange(options.host, options.port, [['AUTH', options.password], ['PING']], signal);
  if (auth !== '+OK') throw new Error(`AUTH answered ${auth?.replace(/^-/, '')} (is REDIS_PASSWORD the one Redis runs with?)`);
  if (pong !== '+PONG') throw new Error(`PING after AUTH answered ${pong}`);
}
