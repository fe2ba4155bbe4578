import { renderEnvExample } from '../../src/env/example.js';
import { fillSecrets } from '../../src/env/fresh-secrets.js';
import { validateDotenv } from '../../src/env/load.js';
import { generatedSecretKeys } from '../../src/env/schema.js';
import { describe, expect, it } from 'vitest';
import { defaultModules } from '../../src/components/index.js';
import { planStack } from '../../src/plan/plan-stack.js';
import type { StackPlan } from '../../src/plan/types.js';
import { checkPorts } from '../../src/use-cases/preflight.js';
import { stackUrls } from '../../src/plan/stack-urls.js';
import { waitForHealth } from '../../src/use-cases/wait-for-health.js';
import { renderCompose, stringifyCompose } from '../../src/targets/compose/render.js';
import { kubernetesInput } from '../../src/targets/kubernetes/chart.js';
import { renderManifests, waitForDependenciesEntryPoint } from '../../src/targets/kubernetes/manifests.js';
import { secretKeyNames } from '../../src/targets/kubernetes/names.js';
import { defaultValues } from '../../src/targets/kubernetes/values.js';
import type { Topology } from '../../src/topology/schema.js';
import { validateTopology } from '../../src/topology/validate.js';
import { scriptedEngine, summary } from '../stack/engine-fakes.js';
import { objectStore } from './object-store-module.js';

/**
 * A made-up infrastructure component (a MinIO-like object store, ./object-store-module.ts) added
 * as ONE module plus ONE list entry, below. Nothing else in innover changes, yet it shows up in
 * the topology schema, the Compose file, `urls`, doctor's port check and the waits.
 */
const modules = [...defaultModules, objectStore];

const input = {
  profiles: {
    stored: {
      description: 'lite plus an object store',
      components: ['services', 'database', 'redis', 'redpanda', 'nginx', 'object-store'],
      database: 'postgres',
    },
  },
};

function topologyWith(extra: Record<string, unknown> = {}): Topology {
  const result = validateTopology({ ...input, ...extra }, { modules });
  if (!result.value) throw new Error(result.errors.join('\n'));
  return result.value;
}

const plan = (topology = topologyWith()): StackPlan => planStack(topology, 'stored', modules);

describe('a made-up component from one module and one list entry', () => {
  it('takes its slice of the topology schema, with its defaults and its host ports in the clash check', () => {
    const topology = topologyWith({ infrastructure: { objectStore: { bucket: 'receipts' } } });
    expect((topology.infrastructure as Record<string, unknown>)['objectStore']).toEqual({ image: 'example/object-store:1.0', apiHostPort: 9200, consoleHostPort: 9201, bucket: 'receipts' });
    expect(validateTopology({ ...input, infrastructure: { objectStore: { colour: 'red' } } }, { modules }).errors).toEqual([
      "infrastructure.objectStore: unknown field 'colour': remove or fix the spelling",
    ]);
    expect(validateTopology({ ...input, infrastructure: { objectStore: { apiHostPort: 8101 } } }, { modules }).errors).toEqual([
      'infrastructure.objectStore.apiHostPort: host port 8101 is already used by services[0].hostPort: pick another port',
    ]);
    // Without the module, the shipped schema knows no such component.
    expect(validateTopology(input).errors.join('\n')).toContain('profiles.stored.components[5]');
  });

  it('shows up in the compose file: its service, volume, healthcheck, and the services wait for it and get its environment', () => {
    const stack = plan();
    const compose = renderCompose(stack);
    expect(compose.services['object-store']).toEqual({
      image: 'example/object-store:1.0',
      command: ['server', '/data', '--console-address', ':9001'],
      environment: { ROOT_USER: 'innover', ROOT_PASSWORD: '${OBJECT_STORE_PASSWORD}' },
      ports: ['9200:9000', '127.0.0.1:9201:9001'],
      volumes: ['object-store-data:/data'],
      healthcheck: { test: ['CMD', 'curl', '-fsk', '-o', '/dev/null', 'http://localhost:9000/health/ready'], interval: '30s', timeout: '5s', retries: 2, start_period: '60s', start_interval: '1s' },
      cap_drop: ['ALL'],
      security_opt: ['no-new-privileges:true'],
      read_only: true,
      tmpfs: ['/tmp'],
      restart: 'unless-stopped',
      deploy: { resources: { limits: { cpus: 0.5, memory: '256m' } } },
    });
    expect(compose.volumes).toHaveProperty('object-store-data');
    for (const name of ['payment', 'payment-worker']) {
      expect(compose.services[name]!.depends_on).toMatchObject({ 'object-store': { condition: 'service_healthy' } });
      expect(compose.services[name]!.environment).toMatchObject({ S3_ENDPOINT: 'http://object-store:9000', S3_BUCKET: 'innover', S3_SECRET_KEY: '${OBJECT_STORE_PASSWORD}' });
    }
    expect(stringifyCompose(compose, stack)).toContain('  object-store:\n    image: example/object-store:1.0\n');
    // It comes before everything that waits for it, though its module is last in the list.
    const names = stack.workloads.map((workload) => workload.name);
    expect(names.indexOf('object-store')).toBeLessThan(names.indexOf('profile'));
  });

  it('shows up in urls', () => {
    const urls = stackUrls(topologyWith(), plan());
    expect(urls.filter((entry) => entry.key.startsWith('OBJECT_STORE'))).toEqual([
      { key: 'OBJECT_STORE_URL', name: 'Object store (S3 API)', url: 'http://localhost:9200' },
      { key: 'OBJECT_STORE_CONSOLE_URL', name: 'Object store console', url: 'http://localhost:9201' },
    ]);
  });

  it("shows up in doctor's port check", async () => {
    const findings = await checkPorts(plan(), [], async () => new Map([[9200, { port: 9200, pid: 7, command: 'minio' }]]));
    expect(findings.map((finding) => finding.message)).toEqual([
      'port 9200 (object-store S3 API) is in use by process minio (pid 7): stop it or change the port in innover.yaml',
    ]);
  });

  it('shows up in the waits: in dependency order, ready by its Docker healthcheck', async () => {
    const stack = plan();
    const starting = stack.workloads.map((workload) => summary(workload.name, workload.name === 'object-store' ? { health: 'starting' } : {}));
    const healthy = stack.workloads.map((workload) => summary(workload.name));
    const engine = scriptedEngine([starting, starting, healthy]);
    let now = 0;
    const progress = await waitForHealth({
      project: stack.project,
      containers: stack.workloads,
      engine,
      probe: async () => true,
      timeoutSeconds: 600,
      now: () => now,
      sleep: async () => void (now += 1000),
    });
    expect(engine.listCalls).toBe(3);
    const names = progress.map((entry) => entry.name);
    expect(names.indexOf('object-store')).toBeLessThan(names.indexOf('payment'));
    expect(progress.find((entry) => entry.name === 'object-store')).toMatchObject({ ready: true, readyAfterSeconds: 2 });
  });

  it('carries what any target needs, as data (the Kubernetes target reads the same plan)', () => {
    const stack = plan();
    const workload = stack.workloads.find((entry) => entry.name === 'object-store')!;
    expect(workload).toMatchObject({
      lifecycle: 'long-running',
      stateful: true,
      secrets: ['OBJECT_STORE_PASSWORD'],
      readiness: { check: { kind: 'http', port: 9000, path: '/health/ready' } },
      liveness: { check: { kind: 'http', port: 9000, path: '/health/live' } },
      security: { runAsUser: 1000, readOnlyRootFilesystem: true },
    });
    expect(stack.volumes).toContainEqual({ name: 'object-store-data', sizeHint: '20Gi' });
    expect(stack.componentPlans.find((component) => component.name === 'object-store')!.secrets).toEqual([
      { key: 'OBJECT_STORE_PASSWORD', description: "the object store's root password" },
    ]);
  });

  it('shows up in the Kubernetes chart: a StatefulSet with its claim, probes, Secret reference and the services waiting for it', () => {
    const topology = topologyWith();
    const input = kubernetesInput(topology, 'stored', modules);
    const { templates } = renderManifests(input);
    const objects = templates.find((template) => template.name === 'object-store')!.documents.map((document) => (document as { toJSON(): Record<string, unknown> }).toJSON());
    const set = objects.find((object) => object['kind'] === 'StatefulSet') as { spec: { volumeClaimTemplates: unknown[]; template: { spec: { containers: Record<string, unknown>[] } } } };
    expect(set.spec.volumeClaimTemplates).toHaveLength(1);
    expect(defaultValues(input.plan, topology).storage.sizes['object-store']).toBe('20Gi');
    const container = set.spec.template.spec.containers[0]!;
    expect(container).toMatchObject({
      readinessProbe: { httpGet: { port: 9000, path: '/health/ready' } },
      livenessProbe: { httpGet: { port: 9000, path: '/health/live' } },
      securityContext: { runAsUser: 1000, runAsNonRoot: true, readOnlyRootFilesystem: true },
    });
    expect(container['env']).toContainEqual({ name: 'ROOT_PASSWORD', valueFrom: { secretKeyRef: { name: expect.any(String) as string, key: 'OBJECT_STORE_PASSWORD' } } });
    expect(objects.filter((object) => object['kind'] === 'Service').map((object) => (object['metadata'] as { name: string }).name)).toEqual(['object-store-headless', 'object-store']);
    // Every service waits for it before it starts, from its own image.
    const payment = templates.find((template) => template.name === 'payment')!.documents.map((document) => (document as { toJSON(): Record<string, unknown> }).toJSON());
    const deployment = payment.find((object) => object['kind'] === 'Deployment') as { spec: { template: { spec: { initContainers: { name: string; command: string[] }[] } } } };
    expect(deployment.spec.template.spec.initContainers).toContainEqual(expect.objectContaining({ name: 'wait-for-object-store', command: ['node', waitForDependenciesEntryPoint, 'tcp:object-store:9000'] }));
    // innover k8s secrets writes its key into the Secret too.
    expect(secretKeyNames(topology, input.plan)).toContain('OBJECT_STORE_PASSWORD');
  });

  it('shows up in .env: .env.example lists its secret, innover init generates it and the validation wants it', () => {
    const topology = topologyWith();
    const example = renderEnvExample(topology, modules);
    expect(example).toMatch(/^# Secrets of the other components: the object store's root password\nOBJECT_STORE_PASSWORD=changeme$/m);
    expect(generatedSecretKeys(topology, modules).has('OBJECT_STORE_PASSWORD')).toBe(true);
    const { text } = fillSecrets(example, generatedSecretKeys(topology, modules), () => 'a-long-random-secret-0123456789');
    expect(validateDotenv(text, topology, modules).problems).toEqual([]);
    expect(validateDotenv(text.replace(/^OBJECT_STORE_PASSWORD=.*\n/m, ''), topology, modules).problems).toEqual([
      '.env: OBJECT_STORE_PASSWORD: missing: run `innover init` or add it to .env',
    ]);
    // The default modules declare no such secret: today's .env.example is unchanged.
    expect(renderEnvExample(topology)).not.toContain('OBJECT_STORE_PASSWORD');
  });
});
