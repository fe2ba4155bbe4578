import { UsageError } from '../command.js';
import type { ComponentName, DatabaseEngine, ResourceCategory, Resources, Service, Topology } from './schema.js';
import { serviceClientId, serviceClientSecretKey, serviceClientSecretKeys, serviceUrlKey } from './service-calls.js';
import type {
  ContainerPlan,
  ContainerRuntime,
  DependencyPlan,
  HealthcheckPlan,
  NetworkPlan,
  PortPlan,
  StackPlan,
} from './stack-plan.js';

/** Images without a shell or an HTTP client: the CLI probes their health endpoints from the host. */
export const hostProbedComponents: readonly ComponentName[] = ['otel-collector', 'jaeger'];

/** The audience services expect in access tokens; every realm client's audience mapper adds it. */
export const apiAudience = 'innover-api';

// Ports inside the network; the host ports come from the topology.
const redisContainerPort = 6379;
const kafkaInternalPort = 29092;
const kafkaExternalContainerPort = 9092;
const cockroachSqlPort = 26257;
const cockroachHttpPort = 8080;
const keycloakHttpPort = 8080;
/** Jaeger v2's listeners inside the network: OTLP from the collector, the query API and UI, health. */
export const jaegerPorts = { otlpGrpc: 4317, otlpHttp: 4318, query: 16686, health: 13133 } as const;
/** Where the generated Jaeger config is mounted. */
const jaegerConfigPath = '/etc/jaeger/config.yaml';
/** Keycloak serves everything, its management interface too, under this path (KC_HTTP_RELATIVE_PATH). */
export const keycloakRelativePath = '/auth';
/** Keycloak as containers (WSO2, the services) reach it inside the network. */
export const keycloakInternalUrl = `http://keycloak:${keycloakHttpPort}${keycloakRelativePath}`;
const keycloakManagementPort = 9000;

/** `http://localhost`, or `http://localhost:<port>` when Nginx is not on 80. */
export function nginxPublicUrl(topology: Topology): string {
  const port = topology.infrastructure.nginx.hostPort;
  return port === 80 ? 'http://localhost' : `http://localhost:${port}`;
}

/**
 * Keycloak's fixed public URL (KC_HOSTNAME), the base of every token's issuer: the topology's
 * `hostname`, else `/auth` through Nginx on the host port it publishes, so a moved port does not
 * leave tokens naming an issuer nothing listens on.
 */
export function keycloakPublicUrl(topology: Topology): string {
  const { hostname } = topology.infrastructure.keycloak;
  return (hostname ?? `${nginxPublicUrl(topology)}${keycloakRelativePath}`).replace(/\/+$/, '');
}

/**
 * Keycloak straight on its published port, under /auth: how the CLI reaches it (KEYCLOAK_URL),
 * and the admin console's URL (KC_HOSTNAME_ADMIN).
 */
export function keycloakDirectUrl(topology: Topology): string {
  return `http://localhost:${topology.infrastructure.keycloak.hostPort}${keycloakRelativePath}`;
}

/** Keycloak's management interface (health, metrics) from the host: under /auth as well. */
export function keycloakManagementUrl(topology: Topology): string {
  return `http://localhost:${topology.infrastructure.keycloak.managementHostPort}${keycloakRelativePath}`;
}

/**
 * The compose network of a profile with Keycloak, from `network.subnet`: the gateway takes the
 * first address, Nginx the second, fixed, and Docker hands out only the upper half (`ip_range`)
 * to every other container, so none can be given Nginx's address.
 */
export function composeNetwork(subnet: string): NetworkPlan {
  const [base, bits] = subnet.split('/') as [string, string];
  const prefix = Number(bits);
  const network = ipv4ToNumber(base);
  const size = 2 ** (32 - prefix);
  return {
    subnet,
    ipRange: `${numberToIpv4(network + size / 2)}/${prefix + 1}`,
    gateway: numberToIpv4(network + 1),
    nginxAddress: numberToIpv4(network + 2),
  };
}

/** True when `subnet`'s host bits are all zero, as Docker requires. */
export function isNetworkAddress(subnet: string): boolean {
  const [base, bits] = subnet.split('/') as [string, string];
  return ipv4ToNumber(base) % 2 ** (32 - Number(bits)) === 0;
}

function ipv4ToNumber(address: string): number {
  return address.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
}

function numberToIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/**
 * The cockroach-bootstrap job's script (Compose syntax: `$$` is the shell's `$`). SQL may refuse
 * connections for a few seconds after init, so it waits for it. When COCKROACH_LICENSE is set it
 * runs `SET CLUSTER SETTING enterprise.license` first: the value is quoted as an SQL string (each
 * `'` doubled) and reaches `cockroach sql` on stdin through the printf builtin, so it is on no
 * command line; `cockroach sql` does not echo piped statements, and an error is printed with the
 * value masked. From v24.3 a multi-node cluster without a licence is throttled to 5 open
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
    'if [ -n "$${COCKROACH_LICENSE:-}" ]; then',
    `  quote="'"`,
    `  out=$$(printf 'SET CLUSTER SETTING enterprise.license = %s;\\n' "$$quote$\${COCKROACH_LICENSE//$$quote/$$quote$$quote}$$quote" | ${sql} 2>&1) || {`,
    '    echo "COCKROACH_LICENSE was refused: $${out//"$$COCKROACH_LICENSE"/<COCKROACH_LICENSE>}: fix it in .env or empty it" >&2',
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

/** The SQL name of a service's database and user: dashes are not valid in unquoted identifiers. */
export function databaseName(service: Pick<Service, 'name'>): string {
  return service.name.replaceAll('-', '_');
}

/** The BullMQ queue of a service. */
export function serviceQueue(service: Pick<Service, 'name' | 'queue'>): string {
  return service.queue ?? service.name;
}

/** Task routing of a service: its own, or the kit's sample tasks on its own queue. */
export function serviceTasks(service: Pick<Service, 'name' | 'queue' | 'tasks'>): Record<string, string> {
  const queue = serviceQueue(service);
  return service.tasks ?? { add: queue, slow: queue };
}

/** The gateway context of a service, e.g. `/api/rules`. */
export function serviceApiContext(service: Pick<Service, 'name' | 'apiContext'>): string {
  return service.apiContext ?? `/api/${service.name}`;
}

/** The engine behind `database` for a profile. */
export function profileDatabase(topology: Topology, profileName: string): DatabaseEngine {
  return topology.profiles[profileName]?.database ?? topology.database.engine;
}

/**
 * Where a profile's files live. The default profile's files are committed at their usual paths;
 * any other profile renders into the git-ignored `.innover/` folder. Paths are relative to the
 * project root, which is also Compose's `--project-directory`.
 */
export function profileFilePaths(
  topology: Topology,
  profileName: string,
): { compose: string; nginx: string; collector: string; jaeger: string } {
  if (profileName === topology.defaultProfile) {
    return { compose: 'docker-compose.yml', nginx: 'nginx/innover.conf', collector: 'otel/collector.yaml', jaeger: 'otel/jaeger.yaml' };
  }
  return {
    compose: `.innover/docker-compose.${profileName}.yml`,
    nginx: `.innover/nginx.${profileName}.conf`,
    collector: `.innover/collector.${profileName}.yaml`,
    jaeger: `.innover/jaeger.${profileName}.yaml`,
  };
}

/** Paths of the files every profile shares, relative to the project root. */
export const sharedFilePaths = {
  realm: 'keycloak/realm-export.json',
  wso2Deployment: 'wso2/deployment.toml',
  cockroachBootstrap: 'database/cockroach-bootstrap.sql',
  postgresInit: 'database/postgres-init.sh',
  serviceDockerfile: 'templates/service.Dockerfile',
} as const;

/** `256m` / `1g` → mebibytes. */
export function memoryMebibytes(size: string): number {
  const match = /^(\d+(?:\.\d+)?)([kmg])$/i.exec(size);
  if (!match) throw new Error(`not a memory size: ${size}`);
  const value = Number(match[1]);
  const unit = match[2]!.toLowerCase();
  return unit === 'g' ? value * 1024 : unit === 'm' ? value : value / 1024;
}

/** A healthcheck that asks an HTTP endpoint with nothing but bash builtins (no curl in most images). */
function bashHttpCheck(port: number, path: string): readonly string[] {
  const request = `GET ${path} HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n`;
  return [
    'CMD',
    'bash',
    '-c',
    `exec 3<>/dev/tcp/127.0.0.1/${port} && printf '${request}' >&3 && read -r status <&3 && [[ $$status == *' 200'* ]]`,
  ];
}

function healthcheck(test: readonly string[], startPeriod: string, interval = '10s', retries = 6): HealthcheckPlan {
  return { test, interval, timeout: '5s', retries, startPeriod };
}

interface ContainerDraft {
  name: string;
  role: ContainerPlan['role'];
  component: ComponentName;
  service?: string;
  image: string;
  category: ResourceCategory;
  override?: Resources | undefined;
  dependsOn?: DependencyPlan[];
  ports?: PortPlan[];
  health?: ContainerPlan['health'];
  startTimeoutSeconds: number;
  environment?: Record<string, string>;
  runtime: Partial<ContainerRuntime>;
}

/**
 * Derives the containers of one profile from the topology. Pure. Containers come in dependency
 * order; a service's environment names only the dependencies the profile holds.
 * Throws a UsageError for a profile the topology does not define.
 */
export function planStack(topology: Topology, profileName: string): StackPlan {
  const profile = topology.profiles[profileName];
  if (!profile) {
    throw new UsageError(
      `--profile: no profile named '${profileName}': use one of ${Object.keys(topology.profiles).join(', ')} (or define it under profiles in innover.yaml)`,
    );
  }
  const components = new Set<ComponentName>(profile.components);
  const has = (component: ComponentName) => components.has(component);
  const engine = has('database') ? profileDatabase(topology, profileName) : undefined;
  const paths = profileFilePaths(topology, profileName);
  const { infrastructure: infra, database } = topology;
  const drafts: ContainerDraft[] = [];
  const volumes: string[] = [];

  // Databases first: everything that stores data waits for them.
  const storeDependencies: DependencyPlan[] = [];
  if (engine === 'cockroach') {
    const cockroach = database.cockroach;
    const nodes = Array.from({ length: cockroach.nodes }, (_, index) => `cockroach${index + 1}`);
    const join = nodes.map((node) => `${node}:${cockroachSqlPort}`).join(',');
    nodes.forEach((node, index) => {
      volumes.push(`${node}-data`);
      const start =
        cockroach.nodes === 1
          ? ['start-single-node', '--insecure']
          : ['start', '--insecure', `--join=${join}`];
      drafts.push({
        name: node,
        role: 'database',
        component: 'database',
        image: cockroach.image,
        category: 'db',
        override: cockroach.resources,
        dependsOn: index === 0 ? [] : [{ name: nodes[index - 1]!, condition: 'service_healthy' }],
        ports:
          index === 0
            ? [
                { host: cockroach.sqlHostPort, container: cockroachSqlPort, purpose: 'SQL' },
                { host: cockroach.uiHostPort, container: cockroachHttpPort, purpose: 'admin UI' },
              ]
            : [],
        startTimeoutSeconds: 120,
        runtime: {
          command: [
            ...start,
            `--advertise-addr=${node}:${cockroachSqlPort}`,
            `--listen-addr=0.0.0.0:${cockroachSqlPort}`,
            `--http-addr=0.0.0.0:${cockroachHttpPort}`,
            '--cache=.25',
            '--max-sql-memory=.25',
          ],
          volumes: [`${node}-data:/cockroach/cockroach-data`],
          // Before `cockroach init` a multi-node cluster is not ready, yet each node must be
          // "healthy" for the next to start: the SQL port accepting connections is the signal.
          healthcheck: healthcheck(['CMD', 'bash', '-c', `exec 3<>/dev/tcp/127.0.0.1/${cockroachSqlPort}`], '30s', '5s', 12),
        },
      });
    });
    const allNodesHealthy = nodes.map((node): DependencyPlan => ({ name: node, condition: 'service_healthy' }));
    let bootstrapAfter = allNodesHealthy;
    if (cockroach.nodes > 1) {
      drafts.push({
        name: 'cockroach-init',
        role: 'job',
        component: 'database',
        image: cockroach.image,
        category: 'support',
        dependsOn: allNodesHealthy,
        health: { kind: 'exit-zero' },
        startTimeoutSeconds: 120,
        runtime: {
          entrypoint: ['/bin/bash', '-c'],
          // A re-run finds the cluster initialized; that counts as success.
          command: [
            [
              'for attempt in {1..30}; do',
              `  out=$$(/cockroach/cockroach init --insecure --host=cockroach1:${cockroachSqlPort} 2>&1) && { echo "$$out"; exit 0; }`,
              `  case "$$out" in *"already been initialized"*) echo 'cluster already initialized'; exit 0;; esac`,
              '  sleep 2',
              'done',
              'echo "$$out" >&2; exit 1',
            ].join('\n'),
          ],
          restart: 'no',
        },
      });
      bootstrapAfter = [{ name: 'cockroach-init', condition: 'service_completed_successfully' }];
    }
    drafts.push({
      name: 'cockroach-bootstrap',
      role: 'job',
      component: 'database',
      image: cockroach.image,
      category: 'support',
      dependsOn: bootstrapAfter,
      health: { kind: 'exit-zero' },
      startTimeoutSeconds: 180,
      // The licence comes from .env (or the shell) through Compose, never from a committed file.
      environment: { COCKROACH_LICENSE: '${COCKROACH_LICENSE:-}' },
      runtime: {
        entrypoint: ['/bin/bash', '-c'],
        command: [cockroachBootstrapScript(`cockroach1:${cockroachSqlPort}`)],
        volumes: [`./${sharedFilePaths.cockroachBootstrap}:/innover/bootstrap.sql:ro`],
        restart: 'no',
      },
    });
    storeDependencies.push({ name: 'cockroach-bootstrap', condition: 'service_completed_successfully' });
  } else if (engine === 'postgres') {
    volumes.push('postgres-data');
    drafts.push({
      name: 'postgres',
      role: 'database',
      component: 'database',
      image: database.postgres.image,
      category: 'db',
      override: database.postgres.resources,
      ports: [{ host: database.postgres.hostPort, container: 5432, purpose: 'SQL' }],
      startTimeoutSeconds: 90,
      environment: {
        POSTGRES_USER: 'postgres',
        POSTGRES_PASSWORD: '${POSTGRES_PASSWORD}',
        POSTGRES_DB: 'postgres',
        SERVICE_DB_PASSWORD: '${SERVICE_DB_PASSWORD}',
      },
      runtime: {
        volumes: [
          'postgres-data:/var/lib/postgresql/data',
          `./${sharedFilePaths.postgresInit}:/docker-entrypoint-initdb.d/10-innover.sh:ro`,
        ],
        // TCP, not the socket: during first-start init the server listens on the socket only.
        healthcheck: healthcheck(['CMD', 'pg_isready', '-h', '127.0.0.1', '-U', 'postgres', '-d', 'postgres'], '20s', '5s', 12),
      },
    });
    storeDependencies.push({ name: 'postgres', condition: 'service_healthy' });
  }

  if (has('redis')) {
    volumes.push('redis-data');
    // BullMQ's production guide: AOF with a write a second, and never evict (a queue's keys must not vanish).
    // maxmemory sits below the container limit, so Redis refuses writes (OOM error) before the kernel kills it;
    // the rest is headroom for the AOF rewrite's fork and the allocator.
    const redisMemory = Math.max(32, Math.floor(memoryMebibytes((infra.redis.resources ?? topology.resources.support).memory) * 0.75));
    drafts.push({
      name: 'redis',
      role: 'infrastructure',
      component: 'redis',
      image: infra.redis.image,
      category: 'support',
      override: infra.redis.resources,
      ports: [{ host: infra.redis.hostPort, container: redisContainerPort, purpose: 'Redis' }],
      startTimeoutSeconds: 60,
      // redis-cli reads the password from REDISCLI_AUTH, so it never shows in the process list.
      environment: { REDISCLI_AUTH: '${REDIS_PASSWORD}' },
      runtime: {
        command: [
          'redis-server',
          '--requirepass',
          '${REDIS_PASSWORD}',
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
        volumes: ['redis-data:/data'],
        healthcheck: healthcheck(['CMD-SHELL', 'redis-cli ping | grep -q PONG'], '5s', '5s'),
      },
    });
    storeDependencies.push({ name: 'redis', condition: 'service_healthy' });
  }

  if (has('redpanda')) {
    volumes.push('redpanda-data');
    const resources = infra.redpanda.resources ?? topology.resources.support;
    // Seastar takes what --memory says; leave a quarter of the limit for everything else.
    const seastarMemory = Math.max(256, Math.floor(memoryMebibytes(resources.memory) * 0.75));
    drafts.push({
      name: 'redpanda',
      role: 'infrastructure',
      component: 'redpanda',
      image: infra.redpanda.image,
      category: 'support',
      override: infra.redpanda.resources,
      ports: [{ host: infra.redpanda.hostPort, container: kafkaExternalContainerPort, purpose: 'Kafka API (host)' }],
      startTimeoutSeconds: 120,
      runtime: {
        command: [
          'redpanda',
          'start',
          '--mode',
          'dev-container',
          '--smp',
          '1',
          '--memory',
          `${seastarMemory}M`,
          '--kafka-addr',
          `internal://0.0.0.0:${kafkaInternalPort},external://0.0.0.0:${kafkaExternalContainerPort}`,
          '--advertise-kafka-addr',
          `internal://redpanda:${kafkaInternalPort},external://localhost:${infra.redpanda.hostPort}`,
        ],
        volumes: ['redpanda-data:/var/lib/redpanda/data'],
        healthcheck: healthcheck(['CMD-SHELL', "rpk cluster health | grep -E 'Healthy:.+true'"], '20s'),
      },
    });
    storeDependencies.push({ name: 'redpanda', condition: 'service_healthy' });
  }

  if (has('jaeger')) {
    // Jaeger v2: an OpenTelemetry Collector build configured by one file (render/jaeger.ts).
    drafts.push({
      name: 'jaeger',
      role: 'infrastructure',
      component: 'jaeger',
      image: infra.jaeger.image,
      category: 'support',
      override: infra.jaeger.resources,
      ports: [
        { host: infra.jaeger.uiHostPort, container: jaegerPorts.query, purpose: 'UI and query API' },
        { host: infra.jaeger.healthHostPort, container: jaegerPorts.health, hostIp: '127.0.0.1', purpose: 'health' },
      ],
      // healthcheckv2 answers 200 on /status once every component of the pipeline is up.
      health: { kind: 'host-probe', url: `http://localhost:${infra.jaeger.healthHostPort}/status` },
      startTimeoutSeconds: 60,
      runtime: {
        command: [`--config=${jaegerConfigPath}`],
        volumes: [`./${paths.jaeger}:${jaegerConfigPath}:ro`],
      },
    });
  }

  const telemetryDependencies: DependencyPlan[] = [];
  if (has('otel-collector')) {
    const collector = infra.otelCollector;
    drafts.push({
      name: 'otel-collector',
      role: 'infrastructure',
      component: 'otel-collector',
      image: collector.image,
      category: 'support',
      override: collector.resources,
      dependsOn: has('jaeger') ? [{ name: 'jaeger', condition: 'service_started' }] : [],
      ports: [
        { host: collector.grpcHostPort, container: 4317, purpose: 'OTLP gRPC' },
        { host: collector.httpHostPort, container: 4318, purpose: 'OTLP HTTP' },
        { host: collector.healthHostPort, container: 13133, hostIp: '127.0.0.1', purpose: 'health' },
      ],
      health: { kind: 'host-probe', url: `http://localhost:${collector.healthHostPort}/` },
      startTimeoutSeconds: 60,
      runtime: {
        command: ['--config=/etc/otelcol-contrib/config.yaml'],
        volumes: [`./${paths.collector}:/etc/otelcol-contrib/config.yaml:ro`],
      },
    });
    telemetryDependencies.push({ name: 'otel-collector', condition: 'service_started' });
  }

  const keycloak = infra.keycloak;
  // Keycloak trusts proxy headers from Nginx alone, so Nginx gets a fixed address.
  const network = has('keycloak') ? composeNetwork(topology.network.subnet) : undefined;
  if (network) {
    drafts.push({
      name: 'keycloak',
      role: 'infrastructure',
      component: 'keycloak',
      image: keycloak.image,
      category: 'support',
      override: keycloak.resources,
      ports: [
        { host: keycloak.hostPort, container: keycloakHttpPort, purpose: 'HTTP' },
        { host: keycloak.managementHostPort, container: keycloakManagementPort, hostIp: '127.0.0.1', purpose: 'management (health)' },
      ],
      startTimeoutSeconds: 300,
      environment: {
        // Everything under /auth, as Nginx publishes it; the management interface follows
        // (http-management-relative-path maps from http-relative-path in Keycloak 26).
        KC_HTTP_RELATIVE_PATH: keycloakRelativePath,
        // One fixed issuer for tokens obtained from the host, through Nginx or inside the network
        // (hostname v2: a full URL fixes scheme, host, port and path).
        KC_HOSTNAME: keycloakPublicUrl(topology),
        // The admin console on Keycloak's own port.
        KC_HOSTNAME_ADMIN: keycloakDirectUrl(topology),
        KC_HEALTH_ENABLED: 'true',
        // X-Forwarded-* only from Nginx's fixed address; anyone else's are ignored.
        KC_PROXY_HEADERS: 'xforwarded',
        KC_PROXY_TRUSTED_ADDRESSES: network.nginxAddress,
        KC_BOOTSTRAP_ADMIN_USERNAME: '${KEYCLOAK_ADMIN_USER}',
        KC_BOOTSTRAP_ADMIN_PASSWORD: '${KEYCLOAK_ADMIN_PASSWORD}',
        // Substituted into the realm's client secrets at import.
        WSO2_AM_CLIENT_SECRET: '${WSO2_AM_CLIENT_SECRET}',
        SMOKE_CLIENT_SECRET: '${SMOKE_CLIENT_SECRET}',
        ...Object.fromEntries(serviceClientSecretKeys(topology).map((key) => [key, `\${${key}}`])),
      },
      runtime: {
        command: ['start-dev', '--import-realm'],
        volumes: [`./${sharedFilePaths.realm}:/opt/keycloak/data/import/realm-export.json:ro`],
        healthcheck: healthcheck(bashHttpCheck(keycloakManagementPort, `${keycloakRelativePath}/health/ready`), '60s', '10s', 24),
      },
    });
  }

  if (has('services')) {
    topology.services.forEach((service) => {
      const environment = serviceEnvironment(topology, service, components, engine);
      const dependsOn = [...storeDependencies, ...telemetryDependencies];
      const build = {
        context: '.',
        dockerfile: sharedFilePaths.serviceDockerfile,
        args: { SERVICE: service.name, NODE_IMAGE: infra.node.image },
      };
      const image = `innover/${service.name}:local`;
      const kitHealthcheck = (role: 'api' | 'worker') =>
        healthcheck(['CMD', 'node', '/app/services/kit/dist/bin/healthcheck.js', role], '20s');
      drafts.push({
        name: service.name,
        role: 'api',
        component: 'services',
        service: service.name,
        image,
        category: 'default',
        override: service.resources?.api,
        dependsOn,
        ports: [{ host: service.hostPort, container: service.port, hostIp: '127.0.0.1', purpose: 'API' }],
        startTimeoutSeconds: 120,
        environment: { ...environment, PORT: String(service.port), ...service.environment },
        runtime: { build, healthcheck: kitHealthcheck('api') },
      });
      drafts.push({
        name: `${service.name}-worker`,
        role: 'worker',
        component: 'services',
        service: service.name,
        image,
        category: 'worker',
        override: service.resources?.worker,
        dependsOn,
        startTimeoutSeconds: 120,
        environment: { ...environment, ...service.environment },
        // The API's container builds the image; building it here too would relabel it and
        // flip its id, so Compose would recreate containers on every up.
        runtime: { pullPolicy: 'never', command: ['node', 'dist/worker.js'], healthcheck: kitHealthcheck('worker') },
      });
    });
  }

  if (has('nginx')) {
    drafts.push({
      name: 'nginx',
      role: 'infrastructure',
      component: 'nginx',
      image: infra.nginx.image,
      category: 'support',
      override: infra.nginx.resources,
      ports: [{ host: infra.nginx.hostPort, container: 80, purpose: 'HTTP' }],
      startTimeoutSeconds: 60,
      // The image's 30-tune-worker-processes.sh sets worker_processes to the CPUs its cgroup allows.
      environment: { NGINX_ENTRYPOINT_WORKER_PROCESSES_AUTOTUNE: '1' },
      runtime: {
        ...(network ? { ipv4Address: network.nginxAddress } : {}),
        volumes: [`./${paths.nginx}:/etc/nginx/conf.d/default.conf:ro`],
        healthcheck: healthcheck(bashHttpCheck(80, '/healthz'), '5s', '5s'),
      },
    });
  }

  if (has('wso2')) {
    const wso2 = infra.wso2;
    const wso2Resources = wso2.resources ?? topology.resources.support;
    drafts.push({
      name: 'wso2am',
      role: 'infrastructure',
      component: 'wso2',
      image: wso2.image,
      category: 'support',
      override: wso2.resources,
      ports: [
        { host: wso2.managementHostPort, container: 9443, purpose: 'publisher, devportal, admin' },
        { host: wso2.gatewayHttpsHostPort, container: 8243, purpose: 'gateway HTTPS' },
        { host: wso2.gatewayHttpHostPort, container: 8280, purpose: 'gateway HTTP' },
        { host: wso2.gatewayWsHostPort, container: 9099, purpose: 'gateway WebSocket' },
        { host: wso2.gatewayWssHostPort, container: 8099, purpose: 'gateway WebSocket TLS' },
      ],
      startTimeoutSeconds: 600,
      // bin/api-manager.sh (run by the image's docker-entrypoint.sh) takes the heap from
      // JVM_MEM_OPTS; WSO2's 4.5 Helm chart sets -Xms2048m -Xmx2048m under a 3Gi limit.
      environment: { JVM_MEM_OPTS: wso2JvmMemoryOptions(wso2Resources.memory) },
      runtime: {
        volumes: [`./${sharedFilePaths.wso2Deployment}:${wso2Home(wso2.image)}/repository/conf/deployment.toml:ro`],
        // Ready, not just up: the readiness probe of WSO2's Helm chart (curl is in the image).
        healthcheck: healthcheck(['CMD', 'curl', '-fsk', '-o', '/dev/null', wso2ReadinessUrl], '180s', '15s', 20),
      },
    });
  }

  return {
    project: topology.project,
    profile: profileName,
    components: profile.components.filter((component, index, all) => all.indexOf(component) === index),
    database: engine,
    containers: drafts.map((draft) => finish(topology, draft)),
    volumes,
    ...(network ? { network } : {}),
    resources: topology.resources,
  };
}

/** WSO2's readiness endpoint inside its container: 200 once the gateway has deployed its APIs. */
export const wso2ReadinessUrl = 'https://localhost:9443/api/am/gateway/v2/server-startup-healthcheck';

/**
 * The JVM heap for WSO2's memory limit: two thirds of it, as WSO2's 4.5 Helm chart does (2048m
 * under 3Gi), leaving the rest for metaspace, threads and native memory.
 */
export function wso2JvmMemoryOptions(memory: string): string {
  const heap = Math.floor((memoryMebibytes(memory) * 2) / 3);
  return `-Xms${heap}m -Xmx${heap}m`;
}

/** The product home inside the WSO2 image, e.g. `/home/wso2carbon/wso2am-4.5.0`. */
export function wso2Home(image: string): string {
  const tag = image.includes(':') ? image.slice(image.lastIndexOf(':') + 1) : 'latest';
  return `/home/wso2carbon/wso2am-${tag}`;
}

function serviceEnvironment(
  topology: Topology,
  service: Service,
  components: ReadonlySet<ComponentName>,
  engine: DatabaseEngine | undefined,
): Record<string, string> {
  const database = databaseName(service);
  const environment: Record<string, string> = { SERVICE_NAME: service.name };
  if (engine === 'cockroach') {
    // Insecure local CockroachDB refuses passwords, so its users have none.
    environment['DATABASE_URL'] = `postgresql://${database}@cockroach1:${cockroachSqlPort}/${database}?sslmode=disable`;
  } else if (engine === 'postgres') {
    environment['DATABASE_URL'] = `postgresql://${database}:\${SERVICE_DB_PASSWORD}@postgres:5432/${database}`;
  }
  if (components.has('redis')) environment['REDIS_URL'] = `redis://:\${REDIS_PASSWORD}@redis:${redisContainerPort}/0`;
  if (components.has('redpanda')) environment['KAFKA_BROKERS'] = `redpanda:${kafkaInternalPort}`;
  if (components.has('otel-collector')) environment['OTEL_EXPORTER_OTLP_ENDPOINT'] = 'http://otel-collector:4318';
  if (components.has('keycloak')) {
    const { realm } = topology.infrastructure.keycloak;
    // The issuer every token names; the keys come straight from Keycloak inside the network.
    environment['OIDC_ISSUER_URL'] = `${keycloakPublicUrl(topology)}/realms/${realm}`;
    environment['OIDC_JWKS_URL'] = `${keycloakInternalUrl}/realms/${realm}/protocol/openid-connect/certs`;
    environment['OIDC_AUDIENCE'] = apiAudience;
  }
  // Service identity (services[].calls): where each callee listens inside the network, and with
  // Keycloak the client-credentials settings of this service's own client. Without Keycloak
  // (lite) the services run without OIDC and call each other without tokens.
  if (service.calls.length > 0) {
    for (const call of service.calls) {
      const callee = topology.services.find((candidate) => candidate.name === call.service);
      if (callee) environment[serviceUrlKey(callee.name)] = `http://${callee.name}:${callee.port}`;
    }
    environment['SERVICE_CALLS'] = service.calls.map((call) => call.service).join(',');
    if (components.has('keycloak')) {
      const { realm } = topology.infrastructure.keycloak;
      environment['OIDC_TOKEN_URL'] = `${keycloakInternalUrl}/realms/${realm}/protocol/openid-connect/token`;
      environment['OIDC_CLIENT_ID'] = serviceClientId(service.name);
      environment['OIDC_CLIENT_SECRET'] = `\${${serviceClientSecretKey(service.name)}}`;
    }
  }
  environment['QUEUE_NAME'] = serviceQueue(service);
  environment['TASK_ROUTES'] = Object.entries(serviceTasks(service))
    .map(([task, queue]) => `${task}=${queue}`)
    .join(',');
  environment['WORKER_CONCURRENCY'] = String(service.worker.concurrency);
  environment['WORKER_LOCK_DURATION_MS'] = String(service.worker.lockDurationMs);
  environment['WORKER_STALLED_INTERVAL_MS'] = String(service.worker.stalledIntervalMs);
  return environment;
}

function finish(topology: Topology, draft: ContainerDraft): ContainerPlan {
  const anchor = topology.resources[draft.category];
  const resources = draft.override ?? anchor;
  const overridden = resources.cpus !== anchor.cpus || resources.memory !== anchor.memory;
  const runtime: ContainerRuntime = {
    ...draft.runtime,
    volumes: draft.runtime.volumes ?? [],
    restart: draft.runtime.restart ?? 'unless-stopped',
  };
  return {
    name: draft.name,
    role: draft.role,
    component: draft.component,
    ...(draft.service ? { service: draft.service } : {}),
    image: draft.image,
    category: draft.category,
    resources: overridden ? resources : anchor,
    resourcesOverridden: overridden,
    dependsOn: draft.dependsOn ?? [],
    ports: draft.ports ?? [],
    health: draft.health ?? (runtime.healthcheck ? { kind: 'docker' } : { kind: 'exit-zero' }),
    startTimeoutSeconds: draft.startTimeoutSeconds,
    environment: draft.environment ?? {},
    runtime,
  };
}
