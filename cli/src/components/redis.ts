import { infra, port } from '../topology/schema-parts.js';
import type { ComponentModule, SchemaSlice } from './module.js';
import { hardened, memoryMebibytes, probe, secret, shellProbe } from './shared.js';

const redisPort = 6379;

export const redisSlice = {
  section: 'infrastructure',
  key: 'redis',
  schema: infra({ hostPort: port.default(6379) }),
  defaults: { image: 'redis:7.4-bookworm' },
} satisfies SchemaSlice;

/** Redis: the workers' queues (BullMQ), with an append-only file. */
export const redis: ComponentModule = {
  name: 'redis',
  component: 'redis',
  slice: redisSlice,
  reservedNames: ['redis'],
  hostPorts: (topology) => [['infrastructure.redis.hostPort', topology.infrastructure.redis.hostPort]],
  provides: () => ({
    serviceDependencies: [{ name: 'redis', condition: 'healthy' }],
    serviceEnvironment: () => ({ REDIS_URL: { concat: ['redis://:', secret('REDIS_PASSWORD'), `@redis:${redisPort}/0`] } }),
  }),
  plan({ topology }) {
    const settings = topology.infrastructure.redis;
    // BullMQ's production guide: AOF with a write a second, and never evict (a queue's keys must not vanish).
    // maxmemory sits below the container limit, so Redis refuses writes (OOM error) before the kernel kills it;
    // the rest is headroom for the AOF rewrite's fork and the allocator.
    const redisMemory = Math.max(32, Math.floor(memoryMebibytes((settings.resources ?? topology.resources.support).memory) * 0.75));
    return {
      workloads: [
        {
          name: 'redis',
          lifecycle: 'long-running',
          role: 'infrastructure',
          component: 'redis',
          image: settings.image,
          imageTools: ['bash'],
          category: 'support',
          override: settings.resources,
          ports: [{ host: settings.hostPort, container: redisPort, purpose: 'Redis' }],
          startTimeoutSeconds: 60,
          // redis-cli reads the password from REDISCLI_AUTH, so it never shows in the process list.
          environment: { REDISCLI_AUTH: secret('REDIS_PASSWORD') },
          command: [
            'redis-server',
            '--requirepass',
            secret('REDIS_PASSWORD'),
            '--appendonly',
            'yes',
            '--appendfsync',
            'everysec',
            '--maxmemory',
            `${redisMemory}mb`,
            '--maxmemory-policy',
            'noeviction',
          ],
          // The image's working directory, where the AOF lives.
          volumes: [{ kind: 'data', volume: 'redis-data', mountPath: '/data' }],
          readiness: probe(shellProbe('redis-cli ping | grep -q PONG'), 5, 5),
          // The entrypoint starts as root, takes ownership of /data, then drops to redis (999).
          security: hardened({ runAsUser: 999, capabilities: ['CHOWN', 'DAC_OVERRIDE', 'SETGID', 'SETUID'] }),
        },
      ],
      volumes: [{ name: 'redis-data', sizeHint: '1Gi' }],
      urls: [{ key: 'REDIS_URL', name: 'Redis (password: REDIS_PASSWORD in .env)', url: `redis://localhost:${settings.hostPort}` }],
      secrets: [{ key: 'REDIS_PASSWORD', description: "Redis's password (requirepass)" }],
      entryPoints: [
        { name: 'redis-cli', workload: 'redis', command: ['redis-cli', '--no-auth-warning'], environment: { REDISCLI_AUTH: secret('REDIS_PASSWORD') } },
      ],
    };
  },
};
