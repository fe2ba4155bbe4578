import { z } from 'zod';
import { fixedAddressNetwork } from '../plan/network.js';
import { sharedFilePaths } from '../plan/files.js';
import type { Text } from '../plan/types.js';
import { infra, name, port } from '../topology/schema-parts.js';
import type { Topology } from '../topology/schema.js';
import { serviceClientId, serviceClientSecretKey, serviceClientSecretKeys } from '../topology/service-calls.js';
import type { ComponentModule, SchemaSlice } from './module.js';
import { nginxPublicUrl } from './nginx-url.js';
import { hardened, probe, secret } from './shared.js';

const keycloakHttpPort = 8080;
const keycloakManagementPort = 9000;
/** The audience services expect in access tokens; every realm client's audience mapper adds it. */
export const apiAudience = 'innover-api';
/** Keycloak serves everything, its management interface too, under this path (KC_HTTP_RELATIVE_PATH). */
export const keycloakRelativePath = '/auth';
/** Keycloak as containers (WSO2, the services) reach it inside the network. */
export const keycloakInternalUrl = `http://keycloak:${keycloakHttpPort}${keycloakRelativePath}`;

export const keycloakSlice = {
  section: 'infrastructure',
  key: 'keycloak',
  schema: infra({
    realm: name.default('innover'),
    hostPort: port.default(8080),
    managementHostPort: port.default(9000),
    /** The fixed public URL, so every token carries one issuer wherever it was obtained. */
    hostname: z
      .url()
      .optional()
      .describe("Keycloak's fixed public URL, the issuer of every token (default http://localhost/auth: Keycloak under /auth through Nginx on infrastructure.nginx.hostPort)"),
  }),
  defaults: { image: 'quay.io/keycloak/keycloak:26.6.0', resources: { cpus: 1, memory: '1g' } },
} satisfies SchemaSlice;

/**
 * Keycloak's fixed public URL (KC_HOSTNAME), the base of every token's issuer: the topology's
 * `hostname`, else `/auth` through Nginx on the host port it publishes, so a moved port does not
 * leave tokens naming an issuer nothing listens on.
 */
export function keycloakPublicUrl(topology: Topology): string {
  const { hostname } = topology.infrastructure.keycloak;
  return (hostname ?? `${nginxPublicUrl(topology)}${keycloakRelativePath}`).replace(/\/+$/, '');
}

/**
 * Keycloak straight on its published port, under /auth: how the CLI reaches it (KEYCLOAK_URL),
 * and the admin console's URL (KC_HOSTNAME_ADMIN).
 */
export function keycloakDirectUrl(topology: Topology): string {
  return `http://localhost:${topology.infrastructure.keycloak.hostPort}${keycloakRelativePath}`;
}

/** Keycloak's management interface (health, metrics) from the host: under /auth as well. */
export function keycloakManagementUrl(topology: Topology): string {
  return `http://localhost:${topology.infrastructure.keycloak.managementHostPort}${keycloakRelativePath}`;
}

/** Keycloak: the realm's OIDC provider, behind Nginx under /auth. */
export const keycloak: ComponentModule = {
  name: 'keycloak',
  component: 'keycloak',
  slice: keycloakSlice,
  reservedNames: ['keycloak'],
  hostPorts: (topology) => [
    ['infrastructure.keycloak.hostPort', topology.infrastructure.keycloak.hostPort],
    ['infrastructure.keycloak.managementHostPort', topology.infrastructure.keycloak.managementHostPort],
  ],
  profileProblems: (components) =>
    components.includes('keycloak') && !components.includes('nginx')
      ? ["'keycloak' needs 'nginx' (Keycloak's public URL is /auth through Nginx): add nginx"]
      : [],
  provides: ({ topology }) => {
    const { realm } = topology.infrastructure.keycloak;
    return {
      // Keycloak trusts proxy headers from Nginx alone, so Nginx gets a fixed address.
      network: fixedAddressNetwork(topology.network.subnet),
      serviceEnvironment: (): Record<string, Text> => ({
        // The issuer every token names; the keys come straight from Keycloak inside the network.
        OIDC_ISSUER_URL: `${keycloakPublicUrl(topology)}/realms/${realm}`,
        OIDC_JWKS_URL: `${keycloakInternalUrl}/realms/${realm}/protocol/openid-connect/certs`,
        OIDC_AUDIENCE: apiAudience,
      }),
      // A calling service's client-credentials settings (services[].calls).
      callerEnvironment: (service): Record<string, Text> => ({
        OIDC_TOKEN_URL: `${keycloakInternalUrl}/realms/${realm}/protocol/openid-connect/token`,
        OIDC_CLIENT_ID: serviceClientId(service.name),
        OIDC_CLIENT_SECRET: secret(serviceClientSecretKey(service.name)),
      }),
    };
  },
  plan({ topology, network }) {
    const settings = topology.infrastructure.keycloak;
    const direct = keycloakDirectUrl(topology);
    const callerSecrets = serviceClientSecretKeys(topology);
    return {
      workloads: [
        {
          name: 'keycloak',
          lifecycle: 'long-running',
          role: 'infrastructure',
          component: 'keycloak',
          image: settings.image,
          imageTools: ['bash'],
          category: 'support',
          override: settings.resources,
          ports: [
            { host: settings.hostPort, container: keycloakHttpPort, purpose: 'HTTP' },
            { host: settings.managementHostPort, container: keycloakManagementPort, hostOnly: true, purpose: 'management (health)' },
          ],
          startTimeoutSeconds: 300,
          environment: {
            // Everything under /auth, as Nginx publishes it; the management interface follows
            // (http-management-relative-path maps from http-relative-path in Keycloak 26).
            KC_HTTP_RELATIVE_PATH: keycloakRelativePath,
            // One fixed issuer for tokens obtained from the host, through Nginx or inside the network
            // (hostname v2: a full URL fixes scheme, host, port and path).
            KC_HOSTNAME: keycloakPublicUrl(topology),
            // The admin console on Keycloak's own port.
            KC_HOSTNAME_ADMIN: direct,
            KC_HEALTH_ENABLED: 'true',
            // X-Forwarded-* only from Nginx's fixed address; anyone else's are ignored.
            KC_PROXY_HEADERS: 'xforwarded',
            KC_PROXY_TRUSTED_ADDRESSES: network!.fixedAddress,
            KC_BOOTSTRAP_ADMIN_USERNAME: secret('KEYCLOAK_ADMIN_USER'),
            KC_BOOTSTRAP_ADMIN_PASSWORD: secret('KEYCLOAK_ADMIN_PASSWORD'),
            // Substituted into the realm's client secrets at import.
            WSO2_AM_CLIENT_SECRET: secret('WSO2_AM_CLIENT_SECRET'),
            SMOKE_CLIENT_SECRET: secret('SMOKE_CLIENT_SECRET'),
            ...Object.fromEntries(callerSecrets.map((key) => [key, secret(key)])),
          },
          command: ['start-dev', '--import-realm'],
          volumes: [{ kind: 'config', file: 'realm', mountPath: '/opt/keycloak/data/import/realm-export.json' }],
          readiness: probe({ kind: 'http', port: keycloakManagementPort, path: `${keycloakRelativePath}/health/ready` }, 60, 10, 24),
          security: hardened({ runAsUser: 1000 }),
        },
      ],
      files: [{ id: 'realm', path: sharedFilePaths.realm }],
      urls: [
        { key: 'KEYCLOAK_PUBLIC_URL', name: 'Keycloak (public, through Nginx)', url: keycloakPublicUrl(topology) },
        { key: 'KEYCLOAK_URL', name: 'Keycloak (direct)', url: direct },
        { key: 'KEYCLOAK_ADMIN_CONSOLE_URL', name: 'Keycloak admin console', url: `${direct}/admin/` },
        { key: 'KEYCLOAK_REALM_URL', name: `Keycloak realm ${settings.realm} (the issuer)`, url: `${keycloakPublicUrl(topology)}/realms/${settings.realm}` },
        { key: 'KEYCLOAK_MANAGEMENT_URL', name: 'Keycloak management (health, metrics)', url: keycloakManagementUrl(topology) },
      ],
      secrets: [
        { key: 'KEYCLOAK_ADMIN_USER', description: 'Keycloak bootstrap admin' },
        { key: 'KEYCLOAK_ADMIN_PASSWORD', description: "Keycloak bootstrap admin's password" },
        { key: 'WSO2_AM_CLIENT_SECRET', description: "WSO2's client secret, imported into the realm" },
        { key: 'SMOKE_CLIENT_SECRET', description: "smoke's client secret, imported into the realm" },
        ...callerSecrets.map((key) => ({ key, description: "a calling service's client secret (services[].calls)" })),
      ],
    };
  },
};
