import type { CommandModule } from '../command.js';
import { formatTable } from '../output/table.js';
import { upStack, type UpArgs, type UpResult } from '../use-cases/up-stack.js';

export type { UpArgs, UpResult } from '../use-cases/up-stack.js';

/**
 * `innover up [svc...]`: preflight, `.env`, generate, `docker compose up -d --build`, wait until
 * healthy in dependency order, configure Keycloak and publish the service APIs when WSO2 runs
 * beside them, then the URLs.
 */
export const command: CommandModule<UpArgs, UpResult> = {
  handler: (args, ctx) => upStack(args, ctx),
  render(result) {
    const table = formatTable(['WHAT', 'URL'], result.urls.map((entry) => [entry.name, entry.url]));
    return `${table}\n\n${result.containers.length} container${result.containers.length === 1 ? '' : 's'} of ${result.project} (profile ${result.profile}) healthy in ${result.seconds} s`;
  },
};
