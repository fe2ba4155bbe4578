import type { KeycloakClient } from '../clients/keycloak-client.js';
import type { Wso2Client } from '../clients/wso2-client.js';
import { UserError } from '../command.js';

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  signal?: AbortSignal;
  /** Called after each failed probe with the seconds waited so far. */
  onWait?: (seconds: number) => void;
}

/** Polls `probe` until it answers true; UserError with `fix` on timeout or interrupt. */
export async function waitFor(what: string, probe: () => Promise<boolean>, fix: string, options: WaitOptions): Promise<void> {
  const started = Date.now();
  for (;;) {
    if (options.signal?.aborted) throw new UserError(`interrupted while waiting for ${what}`, { exitCode: 130 });
    if (await probe()) return;
    const waited = Date.now() - started;
    if (waited >= options.timeoutMs) {
      throw new UserError(`${what} not ready after ${Math.round(waited / 1000)} s: ${fix}`);
    }
    options.onWait?.(Math.round(waited / 1000));
    await new Promise((resolve) => setTimeout(resolve, Math.min(options.intervalMs ?? 2_000, options.timeoutMs - waited)));
  }
}

/** Keycloak's readiness: `/health/ready` on the management port (9000), not 8080. */
export function waitForKeycloak(keycloak: KeycloakClient, managementUrl: string, options: WaitOptions): Promise<void> {
  return waitFor(
    `Keycloak (${managementUrl}/health/ready)`,
    () => keycloak.isReady(),
    'check `innover logs keycloak`, or raise --timeout',
    options,
  );
}

/** WSO2's readiness: the gateway's server-startup healthcheck on the management port. */
export function waitForWso2(wso2: Wso2Client, url: string, options: WaitOptions): Promise<void> {
  return waitFor(
    `WSO2 (${url}/api/am/gateway/v2/server-startup-healthcheck)`,
    async () => {
      try {
        await wso2.request({ api: 'health', method: 'GET', path: '' });
        return true;
      } catch {
        return false;
      }
    },
    'WSO2 takes about three minutes to start; check `innover logs wso2am`, or raise --timeout',
    options,
  );
}
