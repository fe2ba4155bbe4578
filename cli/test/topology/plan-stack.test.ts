import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/command.js';
import { planStack as planNeutral } from '../../src/plan/plan-stack.js';
import { composePlan, type ComposeStackPlan as StackPlan } from '../../src/targets/compose/compose-plan.js';
import { defaultStack, smallStack, topologyFrom } from './fixtures.js';

/** The plan as the Compose target reads it: these expectations are in Compose's terms. */
const planStack = (...args: Parameters<typeof planNeutral>): StackPlan => composePlan(planNeutral(...args));
/** Images without a shell or an HTTP client: the CLI probes their health endpoints from the host. */
const hostProbedComponents: readonly string[] = ['otel-collector', 'jaeger'];

const names = (plan: StackPlan) => plan.containers.map((container) => container.name);

describe('planStack on a small topology', () => {
  it('plans exactly the containers, dependencies and environment', () => {
    const plan = planStack(smallStack(), 'tiny');
    expect(names(plan)).toEqual(['postgres', 'redis', 'billing', 'billing-worker']);
    expect(plan.volumes).toEqual(['postgres-data', 'redis-data']);
    expect(plan.database).toBe('postgres');
    const api = plan.containers.find((container) => container.name === 'billing')!;
    expect(api).toEqual({
      name: 'billing',
      role: 'api',
      component: 'services',
      service: 'billing',
      image: 'innover/billing:local',
      category: 'default',
      resources: { cpus: 0.5, memory: '256m' },
      resourcesOverridden: false,
      dependsOn: [
        { name: 'postgres', condition: 'service_healthy' },
        { name: 'redis', condition: 'service_healthy' },
      ],
      ports: [{ host: 9101, container: 8000, hostIp: '127.0.0.1', purpose: 'API' }],
      health: { kind: 'docker' },
      startTimeoutSeconds: 120,
      environment: {
        SERVICE_NAME: 'billing',
        DATABASE_URL: 'postgresql://billing:${SERVICE_DB_PASSWORD}@postgres:5432/billing',
        REDIS_URL: 'redis://:${REDIS_PASSWORD}@redis:6379/0',
        QUEUE_NAME: 'billing',
        TASK_ROUTES: 'add=billing,slow=billing',
        WORKER_CONCURRENCY: '1',
        WORKER_LOCK_DURATION_MS: '10000',
        WORKER_STALLED_INTERVAL_MS: '10000',
        PORT: '8000',
      },
      runtime: {
        build: {
          context: '.',
          dockerfile: 'templates/service.Dockerfile',
          args: { SERVICE: 'billing', NODE_IMAGE: 'node:24-bookworm-slim' },
        },
        healthcheck: {
          test: ['CMD', 'bash', '/app/services/kit/bin/healthcheck.sh', 'api'],
          interval: '30s',
          timeout: '5s',
          retries: 2,
          startPeriod: '120s',
          startInterval: '1s',
        },
        volumes: [],
        capDrop: ['ALL'],
        securityOpt: ['no-new-privileges:true'],
        readOnly: true,
        tmpfs: ['/tmp'],
        restart: 'unless-stopped',
      },
    });
    const worker = plan.containers.find((container) => container.name === 'billing-worker')!;
    expect(worker.image).toBe(api.image);
    // One build per image: the worker runs what the API's container builds, never pulls it.
    expect(worker.runtime.build).toBeUndefined();
    expect(worker.runtime.pullPolicy).toBe('never');
    expect(worker.runtime.command).toEqual(['node', 'dist/worker.js']);
    expect(worker.category).toBe('worker');
    expect(worker.ports).toEqual([]);
    expect(worker.environment['PORT']).toBeUndefined();
  });

  it('marks a per-service override and keeps the category otherwise', () => {
    const topology = topologyFrom({
      services: [{ name: 'billing', hostPort: 9101, resources: { worker: { cpus: 1, memory: '512m' } } }],
    });
    const plan = planStack(topology, 'full');
    const worker = plan.containers.find((container) => container.name === 'billing-worker')!;
    expect(worker.resources).toEqual({ cpus: 1, memory: '512m' });
    expect(worker.resourcesOverridden).toBe(true);
    expect(plan.containers.find((container) => container.name === 'billing')!.resourcesOverridden).toBe(false);
  });

  it('refuses a profile the topology lacks, naming the ones it has', () => {
    expect(() => planStack(smallStack(), 'nope')).toThrow(UsageError);
    expect(() => planStack(smallStack(), 'nope')).toThrow(/no profile named 'nope': use one of .*tiny/);
  });
});

describe('planStack on the default topology', () => {
  const topology = defaultStack();
  const profiles = Object.keys(topology.profiles);

  it('full holds every container of the shipped stack', () => {
    expect(names(planStack(topology, 'full'))).toEqual([
      'cockroach1', 'cockroach2', 'cockroach3', 'cockroach-init', 'cockroach-bootstrap',
      'redis', 'redpanda', 'jaeger', 'otel-collector', 'keycloak',
      'profile', 'profile-worker', 'payment', 'payment-worker', 'ledger', 'ledger-worker',
      'wallet', 'wallet-worker', 'rule-engine', 'rule-engine-worker', 'forex', 'forex-worker',
      'nginx', 'wso2am',
    ]);
  });

  it.each(profiles)('%s: containers come after everything they depend on, which exists', (profile) => {
    const plan = planStack(topology, profile);
    const seen = new Set<string>();
    for (const container of plan.containers) {
      for (const dependency of container.dependsOn) expect(seen, `${container.name} -> ${dependency.name}`).toContain(dependency.name);
      seen.add(container.name);
    }
  });

  it.each(profiles)('%s: every long-running container has a healthcheck or is probed from the host', (profile) => {
    for (const container of planStack(topology, profile).containers) {
      if (container.role === 'job') {
        expect(container.health).toEqual({ kind: 'exit-zero' });
        expect(container.runtime.restart).toBe('no');
      } else if (hostProbedComponents.includes(container.component)) {
        expect(container.health.kind, container.name).toBe('host-probe');
      } else {
        expect(container.health, container.name).toEqual({ kind: 'docker' });
        expect(container.runtime.healthcheck, container.name).toBeDefined();
      }
    }
  });

  it.each(profiles)('%s: no two containers publish the same host port', (profile) => {
    const ports = planStack(topology, profile).containers.flatMap((container) => container.ports.map((port) => port.host));
    expect(new Set(ports).size).toBe(ports.length);
  });

  it.each(profiles)('%s: a service names only the dependencies present in the profile', (profile) => {
    const plan = planStack(topology, profile);
    const present = new Set(plan.containers.map((container) => container.name));
    for (const container of plan.containers.filter((candidate) => candidate.role === 'api' || candidate.role === 'worker')) {
      const env = container.environment;
      expect('KAFKA_BROKERS' in env).toBe(present.has('redpanda'));
      expect('OTEL_EXPORTER_OTLP_ENDPOINT' in env).toBe(present.has('otel-collector'));
      expect('OIDC_ISSUER_URL' in env).toBe(present.has('keycloak'));
      expect('REDIS_URL' in env).toBe(present.has('redis'));
      expect('DATABASE_URL' in env).toBe(present.has('postgres') || present.has('cockroach1'));
      for (const dependency of container.dependsOn) expect(present).toContain(dependency.name);
    }
  });

  it('lite runs the postgres engine with services, workers, Redis, Redpanda and Nginx only', () => {
    const plan = planStack(topology, 'lite');
    expect(plan.database).toBe('postgres');
    expect(new Set(plan.containers.map((container) => container.component))).toEqual(new Set(['database', 'redis', 'redpanda', 'services', 'nginx']));
    expect(names(plan)).not.toContain('cockroach1');
    for (const container of plan.containers.filter((candidate) => candidate.role === 'api' || candidate.role === 'worker')) {
      expect(container.environment['KAFKA_BROKERS'], container.name).toBe('redpanda:29092');
      expect(container.dependsOn, container.name).toContainEqual({ name: 'redpanda', condition: 'service_healthy' });
    }
  });

  it('cockroach nodes start in sequence, each healthy before the next; bootstrap waits for init', () => {
    const plan = planStack(topology, 'core');
    const byName = new Map(plan.containers.map((container) => [container.name, container]));
    expect(byName.get('cockroach1')!.dependsOn).toEqual([]);
    expect(byName.get('cockroach2')!.dependsOn).toEqual([{ name: 'cockroach1', condition: 'service_healthy' }]);
    expect(byName.get('cockroach3')!.dependsOn).toEqual([{ name: 'cockroach2', condition: 'service_healthy' }]);
    expect(byName.get('cockroach-bootstrap')!.dependsOn).toEqual([{ name: 'cockroach-init', condition: 'service_completed_successfully' }]);
    expect(byName.get('cockroach1')!.ports.map((port) => [port.host, port.purpose])).toEqual([[26257, 'SQL'], [8082, 'admin UI']]);
    expect(byName.get('payment')!.environment['DATABASE_URL']).toBe('postgresql://payment@cockroach1:26257/payment?sslmode=disable');
    expect(byName.get('rule-engine')!.environment['DATABASE_URL']).toBe('postgresql://rule_engine@cockroach1:26257/rule_engine?sslmode=disable');
  });

  it('one cockroach node runs start-single-node without an init job', () => {
    const plan = planStack(topologyFrom({ database: { cockroach: { nodes: 1 } } }), 'core');
    expect(names(plan).filter((name) => name.startsWith('cockroach'))).toEqual(['cockroach1', 'cockroach-bootstrap']);
    expect(plan.containers[0]!.runtime.command![0]).toBe('start-single-node');
  });

  it('probes the shell-less images on their published health endpoints', () => {
    const plan = planStack(topology, 'observability');
    expect(plan.containers.map((container) => [container.name, container.health])).toEqual([
      ['jaeger', { kind: 'host-probe', url: 'http://localhost:13134/status' }],
      ['otel-collector', { kind: 'host-probe', url: 'http://localhost:13133/' }],
    ]);
    expect(plan.containers[1]!.ports).toContainEqual({ host: 13133, container: 13133, hostIp: '127.0.0.1', purpose: 'health' });
  });

  it('gives the slow starters long timeouts', () => {
    const timeouts = Object.fromEntries(planStack(topology, 'full').containers.map((container) => [container.name, container.startTimeoutSeconds]));
    expect(timeouts['wso2am']).toBeGreaterThanOrEqual(600);
    expect(timeouts['keycloak']).toBeGreaterThanOrEqual(300);
    expect(timeouts['cockroach1']).toBeGreaterThanOrEqual(120);
  });

  it('keeps secrets as ${VAR} references in every environment', () => {
    for (const profile of profiles) {
      for (const container of planStack(topology, profile).containers) {
        for (const [key, value] of Object.entries(container.environment)) {
          if (/PASSWORD|SECRET|AUTH$/.test(key)) expect(value, `${container.name} ${key}`).toMatch(/^\$\{[A-Z][A-Z0-9_]*\}$/);
        }
      }
    }
  });
});

describe('service identity: the environment a calling service gets (services[].calls)', () => {
  const environmentOf = (plan: StackPlan, name: string) => plan.containers.find((container) => container.name === name)!.environment;
  const tokenKeys = ['OIDC_TOKEN_URL', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'];

  it("gives the API and the worker each callee's URL, SERVICE_CALLS and, with Keycloak, its client-credentials settings", () => {
    const plan = planStack(defaultStack(), 'full');
    for (const name of ['payment', 'payment-worker']) {
      expect(environmentOf(plan, name)).toMatchObject({
        WALLET_URL: 'http://wallet:8000',
        PROFILE_URL: 'http://profile:8000',
        RULE_ENGINE_URL: 'http://rule-engine:8000',
        FOREX_URL: 'http://forex:8000',
        LEDGER_URL: 'http://ledger:8000',
        SERVICE_CALLS: 'wallet,profile,rule-engine,forex,ledger',
        OIDC_TOKEN_URL: 'http://keycloak:8080/auth/realms/innover/protocol/openid-connect/token',
        OIDC_CLIENT_ID: 'payment-service',
        OIDC_CLIENT_SECRET: '${PAYMENT_CLIENT_SECRET}',
      });
    }
    for (const name of ['wallet', 'wallet-worker']) {
      expect(environmentOf(plan, name)).toMatchObject({ PROFILE_URL: 'http://profile:8000', LEDGER_URL: 'http://ledger:8000', SERVICE_CALLS: 'profile,ledger', OIDC_CLIENT_ID: 'wallet-service', OIDC_CLIENT_SECRET: '${WALLET_CLIENT_SECRET}' });
      expect(environmentOf(plan, name)).not.toHaveProperty('FOREX_URL');
    }
    // A service that calls nobody gets none of it.
    for (const key of ['SERVICE_CALLS', 'PROFILE_URL', ...tokenKeys]) expect(environmentOf(plan, 'ledger')).not.toHaveProperty(key);
  });

  it('hands Keycloak every caller secret for the realm import, as ${VAR} references', () => {
    expect(environmentOf(planStack(defaultStack(), 'full'), 'keycloak')).toMatchObject({ PAYMENT_CLIENT_SECRET: '${PAYMENT_CLIENT_SECRET}', WALLET_CLIENT_SECRET: '${WALLET_CLIENT_SECRET}' });
  });

  it('without Keycloak (lite: OIDC off) gives URLs and SERVICE_CALLS but no token settings', () => {
    const plan = planStack(defaultStack(), 'lite');
    for (const name of ['payment', 'payment-worker']) {
      expect(environmentOf(plan, name)).toMatchObject({ LEDGER_URL: 'http://ledger:8000', SERVICE_CALLS: 'wallet,profile,rule-engine,forex,ledger' });
      for (const key of [...tokenKeys, 'OIDC_ISSUER_URL']) expect(environmentOf(plan, name)).not.toHaveProperty(key);
    }
  });

  it("uses the callee's container port and the topology's realm", () => {
    const topology = topologyFrom({
      services: [
        { name: 'billing', hostPort: 9101, calls: [{ service: 'risk-score', access: 'read' }] },
        { name: 'risk-score', hostPort: 9102, port: 9000 },
      ],
      infrastructure: { keycloak: { realm: 'acme' } },
    });
    expect(environmentOf(planStack(topology, 'full'), 'billing-worker')).toMatchObject({
      RISK_SCORE_URL: 'http://risk-score:9000',
      SERVICE_CALLS: 'risk-score',
      OIDC_TOKEN_URL: 'http://keycloak:8080/auth/realms/acme/protocol/openid-connect/token',
      OIDC_CLIENT_ID: 'billing-service',
      OIDC_CLIENT_SECRET: '${BILLING_CLIENT_SECRET}',
    });
  });
});

describe('derived settings', () => {
  it('sizes Redpanda below its memory limit', () => {
    const redpanda = (memory: string) =>
      planStack(topologyFrom({ infrastructure: { redpanda: { resources: { cpus: 1, memory } } } }), 'core').containers.find(
        (container) => container.name === 'redpanda',
      )!;
    expect(redpanda('1g').runtime.command).toContain('768M');
    expect(redpanda('2048m').runtime.command).toContain('1536M');
    expect(redpanda('1g').resources).toEqual({ cpus: 1, memory: '1g' });
  });

  it('mounts deployment.toml into the home of the WSO2 version in use', () => {
    const wso2 = planStack(topologyFrom({ infrastructure: { wso2: { image: 'wso2/wso2am:4.4.0' } } }), 'gateway').containers[0]!;
    expect(wso2.runtime.volumes).toEqual(['./wso2/deployment.toml:/home/wso2carbon/wso2am-4.4.0/repository/conf/deployment.toml:ro']);
  });

  it("names Keycloak's issuer /auth through Nginx on the port Nginx publishes, unless the topology fixes a hostname", () => {
    const issuer = (infrastructure: Record<string, unknown>) => {
      const plan = planStack(topologyFrom({ infrastructure }), 'full');
      const container = (name: string) => plan.containers.find((candidate) => candidate.name === name)!;
      return [container('keycloak').environment['KC_HOSTNAME'], container('payment').environment['OIDC_ISSUER_URL']];
    };
    expect(issuer({})).toEqual(['http://localhost/auth', 'http://localhost/auth/realms/innover']);
    // Keycloak's own port does not name the issuer; Nginx's does, without :80.
    expect(issuer({ keycloak: { hostPort: 18080 } })).toEqual(['http://localhost/auth', 'http://localhost/auth/realms/innover']);
    expect(issuer({ nginx: { hostPort: 8088 } })).toEqual(['http://localhost:8088/auth', 'http://localhost:8088/auth/realms/innover']);
    expect(issuer({ keycloak: { hostname: 'https://id.example.test/auth/' } })).toEqual(['https://id.example.test/auth', 'https://id.example.test/auth/realms/innover']);
  });

  it("lists Redpanda's internal listener first: the one the services' KAFKA_BROKERS name", () => {
    // A broker that serves a single listener takes the first (the Kafka stand-in does), so the
    // in-network listener leads; the host listener follows.
    const plan = planStack(defaultStack(), 'lite');
    const redpanda = plan.containers.find((container) => container.name === 'redpanda')!;
    const command = redpanda.runtime.command!;
    const listeners = command[command.indexOf('--kafka-addr') + 1]!.split(',');
    const advertised = command[command.indexOf('--advertise-kafka-addr') + 1]!.split(',');
    expect(listeners[0]).toBe('internal://0.0.0.0:29092');
    expect(advertised[0]).toBe('internal://redpanda:29092');
    expect(plan.containers.find((container) => container.name === 'ledger-worker')!.environment['KAFKA_BROKERS']).toBe('redpanda:29092');
    expect(redpanda.runtime.healthcheck!.test).toEqual(['CMD-SHELL', "rpk cluster health | grep -E 'Healthy:.+true'"]);
  });

  it('keeps Redis jobs: AOF every second on a named volume, no eviction, maxmemory a quarter below the limit', () => {
    const redis = (memory?: string) => {
      const input = memory ? { infrastructure: { redis: { resources: { cpus: 0.5, memory } } } } : {};
      const plan = planStack(topologyFrom(input), 'lite');
      return { plan, container: plan.containers.find((container) => container.name === 'redis')! };
    };
    const { plan, container } = redis();
    expect(container.resources.memory).toBe('256m');
    expect(container.runtime.command).toEqual([
      'redis-server',
      '--requirepass',
      '${REDIS_PASSWORD}',
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--maxmemory',
      '192mb',
      '--maxmemory-policy',
      'noeviction',
    ]);
    expect(container.runtime.volumes).toEqual(['redis-data:/data']);
    expect(plan.volumes).toContain('redis-data');
    expect(redis('1g').container.runtime.command).toContain('768mb');
    expect(redis('512m').container.runtime.command).toContain('384mb');
  });

  it('advertises the Kafka host listener on the host port the topology sets', () => {
    const redpanda = planStack(topologyFrom({ infrastructure: { redpanda: { hostPort: 19092 } } }), 'core').containers.find(
      (container) => container.name === 'redpanda',
    )!;
    expect(redpanda.ports).toEqual([{ host: 19092, container: 9092, purpose: 'Kafka API (host)' }]);
    expect(redpanda.runtime.command).toContain('internal://redpanda:29092,external://localhost:19092');
  });
});
