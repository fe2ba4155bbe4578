import { UsageError, type CommandModule } from '../command.js';
import type { EnvConfig } from '../env/schema.js';
import { entryPointEnvironment, entryPointOf, runningContainerId, wantsTty, type ExecResult } from '../use-cases/exec-target.js';
import { resolveStack, type StackTarget } from '../use-cases/resolve-stack.js';

export interface DbShellArgs {
  service?: string;
  profile?: string;
}

/**
 * The shell command for the profile's database engine (pure): the database module's db-shell
 * entry point, as the admin or as a service. Passwords travel in the exec environment
 * (PGPASSWORD), never on the command line.
 */
export function databaseShell(
  target: StackTarget,
  env: Pick<EnvConfig, 'POSTGRES_PASSWORD' | 'SERVICE_DB_PASSWORD'>,
  service: string | undefined,
): { command: string[]; env: string[] } {
  if (service && !target.topology.services.some((entry) => entry.name === service)) {
    const known = target.topology.services.map((entry) => entry.name);
    throw new UsageError(`db-shell: no service '${service}': use one of ${known.join(', ')} (or none for the admin)`);
  }
  const { entry } = entryPointOf(target, 'db-shell', service);
  return { command: [...entry.command], env: entryPointEnvironment(entry, env) };
}

/** `innover db-shell [service]`: a SQL shell as that service's user on its database, or as the admin. */
export const command: CommandModule<DbShellArgs, ExecResult> = {
  async handler(args, ctx) {
    const target = await resolveStack(ctx, args.profile);
    const shell = databaseShell(target, await ctx.dotenv(), args.service);
    const container = entryPointOf(target, 'db-shell', args.service).workload;
    const id = await runningContainerId(ctx, target, container);
    const engine = await ctx.client('engine');
    const exitCode = await engine.exec(id, { command: shell.command, env: shell.env, tty: wantsTty(ctx) });
    return { container: container.name, exitCode };
  },
  exitCode: (result) => result.exitCode,
};
