import { dirname, isAbsolute, join } from 'node:path';
import { UserError, type CommandModule } from '../command.js';
import { createDryRunClient, type PlannedRequest } from '../gateway/dry-run.js';
import { loadApiConfig } from '../gateway/load-api-config.js';
import { createPublisher, describeFatalError, type PublishResult } from '../gateway/publisher.js';

export interface PublishApisArgs {
  only?: string;
  dryRun?: boolean;
  file?: string;
}

export type PublishApisResult = (PublishResult & { dryRun: false }) | { dryRun: true; requests: PlannedRequest[] };

export const command: CommandModule<PublishApisArgs, PublishApisResult> = {
  async handler(args, ctx) {
    const relative = args.file ?? 'wso2/api-config.yaml';
    const file = isAbsolute(relative) ? relative : join(ctx.root, relative);
    const config = await loadApiConfig(file, relative);
    if (args.only && !config.apis.some((api) => api.name === args.only)) {
      throw new UserError(`--only ${args.only}: no such API in ${relative}; names: ${config.apis.map((api) => api.name).join(', ')}`, { exitCode: 2 });
    }
    const env = await ctx.dotenv();
    const dryRun = args.dryRun ? createDryRunClient() : undefined;
    const client = dryRun ?? (await ctx.client('wso2'));
    const publisher = createPublisher({
      client,
      credentials: { user: env.WSO2_ADMIN_USER, password: env.WSO2_ADMIN_PASSWORD },
      gatewayUrl: env.WSO2_GATEWAY_URL,
      configDirectory: dirname(file),
      smokeClientSecret: env.SMOKE_CLIENT_SECRET,
      signal: ctx.signal,
      progress: (line) => ctx.out.info(line),
    });
    try {
      const result = await publisher.publishAll(config, args.only ? { only: args.only } : {});
      if (dryRun) return { dryRun: true, requests: dryRun.requests };
      return { ...result, dryRun: false };
    } catch (error) {
      throw new UserError(describeFatalError(error, env.WSO2_URL), { cause: error });
    }
  },
  render(result) {
    if (result.dryRun) {
      const lines = result.requests.map((request) => {
        const query = request.query ? `?${new URLSearchParams(request.query).toString()}` : '';
        const body = request.body === undefined ? '' : `\n    ${JSON.stringify(request.body)}`;
        return `${request.method} ${request.path}${query}${request.auth ? `  [${request.auth}]` : ''}${body}`;
      });
      return [...lines, `dry run: ${result.requests.length} request(s) shown, none sent`].join('\n');
    }
    const rows = result.apis.map((api) => [api.name, api.action, api.context, api.gatewayUrl]);
    if (result.application) rows.push([`application ${result.application.name}`, result.application.action, '', result.application.subscribed.length ? `subscribed to ${result.application.subscribed.join(', ')}` : '']);
    const header = ['API', 'ACTION', 'CONTEXT', 'GATEWAY URL'];
    const widths = header.map((title, index) => Math.max(title.length, ...rows.map((row) => (row[index] ?? '').length)));
    const format = (row: string[]) => row.map((cell, index) => cell.padEnd(widths[index] ?? 0)).join('  ').trimEnd();
    const errors = [...result.apis.flatMap((api) => (api.error ? [api.error] : [])), ...(result.application?.error ? [result.application.error] : [])];
    return [format(header), ...rows.map(format), ...errors.map((error) => `error: ${error}`)].join('\n');
  },
  exitCode(result) {
    return !result.dryRun && result.failed ? 1 : 0;
  },
};
