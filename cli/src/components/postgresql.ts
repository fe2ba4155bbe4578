import { sharedFilePaths } from '../plan/files.js';
import { infra, port } from '../topology/schema-parts.js';
import type { ComponentModule, SchemaSlice } from './module.js';
import { databaseName } from './services-names.js';
import { hardened, probe, secret } from './shared.js';

const postgresPort = 5432;

export const postgresSlice = {
  section: 'database',
  key: 'postgres',
  schema: infra({ hostPort: port.default(5432) }),
  defaults: { image: 'postgres:16-bookworm' },
} satisfies SchemaSlice;

/** PostgreSQL: one server; its first-start script creates a database and a login per service. */
export const postgresql: ComponentModule = {
  name: 'postgresql',
  component: 'database',
  slice: postgresSlice,
  enabled: (context) => context.engine === 'postgres',
  reservedNames: ['postgres'],
  hostPorts: (topology) => [['database.postgres.hostPort', topology.database.postgres.hostPort]],
  provides: () => ({
    serviceDependencies: [{ name: 'postgres', condition: 'healthy' }],
    serviceEnvironment: (service) => ({
      DATABASE_URL: { concat: [`postgresql://${databaseName(service)}:`, secret('SERVICE_DB_PASSWORD'), `@postgres:${postgresPort}/${databaseName(service)}`] },
    }),
  }),
  plan({ topology }) {
    const postgres = topology.database.postgres;
    return {
      workloads: [
        {
          name: 'postgres',
          lifecycle: 'long-running',
          role: 'database',
          component: 'database',
          image: postgres.image,
          imageTools: ['bash'],
          category: 'db',
          override: postgres.resources,
          ports: [{ host: postgres.hostPort, container: postgresPort, purpose: 'SQL' }],
          startTimeoutSeconds: 90,
          environment: {
            POSTGRES_USER: 'postgres',
            POSTGRES_PASSWORD: secret('POSTGRES_PASSWORD'),
            POSTGRES_DB: 'postgres',
            SERVICE_DB_PASSWORD: secret('SERVICE_DB_PASSWORD'),
          },
          volumes: [
            { kind: 'data', volume: 'postgres-data', mountPath: '/var/lib/postgresql/data' },
            { kind: 'config', file: 'postgres-init', mountPath: '/docker-entrypoint-initdb.d/10-innover.sh' },
          ],
          // TCP, not the socket: during first-start init the server listens on the socket only.
          readiness: probe({ kind: 'exec', command: ['pg_isready', '-h', '127.0.0.1', '-U', 'postgres', '-d', 'postgres'] }, 20, 5, 12),
          // The entrypoint starts as root, takes ownership of the data directory, then drops to postgres (999).
          security: hardened({ runAsUser: 999, capabilities: ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'SETGID', 'SETUID'] }),
        },
      ],
      volumes: [{ name: 'postgres-data', sizeHint: '10Gi' }],
      files: [{ id: 'postgres-init', path: sharedFilePaths.postgresInit, executable: true }],
      urls: [{ key: 'POSTGRES_URL', name: 'PostgreSQL (password: POSTGRES_PASSWORD in .env)', url: `postgresql://postgres@localhost:${postgres.hostPort}/postgres` }],
      secrets: [
        { key: 'POSTGRES_PASSWORD', description: "PostgreSQL's admin password" },
        { key: 'SERVICE_DB_PASSWORD', description: "every service's database user's password" },
      ],
      entryPoints: [
        { name: 'db-shell', workload: 'postgres', command: ['psql', '-U', 'postgres', '-d', 'postgres'], environment: { PGPASSWORD: { secret: 'POSTGRES_PASSWORD' } } },
        ...topology.services.map((service) => ({
          name: 'db-shell',
          workload: 'postgres',
          service: service.name,
          command: ['psql', '-h', '127.0.0.1', '-U', databaseName(service), '-d', databaseName(service)],
          environment: { PGPASSWORD: { secret: 'SERVICE_DB_PASSWORD' } },
        })),
      ],
    };
  },
};
