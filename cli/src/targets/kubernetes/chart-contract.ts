/**
 * What `k8s secrets`, `k8s deploy` and `k8s status` assume about the rendered chart, in one place:
 * the release and chart path, the Secret's name and keys (from names.ts, which the chart renderer
 * writes them from), the labels, the Services innover talks to, and the values it reads back.
 */
import { committedChartPath, defaultReleaseName, defaultSecretName as chartSecretName, existingSecretValuesPath, jobLabel, secretKeyNames } from './names.js';

/** The Helm release `k8s deploy` installs, unless `--release` says otherwise. */
export const defaultRelease = defaultReleaseName;

/** The namespace used when `--namespace` is not given. */
export const defaultNamespace = 'innover';

/** The committed chart of the default profile, relative to the project root. */
export const chartPath = committedChartPath;

/** The Secret the chart's pods read `.env` values from, unless values name an existing one. */
export const defaultSecretName = chartSecretName;

/** Where values name an existing Secret to use instead (`secrets.existingSecret: my-secret`). */
export const existingSecretValuePath = existingSecretValuesPath.split('.');

/** The `.env` keys the Secret holds (the chart's list). */
export const chartSecretKeys = secretKeyNames;

/** The label selector of every object of a release (Helm's standard instance label). */
export function releaseSelector(release: string): string {
  return `app.kubernetes.io/instance=${release}`;
}

/** The init and bootstrap Jobs of a release (named `<job>-r<revision>`). */
export function releaseJobSelector(release: string): string {
  return `${releaseSelector(release)},${jobLabel}=true`;
}

/** The Services deploy reaches, by the plan's container name, with the ports it forwards. */
export const clusterServices = {
  keycloak: { service: 'keycloak', http: 8080, management: 9000 },
  wso2: { service: 'wso2am', management: 9443, gatewayHttps: 8243 },
} as const;

/** Keycloak serves everything under this path (KC_HTTP_RELATIVE_PATH), as in Compose. */
export const keycloakRelativePath = '/auth';

/** The parts an Ingress may expose, with the plan's container name behind each. */
export const ingressParts = [
  { part: 'gateway', container: 'wso2am', name: 'WSO2 gateway (HTTPS)' },
  { part: 'keycloak', container: 'keycloak', name: 'Keycloak' },
  { part: 'jaeger', container: 'jaeger', name: 'Jaeger UI' },
  { part: 'nginx', container: 'nginx', name: 'Nginx' },
] as const;

export type IngressPart = (typeof ingressParts)[number]['part'];

/** The Ingress as values describe it: `ingress.enabled`, `ingress.hosts.<part>`, `ingress.tls.secretName`. */
export interface IngressValues {
  enabled: boolean;
  hosts: Partial<Record<IngressPart, string>>;
  tls: boolean;
}

/** Reads the Ingress settings out of a release's values (as `helm get values --all` answers them). */
export function ingressFromValues(values: Record<string, unknown>): IngressValues {
  const ingress = record(values['ingress']);
  const hosts = record(ingress['hosts']);
  const tls = record(ingress['tls']);
  const found: Partial<Record<IngressPart, string>> = {};
  for (const { part } of ingressParts) {
    const host = hosts[part];
    if (typeof host === 'string' && host) found[part] = host;
  }
  return { enabled: ingress['enabled'] === true, hosts: found, tls: typeof tls['secretName'] === 'string' && tls['secretName'] !== '' };
}

/** The existing Secret values name, if any. */
export function existingSecretFromValues(values: Record<string, unknown>): string | undefined {
  let current: unknown = values;
  for (const key of existingSecretValuePath) current = record(current)[key];
  return typeof current === 'string' && current ? current : undefined;
}

function record(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
