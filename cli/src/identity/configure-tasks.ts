import type { KeycloakClient } from '../clients/keycloak-client.js';
import type { Wso2Client } from '../clients/wso2-client.js';
import type { EnvConfig } from '../env/schema.js';
import type { Topology } from '../topology/schema.js';
import { alignRealm, ensureKeyManager, type ConfigureAction } from './configure-keycloak.js';
import { waitForKeycloak, waitForWso2 } from './wait-ready.js';
import { wso2ClientId } from './realm-model.js';

export interface ConfigureStepsInput {
  topology: Topology;
  env: EnvConfig;
  keycloak: KeycloakClient;
  wso2: Wso2Client;
  timeoutMs: number;
  signal?: AbortSignal;
  intervalMs?: number;
}

/** One step of configure-keycloak; `report` carries progress text for the renderer. */
export interface ConfigureStep {
  title: string;
  run(actions: ConfigureAction[], report: (line: string) => void): Promise<void>;
}

/**
 * The steps, in order: wait for Keycloak, wait for WSO2, align the realm, ensure the key manager.
 * A factory, so the command can run them with listr2 on a terminal and plainly elsewhere, and
 * tests can run them without a renderer. The waits share one deadline (`--timeout`).
 */
export function configureSteps(input: ConfigureStepsInput): ConfigureStep[] {
  const deadline = Date.now() + input.timeoutMs;
  const remaining = () => Math.max(0, deadline - Date.now());
  const deps = { topology: input.topology, env: input.env, keycloak: input.keycloak, wso2: input.wso2 };
  const wait = (report: (line: string) => void) => ({
    timeoutMs: remaining(),
    ...(input.signal ? { signal: input.signal } : {}),
    ...(input.intervalMs !== undefined ? { intervalMs: input.intervalMs } : {}),
    onWait: (seconds: number) => report(`waiting ${seconds} s`),
  });
  return [
    {
      title: 'Keycloak ready',
      run: (_actions, report) => waitForKeycloak(input.keycloak, input.env.KEYCLOAK_MANAGEMENT_URL, wait(report)),
    },
    {
      title: 'WSO2 ready',
      run: (_actions, report) => waitForWso2(input.wso2, input.env.WSO2_URL, wait(report)),
    },
    {
      title: `realm ${input.topology.infrastructure.keycloak.realm}`,
      run: async (actions, report) => void actions.push(...(await alignRealm({ ...deps, progress: report }))),
    },
    {
      title: 'WSO2 key manager',
      run: async (actions, report) => {
        const secretChanged = actions.some((action) => action.target === `client ${wso2ClientId}` && action.action !== 'unchanged');
        actions.push(await ensureKeyManager({ ...deps, progress: report }, { secretChanged }));
      },
    },
  ];
}
