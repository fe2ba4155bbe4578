import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/command.js';
import type { KubeObject } from '../../src/clients/kubernetes-client.js';
import { createContext, withEndpoints } from '../../src/context.js';
import { chartSecretKeys } from '../../src/targets/kubernetes/chart-contract.js';
import { clusterRows } from '../../src/targets/kubernetes/cluster-status.js';
import type { Clients } from '../../src/clients/clients.js';
import { captureOutput, runCli } from '../support/run-cli.js';
import { defaultStack } from '../topology/fixtures.js';
import { testEnv } from '../commands/stack-context.js';
import { fakeKubernetes, job } from './fake-kubernetes.js';
import { scratchDirectory } from '../support/scratch.js';

const topology = defaultStack();
const root = () => scratchDirectory('innover-k8s-');
const run = (argv: string[], clients: Partial<Clients> = {}) => runCli(argv, { root: root(), topology, dotenv: testEnv, clients, env: {} });

/** Every value of `.env` that is a secret (long enough to be recognised in output). */
const secretValues = chartSecretKeys(topology)
  .map((key) => (testEnv as Record<string, string | undefined>)[key] ?? '')
  .filter((value) => value.length >= 8);

function expectNoSecret(text: string): void {
  for (const value of secretValues) {
    expect(text).not.toContain(value);
    expect(text).not.toContain(Buffer.from(value).toString('base64'));
  }
}

describe('innover k8s secrets', () => {
  it('--dry-run prints the Secret with every value masked and contacts nothing', async () => {
    // No kubernetes client in the context: asking for one would fail the run.
    const result = await run(['k8s', 'secrets', '--dry-run', '--namespace', 'shop']);
    expect(result.exitCode).toBe(0);
    const manifest = parse(result.stdout) as { kind: string; metadata: { name: string; namespace: string }; data: Record<string, string> };
    expect(manifest).toMatchObject({ kind: 'Secret', metadata: { name: 'innover-secrets', namespace: 'shop' } });
    expect(Object.keys(manifest.data)).toEqual(chartSecretKeys(topology));
    expect(Object.keys(manifest.data)).toEqual(expect.arrayContaining(['REDIS_PASSWORD', 'PAYMENT_CLIENT_SECRET', 'COCKROACH_LICENSE', 'KEYCLOAK_ADMIN_USER']));
    expect(Object.keys(manifest.data)).not.toContain('KEYCLOAK_URL');
    expect(new Set(Object.values(manifest.data))).toEqual(new Set(['********']));
    expect(result.stdout).toMatch(/# dry run: \d+ keys, values masked; nothing applied\n$/);
    expectNoSecret(result.stdout + result.stderr.join('\n'));
  });

  it('--dry-run --json holds the masked manifest only', async () => {
    const result = await run(['k8s', 'secrets', '--dry-run', '--json']);
    const data = JSON.parse(result.stdout) as { dryRun: boolean; manifest: string; keys: string[] };
    expect(data.dryRun).toBe(true);
    expect(data.manifest).toContain('REDIS_PASSWORD: "********"');
    expectNoSecret(result.stdout);
  });

  it('applies the manifest (values base64, on stdin) and creates a missing namespace; output and --json hold no value', async () => {
    const kube = fakeKubernetes({ exists: (kind) => kind !== 'namespace' });
    const result = await run(['k8s', 'secrets', '--context', 'kind-x', '--namespace', 'shop', '--json'], { kubernetes: kube });
    expect(result.exitCode).toBe(0);
    expect(kube.names()).toEqual(['exists namespace shop', 'createNamespace', 'apply']);
    const [target, manifest] = kube.calls[2]?.args as [unknown, { data: Record<string, string>; metadata: { namespace: string } }];
    expect(target).toEqual({ namespace: 'shop', context: 'kind-x' });
    expect(manifest.metadata.namespace).toBe('shop');
    expect(Buffer.from(manifest.data['REDIS_PASSWORD'] ?? '', 'base64').toString()).toBe(testEnv.REDIS_PASSWORD);
    expect(manifest.data['COCKROACH_LICENSE']).toBe(Buffer.from(testEnv.COCKROACH_LICENSE ?? '').toString('base64'));
    expect(JSON.parse(result.stdout)).toMatchObject({ name: 'innover-secrets', namespace: 'shop', dryRun: false, namespaceCreated: true, applied: 'secret/innover-secrets serverside-applied' });
    expectNoSecret(result.stdout + result.stderr.join('\n'));
  });

  it('cuts every value out of a failure kubectl reports', async () => {
    const kube = fakeKubernetes({
      apply: async () => {
        throw new UserError(`kubectl apply failed (exit 1): error: invalid value "${testEnv.REDIS_PASSWORD}" (${Buffer.from(testEnv.SMOKE_CLIENT_SECRET).toString('base64')})`);
      },
    });
    const result = await run(['k8s', 'secrets'], { kubernetes: kube });
    expect(result.exitCode).toBe(1);
    const text = result.stdout + result.stderr.join('\n');
    expect(text).toContain('kubectl apply failed (exit 1): error: invalid value "********" (********)');
    expectNoSecret(text);
  });
});

const now = new Date('2026-12-01T12:00:00Z');
// Ten and a half minutes before the run: `k8s status` reads the clock itself.
const started = new Date(Date.now() - 630_000).toISOString();
const deployment = (name: string, replicas: number, ready: number): KubeObject => ({ kind: 'Deployment', metadata: { name }, spec: { replicas }, status: { readyReplicas: ready } });
const statefulSet = (name: string, replicas: number, ready: number): KubeObject => ({ kind: 'StatefulSet', metadata: { name }, spec: { replicas }, status: { readyReplicas: ready } });
const pod = (name: string, owner: { kind: string; name: string }, options: { ready?: boolean; restarts?: number; waiting?: string; hash?: string; phase?: string } = {}): KubeObject => ({
  kind: 'Pod',
  metadata: { name, ownerReferences: [owner], ...(options.hash ? { labels: { 'pod-template-hash': options.hash } } : {}) },
  status: {
    phase: options.phase ?? 'Running',
    startTime: started,
    containerStatuses: [{ ready: options.ready ?? true, restartCount: options.restarts ?? 0, state: options.waiting ? { waiting: { reason: options.waiting } } : { running: {} } }],
  },
});

const healthy: KubeObject[] = [
  deployment('payment', 2, 2),
  pod('payment-7c9d-abcde', { kind: 'ReplicaSet', name: 'payment-7c9d' }, { hash: '7c9d' }),
  pod('payment-7c9d-fghij', { kind: 'ReplicaSet', name: 'payment-7c9d' }, { hash: '7c9d', restarts: 1 }),
  statefulSet('cockroach', 3, 3),
  pod('cockroach-0', { kind: 'StatefulSet', name: 'cockroach' }, { restarts: 2 }),
  job('cockroach-init', 'complete'),
  pod('cockroach-init-x1', { kind: 'Job', name: 'cockroach-init' }, { phase: 'Succeeded', ready: false }),
];

describe('innover k8s status', () => {
  it('shows the health table per workload (ready, health, restarts) and exits 0 when all are ready', async () => {
    const kube = fakeKubernetes({ workloads: healthy });
    const result = await run(['k8s', 'status', '--namespace', 'shop'], { kubernetes: kube });
    expect(result.exitCode).toBe(0);
    expect(kube.calls[0]).toEqual({ method: 'list', args: [{ namespace: 'shop' }, ['deployments', 'statefulsets', 'jobs', 'pods'], 'app.kubernetes.io/instance=innover'] });
    const lines = result.stdout.trimEnd().split('\n').map((line) => line.split(/\s{2,}/));
    expect(lines).toEqual([
      ['CONTAINER', 'STATE', 'HEALTH', 'RESTARTS', 'UPTIME'],
      ['payment', 'running 2/2', 'healthy', '1', '10m'],
      ['cockroach', 'running 3/3', 'healthy', '2', '10m'],
      ['cockroach-init', 'completed', 'completed', '0', '10m'],
    ]);
  });

  it('exits 1 naming a failed Job and a crash-looping pod, each with the kubectl command that shows why', async () => {
    const objects = [
      deployment('payment', 1, 0),
      pod('payment-7c9d-abcde', { kind: 'ReplicaSet', name: 'payment-7c9d' }, { hash: '7c9d', ready: false, restarts: 5, waiting: 'CrashLoopBackOff' }),
      job('cockroach-bootstrap', 'failed'),
      deployment('wallet', 1, 0),
    ];
    const result = await run(['k8s', 'status', '--namespace', 'shop', '--json'], { kubernetes: fakeKubernetes({ workloads: objects }) });
    expect(result.exitCode).toBe(1);
    const status = JSON.parse(result.stdout) as { healthy: boolean; containers: Array<{ name: string; health: string; restarts: number; problem?: string }> };
    expect(status.healthy).toBe(false);
    expect(status.containers.map((row) => [row.name, row.health, row.restarts, row.problem])).toEqual([
      ['payment', 'unhealthy', 5, 'pod payment-7c9d-abcde is in CrashLoopBackOff: see kubectl describe pod payment-7c9d-abcde -n shop'],
      ['wallet', 'starting', 0, 'has 0 of 1 replicas ready'],
      ['cockroach-bootstrap', 'failed', 0, expect.stringMatching(/^failed \(.*\): see kubectl logs job\/cockroach-bootstrap -n shop$/)],
    ]);
  });

  it('says how to deploy when the release has no workloads, and exits 1', async () => {
    const result = await run(['k8s', 'status'], { kubernetes: fakeKubernetes({ workloads: [] }) });
    expect(result.exitCode).toBe(1);
    expect(result.stdout.trim()).toBe('no workloads of release innover in namespace innover: run innover k8s deploy --namespace innover');
  });

  it('gives a pod without a listed owner a row of its own', () => {
    const rows = clusterRows([pod('debug', { kind: 'Node', name: 'n1' }, { ready: false, phase: 'Pending' })], 'shop', now);
    expect(rows).toMatchObject([{ name: 'debug', role: 'Pod', state: 'pending', health: 'starting', ready: false, problem: 'is pending' }]);
  });
});

describe('withEndpoints', () => {
  it('answers the replaced .env values and keeps the rest, and a test context keeps its fakes', async () => {
    const kube = fakeKubernetes();
    const ctx = createContext({ root: root(), out: captureOutput(), topology, dotenv: testEnv, clients: { kubernetes: kube }, env: {} });
    const scoped = await withEndpoints(ctx, { KEYCLOAK_URL: 'http://127.0.0.1:40001/auth', WSO2_URL: 'https://127.0.0.1:40003' });
    const env = await scoped.dotenv();
    expect(env.KEYCLOAK_URL).toBe('http://127.0.0.1:40001/auth');
    expect(env.WSO2_URL).toBe('https://127.0.0.1:40003');
    expect(env.REDIS_PASSWORD).toBe(testEnv.REDIS_PASSWORD);
    expect(await scoped.client('kubernetes')).toBe(kube);
    expect((await ctx.dotenv()).KEYCLOAK_URL).toBe(testEnv.KEYCLOAK_URL);
  });
});

describe('the Secret k8s secrets applies', () => {
  it('is a valid v1 Secret, and holds every key the committed chart reads from it', async () => {
    const { Secret } = await import('kubernetes-models/v1');
    const { readdirSync, readFileSync } = await import('node:fs');
    const { secretManifest } = await import('../../src/targets/kubernetes/secrets.js');
    const manifest = secretManifest('innover-secrets', 'shop', testEnv, chartSecretKeys(topology));
    expect(() => new Secret(manifest).validate()).not.toThrow();
    const templates = new URL('../../../deploy/helm/innover/templates/', import.meta.url);
    const referenced = new Set<string>();
    for (const file of readdirSync(templates)) {
      const text = readFileSync(new URL(file, templates), 'utf8');
      for (const match of text.matchAll(/secretKeyRef:\s*\n\s*name: \{\{ include "innover\.secretName" \. \}\}\s*\n\s*key: ([A-Z0-9_]+)/g)) referenced.add(match[1] ?? '');
    }
    expect(referenced.size).toBeGreaterThan(0);
    expect(Object.keys(manifest.data)).toEqual(expect.arrayContaining([...referenced]));
  });
});
