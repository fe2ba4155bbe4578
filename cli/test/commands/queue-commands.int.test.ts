import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../../src/context.js';
import { command as testWorker } from '../../src/commands/test-worker.js';
import { command as workers } from '../../src/commands/workers.js';
import { loadQueueApi } from '../../src/clients/queue-api.js';
import { captureOutput } from '../support/run-cli.js';
import { topologyFrom } from '../topology/fixtures.js';
import { scriptedEngine, summary } from '../stack/engine-fakes.js';
import { startRedis, type RedisPeer } from '../../../test/support/peers.js';
import { stackRoot, testEnv } from './stack-context.js';

// test-worker and workers against a real Redis whose password is not the one in `.env`
// (say `.env` was regenerated while the stack kept running). BullMQ alone reconnects forever on
// WRONGPASS; the commands must answer in one line instead. Only the Docker engine is faked.
let redis: RedisPeer;
const redisPassword = 'the-password-redis-runs-with';

beforeAll(async () => {
  redis = await startRedis({ password: redisPassword });
});
afterAll(async () => {
  await redis?.stop();
});

async function context() {
  const topology = topologyFrom({ infrastructure: { redis: { hostPort: redis.port } } });
  const engine = scriptedEngine([[summary('redis')]]);
  // The real queue client (BullMQ and the RESP probe); only the engine is a fake.
  return createContext({ root: stackRoot(), out: captureOutput(), topology, dotenv: testEnv, clients: { engine, queue: await loadQueueApi() }, env: {} });
}

describe('queue commands when Redis refuses the password of .env', () => {
  it('test-worker fails within its timeout, in one line that names the fix and not the password', async () => {
    const ctx = await context();
    const started = Date.now();
    const error = await testWorker
      .handler({ service: 'payment', profile: 'lite', timeout: 5 }, ctx)
      .catch((caught: unknown) => caught);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(error).toMatchObject({ exitCode: 1, problems: [expect.stringMatching(new RegExp(`^Redis at 127\\.0\\.0\\.1:${redis.port}: AUTH answered WRONGPASS .*\\(is REDIS_PASSWORD the one Redis runs with\\?\\)$`))] });
    expect((error as Error).message).not.toContain(testEnv.REDIS_PASSWORD);
  });

  it('workers fails the same way instead of waiting forever', async () => {
    const ctx = await context();
    const started = Date.now();
    await expect(workers.handler({ profile: 'lite' }, ctx)).rejects.toThrow(/^Redis at 127\.0\.0\.1:\d+: AUTH answered WRONGPASS/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
