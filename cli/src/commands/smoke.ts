import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandContext, CommandModule } from '../command.js';
import { judgeContainers } from '../smoke/checks.js';
import type { RunTask } from '../smoke/checks.js';
import { runSmoke, type SmokeRow } from '../smoke/run-smoke.js';
import { gatewayComponents, planSmoke, type GatewayApi } from '../smoke/smoke-plan.js';
import { resolveStack } from '../use-cases/resolve-stack.js';
import { readStackStatus } from '../use-cases/stack-status.js';
import { formatTable } from '../output/table.js';

export interface SmokeArgs {
  profile?: string;
  /** Seconds for the whole run. */
  timeout: number;
}

export interface SmokeResult {
  project: string;
  profile: string;
  rows: SmokeRow[];
  passed: number;
  failed: number;
  notInProfile: number;
}

/**
 * The published gateway APIs from wso2/api-config.yaml (validated as publish-apis validates it, so
 * a broken file is one line per problem); undefined when there is none (the topology's then).
 */
async function readGatewayApis(root: string): Promise<GatewayApi[] | undefined> {
  const { apiConfigPath } = await import('../generate/plan-files.js');
  const file = join(root, apiConfigPath);
  if (!existsSync(file)) return undefined;
  const { loadApiConfig } = await import('../gateway/load-api-config.js');
  const config = await loadApiConfig(file, apiConfigPath);
  return config.apis.length > 0 ? config.apis.map((api) => ({ name: api.name, context: api.context })) : undefined;
}

/**
 * Proves the running stack works: one row per check, checks of parts outside the profile shown as
 * "not in profile". Endpoints come from the topology's plan and `.env`.
 */
export async function runSmokeCommand(args: SmokeArgs, ctx: CommandContext, runTask?: RunTask): Promise<SmokeResult> {
  const target = await resolveStack(ctx, args.profile);
  const env = await ctx.dotenv();
  // Only a profile with the gateway reads its API config: a file it does not use cannot fail it.
  const gatewayApis = gatewayComponents.every((component) => target.plan.components.includes(component)) ? await readGatewayApis(ctx.root) : undefined;
  const specs = planSmoke({ topology: target.topology, plan: target.plan, endpoints: env, ...(gatewayApis ? { gatewayApis } : {}) });
  const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(args.timeout * 1_000)]);
  const deadline = Date.now() + args.timeout * 1_000;
  const rows = await runSmoke(
    specs,
    {
      secrets: { redisPassword: env.REDIS_PASSWORD, serviceDbPassword: env.SERVICE_DB_PASSWORD, smokeClientSecret: env.SMOKE_CLIENT_SECRET },
      containers: async () => judgeContainers((await readStackStatus(ctx, target)).containers),
      runTask: runTask ?? (async (options) => (await ctx.client('queue')).runTask(options)),
      probeRedis: async (options, signal) => (await ctx.client('redis')).probe(options, signal),
      // A round trip still waiting when the run ends would keep its Redis connections open.
      workerTimeoutMs: Math.min(30_000, Math.max(1_000, args.timeout * 1_000 - 1_000)),
      deadline,
    },
    signal,
  );
  const count = (status: SmokeRow['status']) => rows.filter((row) => row.status === status).length;
  return { project: target.plan.project, profile: target.profile, rows, passed: count('pass'), failed: count('fail'), notInProfile: count('not in profile') };
}

export function renderSmoke(result: SmokeResult): string {
  const table = formatTable(
    ['CHECK', 'STATUS', 'TIME', 'DETAIL'],
    result.rows.map((row) => [row.name, row.status, row.status === 'not in profile' ? '-' : formatMs(row.ms), row.detail]),
  );
  const verdict = result.failed > 0 ? 'FAILED' : 'ok';
  return `${table}\n\nsmoke ${verdict} (profile ${result.profile}): ${result.passed} passed, ${result.failed} failed, ${result.notInProfile} not in profile`;
}

function formatMs(ms: number): string {
  return ms >= 1_000 ? `${(ms / 1_000).toFixed(1)} s` : `${ms} ms`;
}

export const command: CommandModule<SmokeArgs, SmokeResult> = {
  handler: (args, ctx) => runSmokeCommand(args, ctx),
  render: (result) => renderSmoke(result),
  exitCode: (result) => (result.failed > 0 ? 1 : 0),
};
