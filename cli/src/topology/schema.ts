import { z } from 'zod';

/**
 * The typed topology: the single source of truth for the stack. innover.yaml holds the user's
 * choices; every field has a default, so the defaults alone reproduce the stack innover ships.
 * docker-compose.yml, the Nginx and collector configs, the realm and the WSO2 config all derive
 * from a parsed Topology.
 */

const name = z
  .string()
  .regex(/^[a-z][a-z0-9-]*$/, 'use lowercase letters, digits and dashes, starting with a letter');
const port = z.number().int().min(1).max(65535);
const image = z.string().min(1);
/** An event's Kafka topic, `<service>.<event>.v<N>` (kit topicName). */
export const eventTopic = z
  .string()
  .regex(/^[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*\.v[1-9][0-9]*$/, "use an event topic such as 'ledger.transfer-changed.v1'");

/** Docker memory size such as `256m` or `1g`. */
export const memorySize = z
  .string()
  .regex(/^\d+(\.\d+)?[kmg]$/i, "use a Docker memory size such as '256m' or '1g'");

export const resourcesSchema = z.strictObject({
  cpus: z.number().positive().max(64).describe('CPU limit, e.g. 0.5'),
  memory: memorySize.describe('memory limit, e.g. 256m'),
});
export type Resources = z.infer<typeof resourcesSchema>;

const fraction = z.number().min(0.05).max(1);
/**
 * What a container asks for up front, as a fraction of its category's limits: Kubernetes'
 * `resources.requests` (the limits are the category's anchor, as in Compose).
 */
export const requestFractionSchema = z
  .strictObject({
    default: fraction.default(0.25),
    worker: fraction.default(0.25),
    support: fraction.default(0.5),
    db: fraction.default(0.5),
  })
  .default({ default: 0.25, worker: 0.25, support: 0.5, db: 0.5 })
  .describe("per resource category, the share of its limits a container requests (Kubernetes resources.requests; Compose sets limits only), from 0.05 to 1");
export type RequestFraction = z.infer<typeof requestFractionSchema>;

/** The four resource categories, rendered as x-<category>-deploy anchors. */
export const resourceCategories = ['default', 'worker', 'support', 'db'] as const;
export type ResourceCategory = (typeof resourceCategories)[number];

/** One service this service calls over HTTP, and what it may do there. */
export const serviceCallSchema = z.strictObject({
  service: name.describe('the called service (a name in services)'),
  access: z
    .enum(['read', 'write'])
    .describe("'read' grants <service>-read; 'write' grants <service>-write and <service>-read (a caller that writes reads back)"),
});
export type ServiceCall = z.infer<typeof serviceCallSchema>;

export const serviceSchema = z.strictObject({
  name: name.describe('service name: container, database, queue and role names derive from it'),
  displayName: z.string().min(1).optional().describe('human name, e.g. "Rule Engine" (default: from name)'),
  apiContext: z
    .string()
    .regex(/^\/[a-z0-9/-]+$/, "use a path such as '/api/rules'")
    .optional()
    .describe('gateway context (default /api/<name>)'),
  hostPort: port.describe('host port on 127.0.0.1 for the API (8101-8106 for the six defaults)'),
  port: port.default(8000).describe('container port of the API'),
  queue: name.optional().describe('BullMQ queue of this service (default: its name)'),
  /** Task routing: task name -> queue name. Defaults to the sample tasks on the service's own queue. */
  tasks: z.record(name, name).optional().describe('task routing: task name -> queue'),
  worker: z
    .strictObject({
      concurrency: z.number().int().min(1).max(1000).default(1),
      lockDurationMs: z.number().int().min(1000).default(10_000),
      stalledIntervalMs: z.number().int().min(1000).default(10_000),
    })
    .default({ concurrency: 1, lockDurationMs: 10_000, stalledIntervalMs: 10_000 }),
  resources: z
    .strictObject({ api: resourcesSchema.optional(), worker: resourcesSchema.optional() })
    .optional()
    .describe('per-service override of the default / worker categories'),
  environment: z.record(z.string().regex(/^[A-Z_][A-Z0-9_]*$/), z.string()).optional(),
  /**
   * Whom this service calls. Each caller gets a Keycloak client `<name>-service` holding exactly
   * the roles its calls grant, a secret `<NAME>_CLIENT_SECRET` in .env, and `<CALLEE>_URL`,
   * SERVICE_CALLS and (with Keycloak) the OIDC client-credentials settings in its environment.
   */
  calls: z
    .array(serviceCallSchema)
    .default([])
    .describe('services this one calls over HTTP: a Keycloak client per caller with exactly these roles, and <SERVICE>_URL in its environment'),
  consumes: z
    .array(eventTopic)
    .default([])
    .describe("event topics this service's worker consumes, e.g. ledger.transfer-changed.v1; each must be an event of protos/ (innover proto lists them)"),
});
export type Service = z.infer<typeof serviceSchema>;

/** The parts of the stack a profile can select. `services` means every API and worker. */
export const componentNames = [
  'services',
  'database',
  'redis',
  'redpanda',
  'keycloak',
  'nginx',
  'wso2',
  'otel-collector',
  'jaeger',
] as const;
export type ComponentName = (typeof componentNames)[number];

export const databaseEngines = ['cockroach', 'postgres'] as const;
export type DatabaseEngine = (typeof databaseEngines)[number];

export const profileSchema = z.strictObject({
  description: z.string().default(''),
  components: z.array(z.enum(componentNames)).min(1),
  /** Engine behind `database` for this profile (default: topology.database.engine). */
  database: z.enum(databaseEngines).optional(),
});
export type Profile = z.infer<typeof profileSchema>;

const infra = <T extends z.ZodRawShape>(shape: T) =>
  z.strictObject({ image, resources: resourcesSchema.optional(), ...shape });

/** Database engines: a discriminated union on `engine` for the one in force, settings for both. */
export const databaseSchema = z.strictObject({
  engine: z.enum(databaseEngines).default('cockroach'),
  cockroach: infra({
    nodes: z.number().int().min(1).max(9).default(3).describe('1 runs start-single-node'),
    sqlHostPort: port.default(26257),
    uiHostPort: port.default(8082),
  }),
  postgres: infra({ hostPort: port.default(5432) }),
});

export const infrastructureSchema = z.strictObject({
  redis: infra({ hostPort: port.default(6379) }),
  redpanda: infra({ hostPort: port.default(9092) }),
  keycloak: infra({
    realm: name.default('innover'),
    hostPort: port.default(8080),
    managementHostPort: port.default(9000),
    /** The fixed public URL, so every token carries one issuer wherever it was obtained. */
    hostname: z
      .url()
      .optional()
      .describe("Keycloak's fixed public URL, the issuer of every token (default http://localhost/auth: Keycloak under /auth through Nginx on infrastructure.nginx.hostPort)"),
  }),
  nginx: infra({ hostPort: port.default(80) }),
  wso2: infra({
    managementHostPort: port.default(9443),
    gatewayHttpsHostPort: port.default(8243),
    gatewayHttpHostPort: port.default(8280),
    /** WebSocket APIs: the gateway's ws and wss listeners. */
    gatewayWsHostPort: port.default(9099),
    gatewayWssHostPort: port.default(8099),
  }),
  otelCollector: infra({
    grpcHostPort: port.default(4317),
    httpHostPort: port.default(4318),
    healthHostPort: port.default(13133),
  }),
  jaeger: infra({
    uiHostPort: port.default(16686),
    /** healthcheckv2's HTTP endpoint (container port 13133), published on 127.0.0.1 for the CLI's probe. */
    healthHostPort: port.default(13134),
    /** The in-memory store's bound: the oldest traces go first, so the store cannot outgrow its memory limit. */
    maxTraces: z
      .number()
      .int()
      .min(100)
      .max(1_000_000)
      .default(20_000)
      .describe("traces Jaeger's in-memory store keeps (memory.max_traces); the oldest are dropped first. Raise it together with Jaeger's memory limit"),
  }),
  /** Base image of the service Dockerfile template. */
  node: z.strictObject({ image }),
});

/** An IPv4 subnet in CIDR notation, /16 to /26. */
const ipv4Subnet = z
  .string()
  .regex(
    /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\/(1[6-9]|2[0-6])$/,
    "use an IPv4 subnet from /16 to /26, such as '172.16.93.0/24'",
  );

export const networkSchema = z
  .strictObject({
    subnet: ipv4Subnet
      .default('172.16.93.0/24')
      .describe(
        "the compose network's subnet when a profile runs Keycloak: Nginx takes its second address, the only proxy Keycloak trusts. Outside Docker's default pools (172.17-31.x, 192.168.x); change it if it clashes with a network of yours",
      ),
  })
  .default({ subnet: '172.16.93.0/24' });

export const topologySchema = z.strictObject({
  $schema: z.string().optional(),
  project: name.default('innover').describe('Compose project name'),
  services: z.array(serviceSchema).min(1),
  database: databaseSchema,
  infrastructure: infrastructureSchema,
  network: networkSchema,
  resources: z.strictObject({
    default: resourcesSchema,
    worker: resourcesSchema,
    support: resourcesSchema,
    db: resourcesSchema,
    requestFraction: requestFractionSchema,
  }),
  profiles: z.record(name, profileSchema),
  defaultProfile: name.default('full'),
  keycloak: z
    .strictObject({
      platformRoles: z.array(name).default([]).describe('realm roles for people, e.g. platform-admin, auditor'),
      extraRoles: z.array(name).default([]).describe('further realm roles, beyond <service>-read/-write'),
      extraClients: z
        .array(
          z.strictObject({
            clientId: name,
            /** Confidential clients get their secret from .env at configure time, never from here. */
            public: z.boolean().default(false),
            redirectUris: z.array(z.string().min(1)).default([]),
            serviceAccountRoles: z.array(name).default([]).describe('realm roles of its service account'),
          }),
        )
        .default([])
        .describe('further OIDC clients of the realm'),
      users: z
        .array(
          z.strictObject({
            username: name,
            email: z.email().optional(),
            realmRoles: z.array(name).default([]),
          }),
        )
        .default([])
        .describe('people created in the realm; an admin gives each a temporary password in the Keycloak console, replaced at first login'),
    })
    .default({ platformRoles: [], extraRoles: [], extraClients: [], users: [] }),
});

/** A validated topology with every default filled in. */
export type Topology = z.infer<typeof topologySchema>;
/** What innover.yaml may hold: any field may be left out. */
export type TopologyInput = z.input<typeof topologySchema>;
