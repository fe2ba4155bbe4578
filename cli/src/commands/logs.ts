import { UserError, type CommandContext, type CommandModule } from '../command.js';
import type { LogLine } from '../clients/engine-client.js';
import { resolveStack, selectContainers } from '../use-cases/resolve-stack.js';
import { logPrefixer } from '../output/log-prefix.js';

export interface LogsArgs {
  services?: string[];
  profile?: string;
  follow?: boolean;
  tail?: number | string;
}

/** `--json`: every line with its container; human mode streams and returns nothing to print. */
export interface LogsResult {
  lines: Array<{ container: string; stream: LogLine['stream']; text: string }>;
}

/**
 * `innover logs [svc...] [-f] [--tail N]`: each line prefixed by its container, coloured on a
 * terminal. Follows only with -f (until Ctrl-C); 200 lines per container by default.
 */
export const command: CommandModule<LogsArgs, LogsResult | undefined> = {
  async handler(args, ctx) {
    const target = await resolveStack(ctx, args.profile);
    const wanted = selectContainers(target.plan, args.services);
    const engine = await ctx.client('engine');
    const summaries = await engine.listContainers({ project: target.plan.project });
    const byService = new Map(summaries.map((summary) => [summary.service, summary]));
    const present = wanted.filter((container) => byService.has(container.name));
    if (present.length === 0) {
      throw new UserError(
        `no container of ${args.services?.length ? args.services.join(', ') : `project ${target.plan.project}`} exists: run innover up --profile ${target.profile}`,
      );
    }
    const tail = Number(args.tail ?? 200);
    const follow = Boolean(args.follow);
    const collected: LogsResult['lines'] = [];
    const prefix = await logPrefixer(present.map((container) => container.name), ctx.out.isTTY && !ctx.json);
    const sink = (container: string) => (line: LogLine) => {
      if (ctx.json) collected.push({ container, stream: line.stream, text: line.text });
      else writeLine(ctx, `${prefix(container)}${line.text}`);
    };
    const read = (name: string) => {
      const summary = byService.get(name);
      return summary ? engine.logs(summary.id, { tail, follow, signal: ctx.signal }, sink(name)) : Promise.resolve();
    };
    if (follow) await Promise.all(present.map((container) => read(container.name)));
    else for (const container of present) await read(container.name);
    return ctx.json ? { lines: collected } : undefined;
  },
};

function writeLine(ctx: CommandContext, text: string): void {
  ctx.out.write(`${text}\n`);
}
