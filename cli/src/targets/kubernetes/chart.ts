import { stringify } from 'yaml';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1';
import type { IIngressRule } from 'kubernetes-models/networking.k8s.io/v1';
import type { StackPlan } from '../../plan/types.js';
import { renderConfigFile } from '../../render/config-files.js';
import { chartHeaderText, generatedHeader } from '../../render/header.js';
import { defaultModules } from '../../components/index.js';
import { keycloakDirectUrl, keycloakPublicUrl } from '../../components/keycloak.js';
import type { ComponentModule } from '../../components/module.js';
import { planStack } from '../../plan/plan-stack.js';
import type { Topology } from '../../topology/schema.js';
import { helmBlock, helmValue, stringifyTemplate } from './helm-template.js';
import { chartFileContent, renderManifests, type ConfigContents, type KubernetesInput } from './manifests.js';
import { chartName, defaultSecretName, nameLabel, partOfLabel } from './names.js';
import { defaultValues, valuesJsonSchema } from './values.js';

/** A file of the chart, relative to the chart's folder. */
export interface ChartFile {
  path: string;
  content: string;
}

const hashHeader = `# ${chartHeaderText}\n`;

/**
 * Nginx's config for the cluster: the cluster's DNS instead of Docker's, each upstream by its
 * full Service name (Nginx's resolver does not search the namespace), and an unprivileged port,
 * since the pod runs as the image's `nginx` user. Template text: the chart renders it with `tpl`.
 */
export function kubernetesNginxConfig(config: string): string {
  return config
    .replace(/^resolver \S+ /m, 'resolver {{ .Values.nginx.resolver }} ')
    .replace(/^(\s*)listen 80 /m, '$1listen 8080 ')
    .replace(/set (\$\w+) ([a-z][a-z0-9-]*):(\d+);/g, 'set $1 $2.{{ .Release.Namespace }}.svc.{{ .Values.nginx.clusterDomain }}:$3;');
}

/** Each config file's content, by the plan's file id, from the same renderers as Compose's files. */
export function configContents(topology: Topology, plan: StackPlan): ConfigContents {
  return Object.fromEntries(
    plan.files.map((file) => {
      const content = renderConfigFile(topology, plan, file).replace(generatedHeader, chartHeaderText);
      // The chart's copies say which command writes them; Nginx's asks the cluster's DNS.
      return [file.id, file.id === 'nginx' ? kubernetesNginxConfig(content) : content];
    }),
  );
}

const helpers = `{{/* ${chartHeaderText} */}}
{{/* An image under a registry prefix, when one is set. */}}
{{- define "innover.image" -}}
{{- if .registry -}}{{ printf "%s/%s" (trimSuffix "/" .registry) (default .image .mirrored) }}{{- else -}}{{ .image }}{{- end -}}
{{- end -}}

{{/* The Secret holding .env's secrets: innover k8s secrets creates ${defaultSecretName}; values may name another. */}}
{{- define "innover.secretName" -}}
{{- default "${defaultSecretName}" .Values.secrets.existingSecret -}}
{{- end -}}
`;

/** What each ingress host exposes: a workload of the plan by component, and its port. */
const ingressBackends: readonly { host: string; component: string; purpose: string; path: string }[] = [
  { host: 'gateway', component: 'wso2', purpose: 'gateway HTTP', path: '/' },
  { host: 'keycloak', component: 'keycloak', purpose: 'HTTP', path: '/auth' },
  { host: 'jaeger', component: 'jaeger', purpose: 'UI and query API', path: '/' },
  { host: 'nginx', component: 'nginx', purpose: 'HTTP', path: '/' },
];

function ingress(plan: StackPlan): string {
  const rules: IIngressRule[] = [];
  for (const backend of ingressBackends) {
    const workload = plan.workloads.find((candidate) => candidate.component === backend.component && candidate.ports.some((port) => port.purpose === backend.purpose));
    const port = workload?.ports.find((candidate) => candidate.purpose === backend.purpose);
    if (!workload || !port) continue;
    rules.push({
      host: helmValue(`.Values.ingress.hosts.${backend.host} | quote`),
      http: { paths: [{ path: backend.path, pathType: 'Prefix', backend: { service: { name: workload.name, port: { number: port.container } } } }] },
    });
  }
  const object = new Ingress({
    metadata: {
      name: chartName,
      namespace: helmValue('.Release.Namespace'),
      labels: { [nameLabel]: chartName, 'app.kubernetes.io/instance': helmValue('.Release.Name'), [partOfLabel]: 'innover', 'app.kubernetes.io/managed-by': helmValue('.Release.Service') },
      annotations: helmBlock('.Values.ingress.annotations'),
    },
    spec: {
      ingressClassName: helmValue('if .Values.ingress.className }}{{ .Values.ingress.className | quote }}{{ else }}null{{ end'),
      tls: helmBlock('ternary (list (dict "secretName" .Values.ingress.tls.secretName "hosts" (values .Values.ingress.hosts | sortAlpha))) (list) (ne .Values.ingress.tls.secretName "")'),
      rules,
    },
  });
  return `${hashHeader}{{- if .Values.ingress.enabled }}\n${stringifyTemplate([object.toJSON()])}{{- end }}\n`;
}

/** The chart of one plan, as files. Pure. */
export function renderChartFiles(input: KubernetesInput, topology: Topology, version: string): ChartFile[] {
  const { plan } = input;
  const manifests = renderManifests(input);
  const values = defaultValues(plan, topology);
  const chart = {
    apiVersion: 'v2',
    name: chartName,
    description: `innover's payments platform, profile ${plan.profile}: rendered from innover.yaml by innover k8s render`,
    type: 'application',
    version,
    appVersion: version,
  };
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  return [
    { path: 'Chart.yaml', content: `${hashHeader}${stringify(chart)}` },
    { path: 'values.yaml', content: `${hashHeader}${stringify(values, { lineWidth: 0 })}` },
    { path: 'values.schema.json', content: json(valuesJsonSchema(plan, chartHeaderText)) },
    { path: 'templates/_helpers.tpl', content: helpers },
    ...manifests.templates
      .filter((template) => template.documents.length > 0)
      .map((template) => ({
        path: `templates/${template.name}.yaml`,
        content: `${hashHeader}${stringifyTemplate(template.documents.map((document) => (document as { toJSON(): unknown }).toJSON()))}`,
      })),
    { path: 'templates/ingress.yaml', content: ingress(plan) },
    ...manifests.files.map((file) => ({ path: file.path, content: chartFileContent(input, file.fileId) })),
  ];
}

/** The plan and what the target needs of the topology, for one profile. */
export function kubernetesInput(topology: Topology, profileName: string, modules: readonly ComponentModule[] = defaultModules): KubernetesInput {
  const plan = planStack(topology, profileName, modules);
  return {
    plan,
    contents: configContents(topology, plan),
    keycloakPublicUrl: keycloakPublicUrl(topology),
    valueLiterals: {
      [keycloakDirectUrl(topology)]: '.Values.keycloak.adminUrl | quote',
      ...(plan.network ? { [plan.network.fixedAddress]: '.Values.keycloak.proxyTrustedAddresses | quote' } : {}),
    },
  };
}
