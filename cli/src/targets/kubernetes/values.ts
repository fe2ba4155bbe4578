import { z } from 'zod';
import type { StackPlan, Workload } from '../../plan/types.js';
import { keycloakDirectUrl, keycloakPublicUrl } from '../../components/keycloak.js';
import { memoryMebibytes } from '../../components/shared.js';
import type { RequestFraction, Resources, Topology } from '../../topology/schema.js';

/**
 * The chart's values as a zod schema, per plan: which workloads take replicas, resources and
 * storage follows the profile. values.yaml holds its defaults; values.schema.json is generated
 * from it, so Helm refuses a misspelled or mistyped value before it renders anything.
 */

const quantity = z.string().regex(/^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti)?$/, "use a Kubernetes quantity such as '500m', '256Mi' or '10Gi'");
const resourcePair = z.strictObject({ cpu: quantity, memory: quantity });
const resources = z.strictObject({ limits: resourcePair, requests: resourcePair });
const hostName = z.string().regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/, 'use a DNS host name');

/** The workloads whose replicas values set: the services' APIs and workers. */
export function scaledWorkloads(plan: StackPlan): Workload[] {
  return plan.workloads.filter((workload) => workload.role === 'api' || workload.role === 'worker');
}

/** Ingress hosts by what they expose, for the components the profile holds. */
export function ingressHosts(plan: StackPlan): Record<string, string> {
  const has = (component: string) => plan.components.includes(component);
  return {
    ...(has('wso2') ? { gateway: 'gateway.innover.local' } : {}),
    ...(has('keycloak') ? { keycloak: 'keycloak.innover.local' } : {}),
    ...(has('jaeger') ? { jaeger: 'jaeger.innover.local' } : {}),
    ...(has('nginx') ? { nginx: 'innover.local' } : {}),
  };
}

/** The StatefulSets that claim storage, by name (numbered members such as cockroach1..3 are one set). */
export function storageSets(plan: StackPlan): string[] {
  return [...new Set(plan.workloads.filter((workload) => workload.stateful).map((workload) => statefulSetName(workload.name)))];
}

/** The Kubernetes object a workload runs as: numbered stateful members (cockroach1..3) are one StatefulSet. */
export function objectName(workload: Workload): string {
  return workload.stateful ? statefulSetName(workload.name) : workload.name;
}

/** Each Kubernetes object's first workload: where its resources come from. */
function objectWorkloads(plan: StackPlan): Workload[] {
  const seen = new Set<string>();
  return plan.workloads.filter((workload) => !seen.has(objectName(workload)) && Boolean(seen.add(objectName(workload))));
}

/** `cockroach2` → `cockroach`: numbered members of one component run as one StatefulSet. */
export function statefulSetName(name: string): string {
  return /^(.*\D)\d+$/.exec(name)?.[1] ?? name;
}

export function valuesSchema(plan: StackPlan) {
  const replicas = Object.fromEntries(
    scaledWorkloads(plan).map((workload) => [
      workload.name,
      // A queue without a worker never drains: at least one worker per service queue.
      z.number().int().min(workload.role === 'worker' ? 1 : 0).describe(`${workload.name} replicas${workload.role === 'worker' ? ' (at least 1: every queue needs a worker)' : ''}`),
    ]),
  );
  const sizes = Object.fromEntries(storageSets(plan).map((name) => [name, quantity.describe(`${name}'s volume size`)]));
  const hosts = Object.fromEntries(Object.keys(ingressHosts(plan)).map((key) => [key, hostName]));
  return z.strictObject({
    image: z
      .strictObject({
        registry: z.string().describe('registry prefix of the service images, e.g. registry.example.com/team (empty: innover/<service> as built locally)'),
        tag: z.string().min(1).describe('tag of the service images'),
        pullPolicy: z.enum(['IfNotPresent', 'Always', 'Never']),
      })
      .describe('the service images innover builds'),
    thirdPartyRegistry: z.string().describe('registry of mirrored third-party images, as images push --all pushes them (<registry>/<path without its own host>:<tag>); empty: their public names'),
    imagePullSecrets: z.array(z.strictObject({ name: z.string().min(1) })).describe('Secrets to pull images with'),
    secrets: z
      .strictObject({ existingSecret: z.string().describe('use this Secret instead of innover-secrets (innover k8s secrets creates that one from .env)') })
      .describe('where the .env secrets come from: a Secret, never a value in the chart'),
    replicas: z.strictObject(replicas),
    resources: z.strictObject(Object.fromEntries(objectWorkloads(plan).map((workload) => [objectName(workload), resources]))),
    storage: z.strictObject({
      className: z.string().describe('StorageClass of every volume (empty: the cluster default)'),
      sizes: z.strictObject(sizes),
    }),
    keycloak: z.strictObject({
      publicUrl: z.url().describe("Keycloak's public URL, under /auth: KC_HOSTNAME and the services' OIDC_ISSUER_URL derive from it, since tokens name it as issuer"),
      adminUrl: z.url().describe('where the admin console is reached (KC_HOSTNAME_ADMIN), e.g. through kubectl port-forward'),
      proxyTrustedAddresses: z.string().min(1).describe('addresses Keycloak takes X-Forwarded-* headers from (KC_PROXY_TRUSTED_ADDRESSES): the pod network of Nginx and the ingress controller'),
    }),
    nginx: z.strictObject({
      resolver: z.string().min(1).describe("the cluster's DNS service, which Nginx asks per request"),
      clusterDomain: z.string().min(1).describe('the cluster DNS domain'),
    }),
    ingress: z.strictObject({
      enabled: z.boolean(),
      className: z.string().describe('ingressClassName (empty: the cluster default)'),
      annotations: z.record(z.string(), z.string()),
      tls: z.strictObject({ secretName: z.string().describe('TLS Secret for every host (empty: plain HTTP)') }),
      hosts: z.strictObject(hosts),
    }),
  });
}

export type ChartValues = z.infer<ReturnType<typeof valuesSchema>>;

function cpuQuantity(cpus: number): string {
  return `${Math.max(1, Math.round(cpus * 1000))}m`;
}

function memoryQuantity(mebibytes: number): string {
  return `${Math.max(1, Math.round(mebibytes))}Mi`;
}

/** Limits as the plan sets them; requests the category's fraction of them (topology resources.requestFraction). */
export function kubernetesResources(limits: Resources, fraction: number): ChartValues['resources'][string] {
  const memory = memoryMebibytes(limits.memory);
  return {
    limits: { cpu: cpuQuantity(limits.cpus), memory: memoryQuantity(memory) },
    requests: { cpu: cpuQuantity(limits.cpus * fraction), memory: memoryQuantity(memory * fraction) },
  };
}

/** values.yaml: the defaults, from the plan and the topology. */
export function defaultValues(plan: StackPlan, topology: Topology): ChartValues {
  const fractions: RequestFraction = topology.resources.requestFraction;
  const sizes = Object.fromEntries(
    storageSets(plan).map((name) => {
      const volume = plan.volumes.find((candidate) => candidate.name.startsWith(name));
      return [name, volume?.sizeHint ?? '10Gi'];
    }),
  );
  return {
    image: { registry: '', tag: 'local', pullPolicy: 'IfNotPresent' },
    thirdPartyRegistry: '',
    imagePullSecrets: [],
    secrets: { existingSecret: '' },
    replicas: Object.fromEntries(scaledWorkloads(plan).map((workload) => [workload.name, 1])),
    resources: Object.fromEntries(objectWorkloads(plan).map((workload) => [objectName(workload), kubernetesResources(workload.resources, fractions[workload.category])])),
    storage: { className: '', sizes },
    keycloak: {
      publicUrl: keycloakPublicUrl(topology),
      adminUrl: keycloakDirectUrl(topology),
      proxyTrustedAddresses: '10.0.0.0/8,172.16.0.0/12,192.168.0.0/16',
    },
    nginx: { resolver: 'kube-dns.kube-system.svc.cluster.local', clusterDomain: 'cluster.local' },
    ingress: { enabled: false, className: '', annotations: {}, tls: { secretName: '' }, hosts: ingressHosts(plan) },
  };
}

/** values.schema.json, generated from the zod schema. */
export function valuesJsonSchema(plan: StackPlan, header: string): Record<string, unknown> {
  const schema = z.toJSONSchema(valuesSchema(plan), { io: 'input' }) as Record<string, unknown>;
  return { $comment: header, title: `innover chart values (profile ${plan.profile})`, ...schema };
}
