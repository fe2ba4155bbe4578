import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createKeycloakHttpClient } from '../../src/clients/keycloak-client.js';
import { createWso2HttpClient } from '../../src/clients/wso2-client.js';
import type { EnvConfig } from '../../src/env/schema.js';
import { renderApiConfig } from '../../src/render/api-config.js';
import { renderRealm } from '../../src/render/realm.js';
import { defaultTopology } from '../../src/topology/default-topology.js';
import { topologySchema, type Topology } from '../../src/topology/schema.js';
import type { ContextOverrides } from '../../src/context.js';
import { runCli, type CliRun } from '../support/run-cli.js';
import { scratchDirectory } from '../support/scratch.js';
import type { ContractServer } from './contract-server.js';

export const topology: Topology = topologySchema.parse(defaultTopology);

/** `.env` for a stack whose Keycloak and WSO2 are the contract server. */
export function contractEnv(url: string, overrides: Partial<EnvConfig> = {}): EnvConfig {
  return {
    REDIS_PASSWORD: 'redis-password-123',
    POSTGRES_PASSWORD: 'postgres-password-123',
    SERVICE_DB_PASSWORD: 'service-db-password-123',
    KEYCLOAK_ADMIN_USER: 'admin',
    KEYCLOAK_ADMIN_PASSWORD: 'admin-password-123',
    KEYCLOAK_URL: url,
    KEYCLOAK_MANAGEMENT_URL: url,
    KEYCLOAK_INTERNAL_URL: 'http://keycloak:8080/auth',
    WSO2_URL: url,
    WSO2_GATEWAY_URL: 'https://localhost:8243',
    WSO2_ADMIN_USER: 'admin',
    WSO2_ADMIN_PASSWORD: 'admin',
    WSO2_AM_CLIENT_SECRET: 'wso2am-secret-from-env-123',
    SMOKE_CLIENT_SECRET: 'smoke-secret-from-env-123',
    PAYMENT_CLIENT_SECRET: 'payment-secret-from-env-123',
    WALLET_CLIENT_SECRET: 'wallet-secret-from-env-123',
    ...overrides,
  };
}

/** Seeds the realm as Keycloak's `--import-realm` would, placeholders substituted from `env`. */
export function importRealm(server: ContractServer, env: EnvConfig, secrets: { wso2?: string; payment?: string } = {}): void {
  const values: Record<string, string | undefined> = { ...env, WSO2_AM_CLIENT_SECRET: secrets.wso2 ?? env.WSO2_AM_CLIENT_SECRET, PAYMENT_CLIENT_SECRET: secrets.payment ?? env['PAYMENT_CLIENT_SECRET'] };
  const text = JSON.stringify(renderRealm(topology)).replace(/\$\{([A-Z0-9_]+)\}/g, (placeholder, key: string) => values[key] ?? placeholder);
  server.importRealm(JSON.parse(text) as Record<string, unknown>);
}

/** A project folder holding the default wso2/api-config.yaml, removed when the test that made it ends. */
export async function projectWithApiConfig(text = renderApiConfig(topology, undefined)): Promise<string> {
  const root = scratchDirectory('innover-contract-');
  await mkdir(join(root, 'wso2'), { recursive: true });
  await writeFile(join(root, 'wso2', 'api-config.yaml'), text);
  return root;
}

/** Runs the CLI in-process with the real HTTP clients pointed at `env`. */
export function runAgainst(argv: string[], env: EnvConfig, root: string, options: { wso2TimeoutMs?: number; topology?: Topology } = {}): Promise<CliRun> {
  const overrides: ContextOverrides = {
    root,
    topology: options.topology ?? topology,
    dotenv: env,
    clients: {
      keycloak: createKeycloakHttpClient(() => ({ url: env.KEYCLOAK_URL, managementUrl: env.KEYCLOAK_MANAGEMENT_URL, adminUser: env.KEYCLOAK_ADMIN_USER, adminPassword: env.KEYCLOAK_ADMIN_PASSWORD, timeoutMs: 5_000 })),
      wso2: createWso2HttpClient(() => ({ baseUrl: env.WSO2_URL, timeoutMs: options.wso2TimeoutMs ?? 5_000 })),
    },
  };
  return runCli(argv, overrides);
}
