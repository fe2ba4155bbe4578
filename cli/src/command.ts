import type { Clients, ClientName } from './clients/clients.js';
import type { CommandSpec } from './commands/registry.js';
import type { Topology } from './topology/schema.js';
import type { EnvConfig } from './env/schema.js';

/** Where human-facing progress and results go. Commands never touch process.stdout directly. */
export interface Output {
  /** Results: tables, values. In --json mode only the JSON document is written here. */
  write(text: string): void;
  /** Progress and diagnostics; always stderr, so stdout stays machine-readable. */
  info(text: string): void;
  warn(text: string): void;
  /** True when stdout is a terminal (colour, live task lists, TTY for exec). */
  readonly isTTY: boolean;
}

/** Everything a command may touch. Tests build one with fakes (see cli/test/support/context.ts). */
export interface CommandContext {
  /** The project root: the folder holding innover.yaml (or the cwd when there is none). */
  readonly root: string;
  readonly json: boolean;
  readonly out: Output;
  /** The process environment, read-only; commands read settings from `.env` via `dotenv()`. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The validated topology (innover.yaml merged over the defaults). Throws UserError on bad input. */
  topology(): Promise<Topology>;
  /** The validated `.env`. Throws UserError naming each bad key and the fix. */
  dotenv(): Promise<EnvConfig>;
  /** A side-effect client, created on first use. Unit tests pass fakes. */
  client<K extends ClientName>(name: K): Promise<Clients[K]>;
  /** Aborted on SIGINT/SIGTERM so long waits stop cleanly. */
  readonly signal: AbortSignal;
  /**
   * The CLI's command specs, handed down by the entry point (a command module cannot import the
   * registry that loads it). What documents the CLI, the README's command reference, is rendered
   * from them; a context built without them leaves the README alone.
   */
  readonly commands?: readonly CommandSpec[];
}

/**
 * A command: a typed handler returning data. Human output is rendered from that data,
 * `--json` prints the data itself. Only bin/ exits the process.
 */
export interface CommandModule<Args = Record<string, unknown>, Result = unknown> {
  handler(args: Args, ctx: CommandContext): Promise<Result>;
  /** Human rendering of the result; omitted means the handler already wrote what it had to. */
  render?(result: Result, ctx: CommandContext): string | undefined;
  /** Exit code derived from the result (e.g. `health` with an unhealthy container). Default 0. */
  exitCode?(result: Result): number;
}

/**
 * An error the user can fix. Printed as one line per problem (no stack trace), each with its fix.
 * Exit code 1 by default; 2 for usage errors (bad flag or argument).
 */
export class UserError extends Error {
  readonly problems: readonly string[];
  readonly exitCode: number;
  constructor(problems: string | readonly string[], options: { exitCode?: number; cause?: unknown } = {}) {
    const list = typeof problems === 'string' ? [problems] : problems;
    super(list.join('\n'), { cause: options.cause });
    this.name = 'UserError';
    this.problems = list;
    this.exitCode = options.exitCode ?? 1;
  }
}

/** A usage error: bad flag or argument. Exit code 2. */
export class UsageError extends UserError {
  constructor(problem: string) {
    super(problem, { exitCode: 2 });
    this.name = 'UsageError';
  }
}
