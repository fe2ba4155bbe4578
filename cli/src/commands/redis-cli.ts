import type { CommandModule } from '../command.js';
import { entryPointEnvironment, entryPointOf, runningContainerId, wantsTty, type ExecResult } from '../use-cases/exec-target.js';
import { resolveStack } from '../use-cases/resolve-stack.js';

export interface RedisCliArgs {
  args?: string[];
  profile?: string;
}

/**
 * `innover redis-cli [args...]`: redis-cli inside the Redis container, authenticated through
 * REDISCLI_AUTH in the exec environment (never on a command line, never in output).
 */
export const command: CommandModule<RedisCliArgs, ExecResult> = {
  async handler(args, ctx) {
    const target = await resolveStack(ctx, args.profile);
    const { entry, workload: container } = entryPointOf(target, 'redis-cli');
    const env = await ctx.dotenv();
    const id = await runningContainerId(ctx, target, container);
    const engine = await ctx.client('engine');
    const exitCode = await engine.exec(id, {
      command: [...entry.command, ...(args.args ?? [])],
      env: entryPointEnvironment(entry, env),
      tty: wantsTty(ctx),
    });
    return { container: container.name, exitCode };
  },
  exitCode: (result) => result.exitCode,
};
