import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { commandGroups, commands, type CommandSpec, type OptionSpec } from './commands/registry.js';
import { UsageError, UserError, type CommandContext, type CommandModule, type Output } from './command.js';
import { createContext, type ContextOverrides } from './context.js';
import { version } from './version.js';

/** Builds the commander program from the registry. No command module is imported here. */
export function buildProgram(
  run: (spec: CommandSpec, args: Record<string, unknown>) => Promise<void>,
  specs: readonly CommandSpec[] = commands,
  groupDescriptions: Readonly<Record<string, string>> = commandGroups,
): Command {
  const program = new Command('innover')
    .description('provision and drive a containerized, event-driven payments platform')
    .version(version, '-V, --version', 'print the version')
    .option('--json', 'print results as JSON for scripts')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ outputError: () => undefined });

  const groups = new Map<string, Command>();
  for (const spec of specs) {
    const command = commandFor(program, groups, groupDescriptions, spec.name).description(spec.description).exitOverride();
    command.configureOutput({ outputError: () => undefined });
    for (const argument of spec.arguments ?? []) command.argument(argument.syntax, argument.description);
    for (const option of spec.options ?? []) command.addOption(toOption(option));
    if (spec.passThrough) command.allowUnknownOption(true).allowExcessArguments(true);
    command.action(async (...actionArgs: unknown[]) => {
      const self = actionArgs[actionArgs.length - 1] as Command;
      const args: Record<string, unknown> = { ...program.opts(), ...self.opts() };
      self.registeredArguments.forEach((argument, index) => {
        args[camelCase(argument.name())] = actionArgs[index];
      });
      await run(spec, args);
    });
  }
  return program;
}

/**
 * `k8s render` is the subcommand `render` of a group `k8s`; the group is created once, with the
 * description of its registry group entry when there is one.
 */
function commandFor(program: Command, groups: Map<string, Command>, descriptions: Readonly<Record<string, string>>, name: string): Command {
  const [group, sub] = name.split(' ', 2) as [string, string | undefined];
  if (sub === undefined) return program.command(group);
  let parent = groups.get(group);
  if (!parent) {
    parent = program
      .command(group)
      .description(descriptions[group] ?? `${group} commands`)
      .exitOverride()
      .configureOutput({ outputError: () => undefined });
    groups.set(group, parent);
  }
  return parent.command(sub);
}

function toOption(spec: OptionSpec): Option {
  const option = new Option(spec.flags, spec.description);
  if (spec.defaultValue !== undefined) option.default(spec.defaultValue);
  if (spec.choices) option.choices(spec.choices);
  if (spec.value === 'positive-int' || spec.value === 'non-negative-int') {
    const minimum = spec.value === 'positive-int' ? 1 : 0;
    option.argParser((raw: string) => {
      const parsed = Number(raw);
      if (!/^\d+$/.test(raw) || parsed < minimum) {
        throw new InvalidArgumentError(`expected a whole number${minimum ? ' above 0' : ''}, got '${raw}'`);
      }
      return parsed;
    });
  }
  return option;
}

function camelCase(name: string): string {
  return name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

/**
 * Runs the CLI and returns the exit code. Only bin/innover.js exits the process.
 * `overrides` lets tests run commands in-process with fakes and captured output.
 */
export async function main(argv: readonly string[], overrides: ContextOverrides = {}): Promise<number> {
  const json = argv.includes('--json');
  let exitCode = 0;
  let context: CommandContext | undefined;
  const stdout = overrides.out ?? defaultOutput();

  const program = buildProgram(async (spec, args) => {
    context = createContext({ commands, ...overrides, json: Boolean(args['json']), out: stdout });
    const { command } = await spec.load();
    const module = command as unknown as CommandModule<Record<string, unknown>, unknown>;
    const result = await module.handler(args, context);
    if (context.json) {
      if (result !== undefined) stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } else if (module.render) {
      const text = module.render(result, context);
      if (text) stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    }
    exitCode = module.exitCode?.(result) ?? 0;
  });
  program.configureOutput({
    writeOut: (text) => stdout.write(text),
    writeErr: (text) => stdout.info(text.trimEnd()),
    outputError: () => undefined,
  });
  for (const sub of program.commands.flatMap((command) => [command, ...command.commands])) {
    sub.configureOutput({
      writeOut: (text) => stdout.write(text),
      writeErr: (text) => stdout.info(text.trimEnd()),
      outputError: () => undefined,
    });
  }

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    return reportError(error, json, stdout);
  }
}

function reportError(error: unknown, json: boolean, out: Output): number {
  if (error instanceof CommanderError) {
    if (['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code)) return 0;
    if (error.code === 'commander.executeSubCommandAsync') return 0;
    const message = error.message
      .replace(/^error: /, '')
      .replace(/\s*\n\s*\(Did you mean (.+)\?\)/, ': did you mean $1?');
    return reportError(new UsageError(`${message} (see innover --help)`), json, out);
  }
  if (error instanceof UserError) {
    if (json) out.write(`${JSON.stringify({ error: { problems: error.problems, exitCode: error.exitCode } }, null, 2)}\n`);
    for (const problem of error.problems) out.warn(problem);
    return error.exitCode;
  }
  const detail = error instanceof Error ? error.message : String(error);
  if (json) out.write(`${JSON.stringify({ error: { problems: [detail], exitCode: 70 } }, null, 2)}\n`);
  out.warn(`internal error: ${detail} (rerun with INNOVER_DEBUG=1 for the stack, and report it)`);
  if (process.env['INNOVER_DEBUG'] && error instanceof Error && error.stack) out.info(error.stack);
  return 70;
}

function defaultOutput(): Output {
  return {
    isTTY: Boolean(process.stdout.isTTY),
    write: (text) => void process.stdout.write(text),
    info: (text) => void process.stderr.write(`${text}\n`),
    warn: (text) => void process.stderr.write(`innover: ${text}\n`),
  };
}
