import { UserError, type CommandContext } from '../command.js';
import { KeycloakHttpError, KeycloakResponseError, KeycloakUnreachableError } from '../clients/keycloak-client.js';
import { Wso2HttpError, Wso2UnreachableError } from '../clients/wso2-client.js';
import type { ConfigureAction } from './configure-keycloak.js';
import { configureSteps, type ConfigureStep } from './configure-tasks.js';

export interface ConfigureKeycloakOptions {
  /** Give up waiting for Keycloak and WSO2 after this many seconds (default 600). */
  timeoutSeconds?: number;
  /** `plain` when a caller (e.g. `up`) already draws its own task list: no nested listr2. Default `auto`. */
  renderer?: 'plain' | 'auto';
}

export interface ConfigureKeycloakResult {
  actions: ConfigureAction[];
  /** Actions that created or updated something; 0 on a re-run. */
  changed: number;
}

/**
 * The use case behind `innover configure-keycloak` (and a step of `up`): waits for Keycloak and
 * WSO2, aligns the realm with the topology and registers Keycloak as WSO2's key manager, through
 * the context's `keycloak` and `wso2` clients. Idempotent. Every failure is a one-line UserError
 * with its fix.
 */
export async function configureKeycloak(ctx: CommandContext, options: ConfigureKeycloakOptions = {}): Promise<ConfigureKeycloakResult> {
  const [topology, env, keycloak, wso2] = await Promise.all([ctx.topology(), ctx.dotenv(), ctx.client('keycloak'), ctx.client('wso2')]);
  const steps = configureSteps({ topology, env, keycloak, wso2, timeoutMs: (options.timeoutSeconds ?? 600) * 1000, signal: ctx.signal });
  const actions: ConfigureAction[] = [];
  try {
    await runSteps(steps, actions, ctx, options.renderer ?? 'auto');
  } catch (error) {
    throw toUserError(error, env);
  }
  return { actions, changed: actions.filter((action) => action.action !== 'unchanged').length };
}

/** listr2 on a terminal (imported only then); plain progress lines elsewhere. */
async function runSteps(steps: ConfigureStep[], actions: ConfigureAction[], ctx: CommandContext, renderer: 'plain' | 'auto'): Promise<void> {
  if (renderer === 'auto' && ctx.out.isTTY && !ctx.json) {
    const { Listr } = await import('listr2');
    const list = new Listr(
      steps.map((step) => ({
        title: step.title,
        task: async (_context: unknown, task: { output: string }) => {
          await step.run(actions, (line) => (task.output = line));
        },
      })),
      { exitOnError: true, rendererOptions: { collapseErrors: true } },
    );
    await list.run();
    return;
  }
  for (const step of steps) {
    ctx.out.info(`${step.title} ...`);
    await step.run(actions, () => undefined);
  }
}

/** Every failure as one line with its fix. */
function toUserError(error: unknown, env: { KEYCLOAK_URL: string; WSO2_URL: string }): unknown {
  if (error instanceof UserError) return error;
  if (error instanceof KeycloakUnreachableError) {
    return new UserError(`Keycloak is unreachable at ${env.KEYCLOAK_URL}: start it with \`innover up\`, or fix KEYCLOAK_URL in .env`, { cause: error });
  }
  if (error instanceof KeycloakResponseError) return new UserError(`${error.message}: check \`innover logs keycloak\` and that KEYCLOAK_URL in .env is Keycloak`, { cause: error });
  if (error instanceof KeycloakHttpError) {
    if (error.status === 401) return new UserError('Keycloak refused the admin login (401): check KEYCLOAK_ADMIN_USER and KEYCLOAK_ADMIN_PASSWORD in .env', { cause: error });
    return new UserError(`${error.message}: check \`innover logs keycloak\``, { cause: error });
  }
  if (error instanceof Wso2UnreachableError) {
    return new UserError(
      error.timedOut
        ? `WSO2 at ${env.WSO2_URL} did not answer in time: wait until \`innover health\` shows it healthy, then rerun`
        : `WSO2 is unreachable at ${env.WSO2_URL} (${error.reason}): start it with \`innover up\`, or fix WSO2_URL in .env`,
      { cause: error },
    );
  }
  if (error instanceof Wso2HttpError) {
    if (error.status === 401 || error.request.api === 'dcr' || error.request.api === 'token') {
      return new UserError(`WSO2 refused the login (${error.status}): check WSO2_ADMIN_USER and WSO2_ADMIN_PASSWORD in .env`, { cause: error });
    }
    return new UserError(`${error.message}: check \`innover logs wso2am\``, { cause: error });
  }
  return error;
}
