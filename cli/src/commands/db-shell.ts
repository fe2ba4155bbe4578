import { UsageError, type CommandModule } from '../command.js';
import type { EnvConfig } from '../env/schema.js';
import { containerOf, runningContainerId, wantsTty, type ExecResult } from '../stack/exec-target.js';
import { resolveStack, type StackTarget } from '../stack/resolve-stack.js';
import { databaseName } from '../topology/plan-stack.js';

export interface DbShellArgs {
  service?: string;
  profile?: string;
}

/**
 * The shell command for the profile's database engine (pure). Passwords travel in the exec
 * environment (PGPASSWORD), never on the command line.
 */
export function databaseShell(
  target: StackTarget,
  env: Pick<EnvConfig, 'POSTGRES_PASSWORD' | 'SERVICE_DB_PASSWORD'>,
  service: string | undefined,
): { command: string[]; env: string[] } {
  let database: string | undefined;
  if (service) {
    const known = target.topology.services.map((entry) => entry.name);
    const match = target.topology.services.find((entry) => entry.name === service);
    if (!match) throw new UsageError(`db-shell: no service '${service}': use one of ${known.join(', ')} (or none for the admin)`);
    database = databaseName(match);
  }
  if (target.plan.database === 'cockroach') {
    const node = containerOf(target, 'database', 'database').name;
    const who = database ? ['--user', database, '--database', database] : [];
    return { command: ['cockroach', 'sql', '--insecure', `--host=${node}:26257`, ...who], env: [] };
  }
  return database
    ? { command: ['psql', '-h', '127.0.0.1', '-U', database, '-d', database], env: [`PGPASSWORD=${env.SERVICE_DB_PASSWORD}`] }
    : { command: ['psql', '-U', 'postgres', '-d', 'postgres'], env: [`PGPASSWORD=${env.POSTGRES_PASSWORD}`] };
}

/** `innover db-shell [service]`: a SQL shell as that service's user on its database, or as the admin. */
export const command: CommandModule<DbShellArgs, ExecResult> = {
  async handler(args, ctx) {
    const target = await resolveStack(ctx, args.profile);
    const container = containerOf(target, 'database', 'database');
    const shell = databaseShell(target, await ctx.dotenv(), args.service);
    const id = await runningContainerId(ctx, target, container);
    const engine = await ctx.client('engine');
    const exitCode = await engine.exec(id, { command: shell.command, env: shell.env, tty: wantsTty(ctx) });
    return { container: container.name, exitCode };
  },
  exitCode: (result) => result.exitCode,
};
