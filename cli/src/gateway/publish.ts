import { dirname, isAbsolute, join } from 'node:path';
import { UserError, type CommandContext } from '../command.js';
import { createDryRunClient, type PlannedRequest } from './dry-run.js';
import { loadApiConfig } from './load-api-config.js';
import type { Wso2Client } from '../clients/wso2-client.js';
import { createPublisher, describeFatalError, type PublishResult } from './publisher.js';

export interface PublishApisOptions {
  /** Only this API of the config. */
  only?: string;
  /** Record the requests instead of sending them (secrets masked); contacts nothing. */
  dryRun?: boolean;
  /** The API config file, relative to the project root or absolute (default `wso2/api-config.yaml`). */
  file?: string;
}

export type PublishApisResult = (PublishResult & { dryRun: false }) | { dryRun: true; requests: PlannedRequest[] };

/**
 * The use case behind `innover publish-apis` (and a step of `up`): creates, deploys and publishes
 * the config's APIs on WSO2 through the context's `wso2` client, idempotently. An API that fails
 * is reported in the result (`failed`); a failure that stops everything is a UserError.
 */
export async function publishApis(ctx: CommandContext, options: PublishApisOptions = {}): Promise<PublishApisResult> {
  if (!options.dryRun) return { ...(await publish(ctx, options, () => ctx.client('wso2'))), dryRun: false };
  const dryRun = createDryRunClient();
  await publish(ctx, options, () => Promise.resolve(dryRun));
  return { dryRun: true, requests: dryRun.requests };
}

/** publishApis for callers that need everything published (`up`, `k8s deploy`): any failed API is a UserError. */
export async function publishAllApis(ctx: CommandContext, options: Omit<PublishApisOptions, 'dryRun'> = {}): Promise<PublishResult> {
  const result = await publish(ctx, options, () => ctx.client('wso2'));
  if (result.failed) throw new UserError([...publishFailures(result), 'some APIs were not published: fix the above, then run innover publish-apis']);
  return result;
}

/** The errors of the APIs and the application that failed, one line each. */
export function publishFailures(result: PublishResult): string[] {
  return [...result.apis.flatMap((api) => (api.error ? [api.error] : [])), ...(result.application?.error ? [result.application.error] : [])];
}

/** `client` is asked for only once the config and `.env` are known good. */
async function publish(ctx: CommandContext, options: PublishApisOptions, client: () => Promise<Wso2Client>): Promise<PublishResult> {
  const relative = options.file ?? 'wso2/api-config.yaml';
  const file = isAbsolute(relative) ? relative : join(ctx.root, relative);
  const config = await loadApiConfig(file, relative);
  if (options.only && !config.apis.some((api) => api.name === options.only)) {
    throw new UserError(`--only ${options.only}: no such API in ${relative}; names: ${config.apis.map((api) => api.name).join(', ')}`, { exitCode: 2 });
  }
  const env = await ctx.dotenv();
  const publisher = createPublisher({
    client: await client(),
    credentials: { user: env.WSO2_ADMIN_USER, password: env.WSO2_ADMIN_PASSWORD },
    gatewayUrl: env.WSO2_GATEWAY_URL,
    configDirectory: dirname(file),
    smokeClientSecret: env.SMOKE_CLIENT_SECRET,
    signal: ctx.signal,
    progress: (line) => ctx.out.info(line),
  });
  try {
    return await publisher.publishAll(config, options.only ? { only: options.only } : {});
  } catch (error) {
    throw new UserError(describeFatalError(error, env.WSO2_URL), { cause: error });
  }
}
