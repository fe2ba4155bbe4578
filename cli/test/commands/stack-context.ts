import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDirectory } from '../support/scratch.js';
import type { EnvConfig } from '../../src/env/schema.js';

/** A valid `.env` for commands that read it (values are test-only). */
export const testEnv: EnvConfig = {
  REDIS_PASSWORD: 'redis-secret-0123456789',
  POSTGRES_PASSWORD: 'postgres-secret-0123456789',
  SERVICE_DB_PASSWORD: 'service-secret-0123456789',
  KEYCLOAK_ADMIN_USER: 'admin',
  KEYCLOAK_ADMIN_PASSWORD: 'keycloak-secret-0123456789',
  KEYCLOAK_URL: 'http://localhost:8080',
  KEYCLOAK_MANAGEMENT_URL: 'http://localhost:9000',
  KEYCLOAK_INTERNAL_URL: 'http://keycloak:8080',
  WSO2_URL: 'https://localhost:9443',
  WSO2_GATEWAY_URL: 'https://localhost:8243',
  WSO2_ADMIN_USER: 'admin',
  WSO2_ADMIN_PASSWORD: 'admin',
  WSO2_AM_CLIENT_SECRET: 'wso2-secret-0123456789',
  SMOKE_CLIENT_SECRET: 'smoke-secret-0123456789',
  PAYMENT_CLIENT_SECRET: 'payment-secret-0123456789',
  WALLET_CLIENT_SECRET: 'wallet-secret-0123456789',
  COCKROACH_LICENSE: 'crl-0-dGVzdC1vbmx5LWxpY2VuY2U',
};

/**
 * A temporary project root whose compose files already exist (so commands do not generate) and
 * that has a `.env`; commands run in it with fakes only. Removed when the test that made it ends.
 */
export function stackRoot(profiles: readonly string[] = ['lite']): string {
  const root = scratchDirectory('innover-stack-');
  mkdirSync(join(root, '.innover'));
  writeFileSync(join(root, 'docker-compose.yml'), 'services: {}\n');
  for (const profile of profiles) writeFileSync(join(root, '.innover', `docker-compose.${profile}.yml`), 'services: {}\n');
  writeFileSync(join(root, '.env'), '# test\n');
  return root;
}
