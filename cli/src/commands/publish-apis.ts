import type { CommandModule } from '../command.js';
import { publishApis, publishFailures, type PublishApisResult } from '../gateway/publish.js';

export type { PublishApisResult } from '../gateway/publish.js';

export interface PublishApisArgs {
  only?: string;
  dryRun?: boolean;
  file?: string;
}

export const command: CommandModule<PublishApisArgs, PublishApisResult> = {
  handler: (args, ctx) => publishApis(ctx, args),
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
    const errors = publishFailures(result);
    return [format(header), ...rows.map(format), ...errors.map((error) => `error: ${error}`)].join('\n');
  },
  exitCode(result) {
    return !result.dryRun && result.failed ? 1 : 0;
  },
};
