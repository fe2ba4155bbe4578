import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/command.js';
import { KeycloakUnreachableError, type KeycloakClient } from '../../src/clients/keycloak-client.js';
import type { Wso2Client } from '../../src/clients/wso2-client.js';
import { clusterEndpoints, deployToCluster, type ClusterEndpoints, type DeployInput } from '../../src/targets/kubernetes/deploy.js';
import { runCli, strictFake } from '../support/run-cli.js';
import { defaultStack } from '../topology/fixtures.js';
import { testEnv } from '../commands/stack-context.js';
import { fakeKubernetes, job, service, type FakeKubeScript } from './fake-kubernetes.js';
import { scratchDirectory } from '../support/scratch.js';

const services = [service('keycloak', 8080), service('wso2am', 9443), service('payment', 8000), service('nginx', 80), service('jaeger', 16686)];

function deployInput(script: FakeKubeScript, overrides: Partial<DeployInput> = {}) {
  const kube = fakeKubernetes({ services, ...script });
  const steps: string[] = [];
  const seen: ClusterEndpoints[] = [];
  const progress: string[] = [];
  const input: DeployInput = {
    kube,
    target: { namespace: 'shop', context: 'kind-innover' },
    release: { name: 'innover', chart: '/repo/deploy/helm/innover', valuesFiles: [], timeoutSeconds: 60 },
    secretName: 'innover-secrets',
    serviceNames: ['payment', 'wallet'],
    localPorts: { keycloak: 8080, wso2am: 8243, jaeger: 16686, nginx: 80 },
    progress: (line) => void progress.push(line),
    signal: new AbortController().signal,
    pollMilliseconds: 1,
    configureKeycloak: async (endpoints) => {
      steps.push('configure');
      seen.push(endpoints);
    },
    publishApis: async (endpoints) => {
      steps.push('publish');
      seen.push(endpoints);
    },
    ...overrides,
  };
  return { kube, input, steps, seen, progress };
}

describe('k8s deploy (recorded calls)', () => {
  it('checks the Secret, installs, waits for the Jobs, configures and publishes through port-forwards, stops them, prints the URLs', async () => {
    const { kube, input, steps, seen } = deployInput({ jobs: [[job('cockroach-init', 'running'), job('cockroach-bootstrap', 'running')], [job('cockroach-init', 'complete'), job('cockroach-bootstrap', 'complete')]] });
    const result = await deployToCluster(input);
    expect(kube.names()).toEqual([
      'exists secret innover-secrets',
      'list jobs',
      'upgradeInstall',
      'list jobs',
      'list jobs',
      'list services',
      'releaseValues',
      'portForward svc/keycloak',
      'portForward svc/wso2am',
      'stop svc/keycloak',
      'stop svc/wso2am',
    ]);
    expect(steps).toEqual(['configure', 'publish']);
    const release = kube.calls.find((call) => call.method === 'upgradeInstall')?.args[1];
    expect(release).toEqual(input.release);
    expect(kube.calls.filter((call) => call.method === 'list').map((call) => call.args[2])).toEqual([
      'app.kubernetes.io/instance=innover,innover.dev/job=true',
      'app.kubernetes.io/instance=innover,innover.dev/job=true',
      'app.kubernetes.io/instance=innover,innover.dev/job=true',
      'app.kubernetes.io/instance=innover',
    ]);
    // configure and publish reach the forwarded local ports; WSO2 reaches Keycloak by its Service.
    expect(seen[0]).toEqual({
      KEYCLOAK_URL: 'http://127.0.0.1:40001/auth',
      KEYCLOAK_MANAGEMENT_URL: 'http://127.0.0.1:40002/auth',
      KEYCLOAK_INTERNAL_URL: 'http://keycloak:8080/auth',
      WSO2_URL: 'https://127.0.0.1:40003',
      WSO2_GATEWAY_URL: 'https://127.0.0.1:40004',
    });
    expect(seen[1]).toEqual(seen[0]);
    expect(result).toMatchObject({
      release: 'innover',
      namespace: 'shop',
      context: 'kind-innover',
      jobs: [{ name: 'cockroach-bootstrap', outcome: 'complete' }, { name: 'cockroach-init', outcome: 'complete' }],
      keycloakConfigured: true,
      apisPublished: true,
      endpoints: 'port-forward',
    });
    expect(result.urls.map((url) => [url.name, url.url, url.command])).toEqual([
      ['WSO2 gateway (HTTPS)', 'https://localhost:8243', 'kubectl port-forward --context kind-innover -n shop svc/wso2am 8243:8243'],
      ['Keycloak', 'http://localhost:8080/auth/', 'kubectl port-forward --context kind-innover -n shop svc/keycloak 8080:8080'],
      ['Jaeger UI', 'http://localhost:16686', 'kubectl port-forward --context kind-innover -n shop svc/jaeger 16686:16686'],
      ['Nginx', 'http://localhost:10080', 'kubectl port-forward --context kind-innover -n shop svc/nginx 10080:80'],
    ]);
  });

  it('stops at a failed Job with one line naming it and kubectl logs; configures nothing', async () => {
    const { kube, input, steps } = deployInput({ jobs: [[job('cockroach-init', 'complete'), job('cockroach-bootstrap', 'failed')]] });
    const error = await deployToCluster(input).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    const problems = (error as UserError).problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^Job cockroach-bootstrap failed \(Job has reached the specified backoff limit.*\): see why with kubectl logs job\/cockroach-bootstrap -n shop/);
    expect(kube.names()).toEqual(['exists secret innover-secrets', 'list jobs', 'upgradeInstall', 'list jobs']);
    expect(steps).toEqual([]);
  });

  it('stops helm when a Job fails while helm still waits, instead of waiting out the timeout', async () => {
    let helmAborted = false;
    const { kube, input } = deployInput({
      jobs: [[job('cockroach-init', 'running')], [job('cockroach-init', 'failed')]],
      // helm --wait that never finishes by itself (the Deployments wait for the failed Job).
      upgradeInstall: (_target, _release, options) =>
        new Promise((_resolve, reject) => {
          options.signal?.addEventListener('abort', () => {
            helmAborted = true;
            reject(new UserError('helm upgrade --install innover was interrupted', { exitCode: 130 }));
          });
        }),
    });
    const error = (await deployToCluster(input).catch((caught: unknown) => caught)) as UserError;
    expect(helmAborted).toBe(true);
    expect(error.problems).toEqual([expect.stringMatching(/^Job cockroach-init failed .*kubectl logs job\/cockroach-init -n shop/)]);
    expect(kube.names()).toEqual(['exists secret innover-secrets', 'list jobs', 'upgradeInstall', 'list jobs', 'list jobs']);
  });

  it('waits for this revision\'s Jobs only: a failed Job of an earlier revision does not count', async () => {
    const { input, steps } = deployInput({
      jobsBefore: [job('cockroach-bootstrap-r1', 'failed')],
      jobs: [[job('cockroach-bootstrap-r1', 'failed'), job('cockroach-bootstrap-r2', 'running')], [job('cockroach-bootstrap-r2', 'complete')]],
    });
    const result = await deployToCluster(input);
    expect(result.jobs).toEqual([{ name: 'cockroach-bootstrap-r2', outcome: 'complete' }]);
    expect(steps).toEqual(['configure', 'publish']);
  });

  it('refuses to install without the Secret, naming k8s secrets and existingSecret', async () => {
    const { kube, input } = deployInput({ exists: () => false });
    const error = (await deployToCluster(input).catch((caught: unknown) => caught)) as UserError;
    expect(error.problems).toEqual([
      'Secret innover-secrets is missing in namespace shop: run innover k8s secrets --namespace shop --context kind-innover, or name an existing Secret in values (secrets.existingSecret)',
    ]);
    expect(kube.names()).toEqual(['exists secret innover-secrets']);
  });

  it('fails on Jobs still running at the deadline, naming them', async () => {
    const { input } = deployInput({ jobs: [[job('redpanda-topics', 'running')]] }, {});
    input.release = { ...input.release, timeoutSeconds: 0 };
    const error = (await deployToCluster(input).catch((caught: unknown) => caught)) as UserError;
    expect(error.problems[0]).toMatch(/^Job redpanda-topics not complete after 0 s: see kubectl logs job\/redpanda-topics -n shop/);
  });

  it('stops the port-forwards when configure-keycloak fails', async () => {
    const { kube, input } = deployInput(
      { jobs: [[job('cockroach-init', 'complete')]] },
      {
        configureKeycloak: async () => {
          throw new UserError('Keycloak refused the admin login (401)');
        },
      },
    );
    await expect(deployToCluster(input)).rejects.toThrow('Keycloak refused the admin login (401)');
    expect(kube.names().slice(-2)).toEqual(['stop svc/keycloak', 'stop svc/wso2am']);
  });

  it('reports the Ingress hosts the values enable (gateway, URLs), and still configures through port-forwards', async () => {
    const values = { ingress: { enabled: true, hosts: { keycloak: 'id.shop.test', gateway: 'api.shop.test', jaeger: 'traces.shop.test' }, tls: { secretName: 'shop-tls' } } };
    const { input, seen } = deployInput({ jobs: [[]], values });
    const result = await deployToCluster(input);
    expect(seen[0]).toMatchObject({ KEYCLOAK_URL: 'http://127.0.0.1:40001/auth', WSO2_GATEWAY_URL: 'https://api.shop.test', WSO2_URL: 'https://127.0.0.1:40003' });
    expect(result.endpoints).toBe('port-forward');
    expect(result.urls.filter((url) => url.via === 'ingress').map((url) => url.url)).toEqual(['https://api.shop.test', 'https://id.shop.test/auth/', 'https://traces.shop.test']);
    expect(result.urls.find((url) => url.name === 'Nginx')?.via).toBe('port-forward');
  });

  it('skips configure and publish when the release has no Keycloak or WSO2 (lite)', async () => {
    const { kube, input, steps } = deployInput({ services: [service('payment', 8000)], jobs: [[job('postgres-init', 'complete')]] });
    const result = await deployToCluster(input);
    expect(steps).toEqual([]);
    expect(kube.names()).not.toContain('portForward svc/keycloak');
    expect(result).toMatchObject({ keycloakConfigured: false, apisPublished: false, endpoints: 'none', urls: [] });
  });

  it('reports a plain http gateway without TLS on the Ingress', () => {
    const endpoints = clusterEndpoints({ keycloak: new Map([[8080, 1], [9000, 2]]), wso2: new Map([[9443, 3], [8243, 4]]) }, { enabled: true, hosts: { gateway: 'api.local' }, tls: false }, 'innover-keycloak');
    expect(endpoints).toEqual({
      KEYCLOAK_URL: 'http://127.0.0.1:1/auth',
      KEYCLOAK_MANAGEMENT_URL: 'http://127.0.0.1:2/auth',
      KEYCLOAK_INTERNAL_URL: 'http://innover-keycloak:8080/auth',
      WSO2_URL: 'https://127.0.0.1:3',
      WSO2_GATEWAY_URL: 'http://api.local',
    });
  });
});

/** A project root with a chart folder (Chart.yaml only: helm is faked). */
function chartRoot(): string {
  const root = scratchDirectory('innover-k8s-');
  mkdirSync(join(root, 'deploy/helm/innover'), { recursive: true });
  writeFileSync(join(root, 'deploy/helm/innover/Chart.yaml'), 'apiVersion: v2\nname: innover\nversion: 0.1.0\n');
  return root;
}

describe('innover k8s deploy (the command)', () => {
  const topology = defaultStack();

  it('passes context, namespace, release, timeout and values to helm; a failed Job exits 1 with one line', async () => {
    const root = chartRoot();
    writeFileSync(join(root, 'prod.yaml'), 'secrets:\n  existingSecret: shop-env\n');
    const kube = fakeKubernetes({ jobs: [[job('cockroach-bootstrap', 'failed')]] });
    const run = await runCli(['k8s', 'deploy', '--context', 'prod', '--namespace', 'shop', '--release', 'pay', '--timeout', '120', '--values', 'prod.yaml'], {
      root,
      topology,
      dotenv: testEnv,
      clients: { kubernetes: kube },
      env: {},
    });
    expect(run.exitCode).toBe(1);
    expect(kube.calls[0]).toEqual({ method: 'exists', args: [{ namespace: 'shop', context: 'prod' }, 'secret', 'shop-env'] });
    expect(kube.calls[2]?.args[1]).toEqual({ name: 'pay', chart: join(root, 'deploy/helm/innover'), valuesFiles: [join(root, 'prod.yaml')], timeoutSeconds: 120 });
    expect(run.stderr.filter((line) => line.startsWith('innover:') || /error/i.test(line))).toEqual([
      expect.stringMatching(/Job cockroach-bootstrap failed .*kubectl logs job\/cockroach-bootstrap -n shop/),
    ]);
  });

  it('names k8s render when the chart is missing', async () => {
    const run = await runCli(['k8s', 'deploy', '--json'], { root: scratchDirectory('innover-k8s-'), topology, dotenv: testEnv, clients: {}, env: {} });
    expect(run.exitCode).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual({ error: { problems: ['deploy/helm/innover/Chart.yaml is missing: run innover k8s render'], exitCode: 1 } });
  });

  it('prints the URLs and a --json result without any secret', async () => {
    const root = chartRoot();
    const kube = fakeKubernetes({ jobs: [[job('cockroach-init', 'complete')]], services: [service('payment', 8000), service('nginx', 80)] });
    const run = await runCli(['k8s', 'deploy', '--json'], { root, topology, dotenv: testEnv, clients: { kubernetes: kube }, env: {} });
    expect(run.exitCode).toBe(0);
    const result = JSON.parse(run.stdout) as { namespace: string; urls: Array<{ url: string }> };
    expect(result.namespace).toBe('innover');
    expect(result.urls.map((url) => url.url)).toEqual(['http://localhost:10080']);
    const everything = run.stdout + run.stderr.join('\n');
    for (const [key, value] of Object.entries(testEnv)) if (/SECRET|PASSWORD|LICENSE/.test(key) && value && value.length > 5) expect(everything).not.toContain(value);
  });

  it('runs configure-keycloak on the forwarded endpoints (its errors name them) and stops the forwards', async () => {
    const root = chartRoot();
    const kube = fakeKubernetes({ jobs: [[job('cockroach-init-r1', 'complete')]], services });
    const keycloak = strictFake<KeycloakClient>('keycloak', {
      isReady: async () => true,
      realmExists: async () => {
        throw new KeycloakUnreachableError('http://127.0.0.1:40001/auth', 'connection refused');
      },
    });
    const wso2 = strictFake<Wso2Client>('wso2', { request: async () => ({ status: 200, data: {}, headers: {} }) });
    const run = await runCli(['k8s', 'deploy', '--namespace', 'shop'], { root, topology, dotenv: testEnv, clients: { kubernetes: kube, keycloak, wso2 }, env: {} });
    expect(run.exitCode).toBe(1);
    // The use case's Compose fix (`innover up`) is said the cluster's way.
    expect(run.stderr.at(-1)).toBe('innover: Keycloak is unreachable at http://127.0.0.1:40001/auth: check innover k8s status --namespace shop, then rerun innover k8s deploy');
    expect(kube.names().slice(-2)).toEqual(['stop svc/keycloak', 'stop svc/wso2am']);
  });
});
