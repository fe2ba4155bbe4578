import type { CommandContext, CommandModule } from '../command.js';
import { UserError } from '../command.js';
import { createFlowClient, httpTransport, FlowCallError, gatewayTransport } from '../payments/flow-client.js';
import type { FlowClient } from '../payments/flow-client.js';
import { runLoad } from '../payments/load.js';
import type { LoadHooks, LoadProgress, LoadReport } from '../payments/load.js';
import { parseLoadArgs } from '../payments/load-args.js';
import type { RawLoadArgs } from '../payments/load-args.js';
import { formatProgress, renderLoad } from '../payments/load-render.js';
import type { LoadRunContext } from '../payments/load-render.js';
import { planLoadTarget } from '../payments/load-target.js';
import type { LoadTarget } from '../payments/load-target.js';
import { resolveStack } from '../use-cases/resolve-stack.js';

export interface LoadArgs extends RawLoadArgs {
  profile?: string;
}

export interface LoadResult extends LoadReport, LoadRunContext {
  project: string;
}

export interface LoadDependencies {
  /** The client of the flow for a target; default: HTTP (fetch direct, TLS for the gateway) with the smoke client's token. */
  flowClient?(target: LoadTarget, clientSecret: string, signal: AbortSignal): FlowClient;
  /** How long the invariant check waits for things to settle; default runLoad's (60 s). */
  settleTimeoutMs?: number;
}

/** A token of the smoke client, fetched on first use and again before it can expire. */
function tokenSource(target: LoadTarget, clientSecret: string, signal: AbortSignal): (() => Promise<string | undefined>) | undefined {
  const token = target.token;
  if (!token) return undefined;
  let cached: { value: Promise<string>; until: number } | undefined;
  return async () => {
    if (!cached || cached.until < Date.now()) {
      const { fetchClientCredentialsToken } = await import('../smoke/checks.js');
      const value = fetchClientCredentialsToken({ issuerUrl: token.issuerUrl, clientId: token.clientId, clientSecret }, signal).then((result) => `Bearer ${result.accessToken}`);
      // Keycloak's access tokens live 5 minutes by default: take a new one well before.
      cached = { value, until: Date.now() + 60_000 };
      value.catch(() => (cached = undefined));
    }
    return cached.value;
  };
}

function httpFlowClient(target: LoadTarget, clientSecret: string, signal: AbortSignal): FlowClient {
  const authorization = tokenSource(target, clientSecret, signal);
  return createFlowClient({
    baseUrl: (service) => target.baseUrls[service],
    ...(authorization ? { authorization } : {}),
    transport: target.via === 'gateway' ? gatewayTransport : httpTransport,
  });
}

/**
 * The live progress: one redrawn line on a terminal, a plain line every few seconds elsewhere,
 * nothing with --json (stdout holds only the document; progress never goes there).
 */
function progressHooks(ctx: CommandContext): LoadHooks & { close(): void } {
  if (ctx.json) return { close: () => undefined };
  const live = ctx.out.isTTY && Boolean(process.stderr.isTTY);
  let last: LoadProgress | undefined;
  let drawnAt = 0;
  let drawnLine = '';
  let drawn = false;
  const clear = () => {
    if (live && drawn) process.stderr.write('\r\x1b[2K');
    drawn = false;
  };
  const draw = (progress: LoadProgress, force: boolean) => {
    const now = Date.now();
    const done = progress.completed + progress.failed === progress.total;
    const line = formatProgress(progress);
    if (line === drawnLine || (!force && !done && now - drawnAt < (live ? 100 : 2_000))) return;
    drawnAt = now;
    drawnLine = line;
    if (live) {
      process.stderr.write(`\r\x1b[2K${line}`);
      drawn = true;
    } else ctx.out.info(line);
  };
  return {
    onPhase(phase) {
      if (phase === 'invariants' && last) draw(last, true);
      if (live && drawn) process.stderr.write('\n');
      drawn = false;
      ctx.out.info(
        phase === 'setup'
          ? 'load: setting a permissive rule set, creating customers and wallets, funding the payers'
          : phase === 'payments'
            ? 'load: running the payments'
            : 'load: checking the invariants once things have settled',
      );
    },
    onProgress(progress) {
      last = progress;
      draw(progress, false);
    },
    close: clear,
  };
}

/** Setup failures (nothing running, a refused token, a service error) as one line with the fix. */
function toUserError(error: unknown, target: LoadTarget): unknown {
  if (error instanceof UserError) return error;
  if (error instanceof FlowCallError) {
    const hint = error.status === 401 || error.status === 403 ? 'check SMOKE_CLIENT_SECRET in .env and the realm (innover configure-keycloak)' : `check \`innover logs ${error.service}\``;
    return new UserError(`${error.message}: ${hint}`, { cause: error });
  }
  if (error instanceof Error && error.name === 'CheckFailure') return new UserError(`token of the innover-smoke client: ${error.message}`, { cause: error });
  if (error instanceof Error && (error.name === 'TypeError' || error.name === 'TimeoutError' || 'code' in error)) {
    const where = target.via === 'gateway' ? `the gateway at ${new URL(target.baseUrls.payment).origin}` : 'the services\' published ports';
    return new UserError(`cannot reach ${where} (${error.message}): start the stack with \`innover up\`, and check \`innover health\``, { cause: error });
  }
  return error;
}

export async function runLoadCommand(args: LoadArgs, ctx: CommandContext, dependencies: LoadDependencies = {}): Promise<LoadResult> {
  const settings = parseLoadArgs(args);
  const stack = await resolveStack(ctx, args.profile);
  const env = await ctx.dotenv();
  const target = planLoadTarget({ topology: stack.topology, plan: stack.plan, via: settings.via, gatewayUrl: env.WSO2_GATEWAY_URL });
  const client = (dependencies.flowClient ?? httpFlowClient)(target, env.SMOKE_CLIENT_SECRET, ctx.signal);
  const hooks = progressHooks(ctx);
  try {
    const report = await runLoad(
      client,
      { count: settings.count, concurrency: settings.concurrency, crossCurrency: settings.crossCurrency, timeoutMs: settings.timeoutSeconds * 1_000, ...(settings.ratePerSecond === undefined ? {} : { ratePerSecond: settings.ratePerSecond }), signal: ctx.signal, ...(dependencies.settleTimeoutMs === undefined ? {} : { settleTimeoutMs: dependencies.settleTimeoutMs }) },
      hooks,
    );
    return { project: stack.plan.project, profile: stack.profile, via: settings.via, ...(settings.ratePerSecond === undefined ? {} : { ratePerSecond: settings.ratePerSecond }), ...report };
  } catch (error) {
    throw toUserError(error, target);
  } finally {
    hooks.close();
  }
}

export const command: CommandModule<LoadArgs, LoadResult> = {
  handler: (args, ctx) => runLoadCommand(args, ctx),
  render: (result) => renderLoad(result),
  exitCode: (result) => (result.ok ? 0 : 1),
};
