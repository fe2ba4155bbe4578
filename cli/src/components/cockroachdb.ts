import { z } from 'zod';
import { sharedFilePaths } from '../plan/files.js';
import type { DependencyPlan, Text } from '../plan/types.js';
import { infra, port } from '../topology/schema-parts.js';
import type { Service } from '../topology/schema.js';
import type { ComponentModule, SchemaSlice, WorkloadDraft } from './module.js';
import { databaseName } from './services-names.js';
import { hardened, probe, secret } from './shared.js';

/** CockroachDB's SQL port inside the network. */
export const cockroachSqlPort = 26257;
const cockroachHttpPort = 8080;

export const cockroachSlice = {
  section: 'database',
  key: 'cockroach',
  schema: infra({
    nodes: z.number().int().min(1).max(9).default(3).describe('1 runs start-single-node'),
    sqlHostPort: port.default(26257),
    uiHostPort: port.default(8082),
  }),
  defaults: { image: 'cockroachdb/cockroach:v24.3.6', nodes: 3 },
} satisfies SchemaSlice;

/**
 * The cockroach-bootstrap job's script (a plain shell script: the target escapes it). SQL may
 * refuse connections for a few seconds after init, so it waits for it. When COCKROACH_LICENSE is
 * set it runs `SET CLUSTER SETTING enterprise.license` first: the value is quoted as an SQL string
 * (each `'` doubled) and reaches `cockroach sql` on stdin through the printf builtin, so it is on
 * no command line; `cockroach sql` does not echo piped statements, and an error is printed with
 * the value masked. From v24.3 a multi-node cluster without a licence is throttled to 5 open
 * transactions once its 7-day grace period ends (pkg/server/license/enforcer.go,
 * defaultMaxOpenTransactions; the licensing FAQ); single-node clusters are exempt.
 */
export function cockroachBootstrapScript(host: string, binary = '/cockroach/cockroach'): string {
  const sql = `${binary} sql --insecure --host=${host}`;
  return [
    'for attempt in {1..60}; do',
    `  ${sql} -e 'SELECT 1' >/dev/null 2>&1 && break`,
    '  sleep 2',
    'done',
    'if [ -n "${COCKROACH_LICENSE:-}" ]; then',
    `  quote="'"`,
    `  out=$(printf 'SET CLUSTER SETTING enterprise.license = %s;\\n' "$quote\${COCKROACH_LICENSE//$quote/$quote$quote}$quote" | ${sql} 2>&1) || {`,
    '    echo "COCKROACH_LICENSE was refused: ${out//"$COCKROACH_LICENSE"/<COCKROACH_LICENSE>}: fix it in .env or empty it" >&2',
    '    exit 1',
    '  }',
    "  echo 'enterprise.license set from COCKROACH_LICENSE'",
    'fi',
    'for attempt in {1..30}; do',
    `  ${sql} --file=/innover/bootstrap.sql && exit 0`,
    '  sleep 2',
    'done',
    'exit 1',
  ].join('\n');
}

/** The cockroach-init job's script: a re-run finds the cluster initialized, which counts as success. */
function cockroachInitScript(): string {
  return [
    'for attempt in {1..30}; do',
    `  out=$(/cockroach/cockroach init --insecure --host=cockroach1:${cockroachSqlPort} 2>&1) && { echo "$out"; exit 0; }`,
    `  case "$out" in *"already been initialized"*) echo 'cluster already initialized'; exit 0;; esac`,
    '  sleep 2',
    'done',
    'echo "$out" >&2; exit 1',
  ].join('\n');
}

/** The image runs as root and keeps its data root-owned; it needs no capability beyond that. */
const cockroachSecurity = hardened({ rootReason: 'the image runs as root (no USER) and its data directory is root-owned' });

const nodeNames = (nodes: number): string[] => Array.from({ length: nodes }, (_, index) => `cockroach${index + 1}`);

/** CockroachDB: `nodes` nodes joined into one cluster, an init job (multi-node) and the bootstrap job (databases and users). */
export const cockroachdb: ComponentModule = {
  name: 'cockroachdb',
  component: 'database',
  slice: cockroachSlice,
  enabled: (context) => context.engine === 'cockroach',
  reservedNames: ['cockroach-init', 'cockroach-bootstrap', /^cockroach\d+$/],
  hostPorts: (topology) => [
    ['database.cockroach.sqlHostPort', topology.database.cockroach.sqlHostPort],
    ['database.cockroach.uiHostPort', topology.database.cockroach.uiHostPort],
  ],
  provides: () => ({
    serviceDependencies: [{ name: 'cockroach-bootstrap', condition: 'completed' }],
    // Insecure local CockroachDB refuses passwords, so its users have none.
    serviceEnvironment: (service: Service): Record<string, Text> => ({
      DATABASE_URL: `postgresql://${databaseName(service)}@cockroach1:${cockroachSqlPort}/${databaseName(service)}?sslmode=disable`,
    }),
  }),
  plan({ topology }) {
    const cockroach = topology.database.cockroach;
    const nodes = nodeNames(cockroach.nodes);
    const join = nodes.map((node) => `${node}:${cockroachSqlPort}`).join(',');
    const workloads: WorkloadDraft[] = nodes.map((node, index) => ({
      name: node,
      lifecycle: 'long-running',
      role: 'database',
      component: 'database',
      image: cockroach.image,
      imageTools: ['bash'],
      category: 'db',
      override: cockroach.resources,
      dependsOn: index === 0 ? [] : [{ name: nodes[index - 1]!, condition: 'healthy' }],
      ports:
        index === 0
          ? [
              { host: cockroach.sqlHostPort, container: cockroachSqlPort, purpose: 'SQL' },
              { host: cockroach.uiHostPort, container: cockroachHttpPort, purpose: 'admin UI' },
            ]
          : [],
      startTimeoutSeconds: 120,
      command: [
        ...(cockroach.nodes === 1 ? ['start-single-node', '--insecure'] : ['start', '--insecure', `--join=${join}`]),
        `--advertise-addr=${node}:${cockroachSqlPort}`,
        `--listen-addr=0.0.0.0:${cockroachSqlPort}`,
        `--http-addr=0.0.0.0:${cockroachHttpPort}`,
        '--cache=.25',
        '--max-sql-memory=.25',
      ],
      volumes: [{ kind: 'data', volume: `${node}-data`, mountPath: '/cockroach/cockroach-data' }],
      // Before `cockroach init` a multi-node cluster is not ready, yet each node must be
      // "healthy" for the next to start: the SQL port accepting connections is the signal.
      readiness: probe({ kind: 'tcp', port: cockroachSqlPort }, 30, 5, 12),
      security: cockroachSecurity,
    }));
    const allNodesHealthy = nodes.map((node): DependencyPlan => ({ name: node, condition: 'healthy' }));
    let bootstrapAfter = allNodesHealthy;
    if (cockroach.nodes > 1) {
      workloads.push({
        name: 'cockroach-init',
        lifecycle: 'one-shot',
        role: 'job',
        component: 'database',
        image: cockroach.image,
        category: 'support',
        dependsOn: allNodesHealthy,
        startTimeoutSeconds: 120,
        entrypoint: ['/bin/bash', '-c'],
        command: [cockroachInitScript()],
        security: cockroachSecurity,
      });
      bootstrapAfter = [{ name: 'cockroach-init', condition: 'completed' }];
    }
    workloads.push({
      name: 'cockroach-bootstrap',
      lifecycle: 'one-shot',
      role: 'job',
      component: 'database',
      image: cockroach.image,
      category: 'support',
      dependsOn: bootstrapAfter,
      startTimeoutSeconds: 180,
      // The licence comes from .env (or the shell), never from a committed file.
      environment: { COCKROACH_LICENSE: secret('COCKROACH_LICENSE', true) },
      entrypoint: ['/bin/bash', '-c'],
      command: [cockroachBootstrapScript(`cockroach1:${cockroachSqlPort}`)],
      volumes: [{ kind: 'config', file: 'cockroach-bootstrap', mountPath: '/innover/bootstrap.sql' }],
      security: cockroachSecurity,
    });
    const sql = ['cockroach', 'sql', '--insecure', `--host=cockroach1:${cockroachSqlPort}`];
    return {
      workloads,
      volumes: nodes.map((node) => ({ name: `${node}-data`, sizeHint: '10Gi' })),
      files: [{ id: 'cockroach-bootstrap', path: sharedFilePaths.cockroachBootstrap }],
      urls: [
        { key: 'COCKROACH_UI_URL', name: 'CockroachDB UI', url: `http://localhost:${cockroach.uiHostPort}` },
        { key: 'COCKROACH_SQL_URL', name: 'CockroachDB SQL', url: `postgresql://root@localhost:${cockroach.sqlHostPort}/defaultdb?sslmode=disable` },
      ],
      secrets: [{ key: 'COCKROACH_LICENSE', description: 'CockroachDB licence key (crl-0-...), applied by the bootstrap job; optional' }],
      entryPoints: [
        { name: 'db-shell', workload: 'cockroach1', command: sql },
        ...topology.services.map((service) => ({
          name: 'db-shell',
          workload: 'cockroach1',
          service: service.name,
          command: [...sql, '--user', databaseName(service), '--database', databaseName(service)],
        })),
      ],
    };
  },
};
