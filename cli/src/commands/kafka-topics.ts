import type { CommandModule } from '../command.js';
import { entryPointOf, runningContainerId, wantsTty, type ExecResult } from '../use-cases/exec-target.js';
import { resolveStack } from '../use-cases/resolve-stack.js';

export interface KafkaTopicsArgs {
  args?: string[];
  profile?: string;
}

/** `innover kafka-topics [args...]`: `rpk topic <args>` in the Redpanda container (default: list). */
export const command: CommandModule<KafkaTopicsArgs, ExecResult> = {
  async handler(args, ctx) {
    const target = await resolveStack(ctx, args.profile);
    const { entry, workload: container } = entryPointOf(target, 'kafka-topics');
    const id = await runningContainerId(ctx, target, container);
    const engine = await ctx.client('engine');
    const rest = args.args?.length ? args.args : ['list'];
    const exitCode = await engine.exec(id, { command: [...entry.command, ...rest], tty: wantsTty(ctx) });
    return { container: container.name, exitCode };
  },
  exitCode: (result) => result.exitCode,
};
