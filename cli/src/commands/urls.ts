import type { CommandModule } from '../command.js';
import { resolveStack } from '../use-cases/resolve-stack.js';
import { stackUrls, urlsAsEnv, type StackUrl } from '../plan/stack-urls.js';
import { formatTable } from '../output/table.js';

export interface UrlsArgs {
  profile?: string;
  format?: 'table' | 'env';
}

export interface UrlsResult {
  profile: string;
  format: 'table' | 'env';
  urls: StackUrl[];
}

/** `innover urls`: where each part of the profile answers; a table, `--json` or `--format env`. */
export const command: CommandModule<UrlsArgs, UrlsResult> = {
  async handler(args, ctx) {
    const target = await resolveStack(ctx, args.profile);
    return { profile: target.profile, format: args.format ?? 'table', urls: stackUrls(target.topology, target.plan) };
  },
  render(result) {
    if (result.format === 'env') return urlsAsEnv(result.urls);
    return formatTable(['WHAT', 'URL'], result.urls.map((entry) => [entry.name, entry.url]));
  },
};
