import { generatedHeader } from '../render/header.js';
import { keycloakDirectUrl, keycloakInternalUrl, keycloakManagementUrl } from '../components/keycloak.js';
import type { Topology } from '../topology/schema.js';
import { callingServices, serviceClientSecretKey } from '../topology/service-calls.js';
import type { ComponentModule } from '../components/module.js';
import { componentSecrets } from './component-secrets.js';
import { moduleSecretKeys, type EnvConfig } from './schema.js';

/** The placeholder `.env.example` holds for every secret; `innover init` replaces it. */
export const secretPlaceholder = 'changeme';

interface EnvEntry {
  key: keyof EnvConfig | (string & {});
  value: string;
  comment?: string;
}

/**
 * `.env.example`, in order, with comments. Secrets are placeholders that `innover init` replaces.
 * The endpoints follow the host ports the topology publishes, so a moved port reaches `.env`.
 */
export function envEntries(topology: Topology, modules?: readonly ComponentModule[]): EnvEntry[] {
  const { wso2 } = topology.infrastructure;
  return [
    { key: 'REDIS_PASSWORD', value: secretPlaceholder, comment: 'Secrets: innover init writes fresh random values into .env' },
    { key: 'POSTGRES_PASSWORD', value: secretPlaceholder },
    { key: 'SERVICE_DB_PASSWORD', value: secretPlaceholder, comment: "Every service's database user on the postgres engine (insecure local CockroachDB takes none)" },
    { key: 'KEYCLOAK_ADMIN_USER', value: 'admin', comment: 'Keycloak bootstrap admin' },
    { key: 'KEYCLOAK_ADMIN_PASSWORD', value: secretPlaceholder },
    { key: 'WSO2_AM_CLIENT_SECRET', value: secretPlaceholder, comment: 'Client secrets, imported into the realm' },
    { key: 'SMOKE_CLIENT_SECRET', value: secretPlaceholder },
    // One per calling service (services[].calls), in topology order: its <service>-service client.
    ...callingServices(topology).map((service, index): EnvEntry => ({
      key: serviceClientSecretKey(service.name),
      value: secretPlaceholder,
      ...(index === 0 ? { comment: 'Client secrets of the services that call others (services[].calls): client <service>-service' } : {}),
    })),
    {
      key: 'COCKROACH_LICENSE',
      value: '',
      comment: 'CockroachDB licence key (crl-0-...), applied by the bootstrap job; never generated. Empty: none, and a multi-node cluster is throttled after its grace period',
    },
    { key: 'KEYCLOAK_URL', value: keycloakDirectUrl(topology), comment: 'Endpoints as the CLI reaches them (Keycloak serves everything under /auth)' },
    { key: 'KEYCLOAK_MANAGEMENT_URL', value: keycloakManagementUrl(topology) },
    { key: 'KEYCLOAK_INTERNAL_URL', value: keycloakInternalUrl, comment: 'Keycloak as WSO2 reaches it inside the network' },
    { key: 'WSO2_URL', value: `https://localhost:${wso2.managementHostPort}` },
    { key: 'WSO2_GATEWAY_URL', value: `https://localhost:${wso2.gatewayHttpsHostPort}` },
    {
      key: 'WSO2_ADMIN_USER',
      value: 'admin',
      comment: "The WSO2 image's stock admin login, for local development only: the image does not read it from the environment",
    },
    { key: 'WSO2_ADMIN_PASSWORD', value: 'admin' },
    // What a component module declares beyond these (a new module's own password), with its description.
    ...moduleSecretEntries(topology, modules),
  ];
}

function moduleSecretEntries(topology: Topology, modules?: readonly ComponentModule[]): EnvEntry[] {
  const extra = new Set(moduleSecretKeys(topology, modules));
  return componentSecrets(topology, modules)
    .filter((entry) => extra.has(entry.key))
    .map((entry, index): EnvEntry => ({ key: entry.key, value: secretPlaceholder, comment: index === 0 ? `Secrets of the other components: ${entry.description}` : entry.description }));
}

/** The text of `.env.example`. Pure. */
export function renderEnvExample(topology: Topology, modules?: readonly ComponentModule[]): string {
  const lines = [`# ${generatedHeader}`, '# Copy with `innover init`, which fills the secrets; never commit .env.'];
  for (const entry of envEntries(topology, modules)) {
    if (entry.comment) lines.push('', `# ${entry.comment}`);
    lines.push(`${entry.key}=${entry.value}`);
  }
  return `${lines.join('\n')}\n`;
}
