import type { CommandModule } from '../command.js';
import { runDev, type DevArgs, type DevResult } from '../use-cases/dev-loop.js';

/**
 * `innover dev [services...]`: `up`, then the services' API and worker containers run from their
 * TypeScript sources and Compose watch syncs each save into them with a restart (a package.json or
 * the lockfile rebuilds the image). One line per reload, the logs prefixed; Ctrl-C stops watching.
 */
export const command: CommandModule<DevArgs, DevResult> = {
  handler: (args, ctx) => runDev(args, ctx),
  render(result) {
    const reloads = result.events.filter((event) => event.kind === 'reloaded' || event.kind === 'rebuilt').length;
    return `stopped watching ${result.watched.length} container${result.watched.length === 1 ? '' : 's'} after ${reloads} reload${reloads === 1 ? '' : 's'}; the stack keeps running (innover down stops it, innover up returns to the production images)`;
  },
};
