import { z } from 'zod';

/** Argument schemas of the sample tasks every service has. */
export const sampleTaskArguments = {
  add: z.strictObject({ a: z.number({ message: 'must be a number' }), b: z.number({ message: 'must be a number' }) }),
  slow: z.strictObject({ seconds: z.number({ message: 'must be a number' }).min(0, 'must be 0 or more').max(3_600, 'must be at most 3600') }),
};

/** A user mistake in task arguments; the message is one line, fit to print as is. */
export class TaskArgumentError extends Error {
  override name = 'TaskArgumentError';
}

function parseNumber(task: string, field: string, raw: string | undefined): number {
  const value = Number(raw);
  if (raw === undefined || raw.trim() === '' || !Number.isFinite(value)) throw new TaskArgumentError(`${task}: argument ${field} must be a number (got "${raw ?? ''}")`);
  return value;
}

/**
 * Maps positional CLI arguments to a task payload: `add 1 2` → `{a:1,b:2}`, `slow 5` → `{seconds:5}`.
 * Any other task takes a single JSON object argument.
 */
export function parseTaskArgs(task: string, argv: string[]): Record<string, unknown> {
  if (task === 'add') {
    if (argv.length !== 2) throw new TaskArgumentError(`add: expects 2 numbers, e.g. "add 1 2" (got ${argv.length} arguments)`);
    return { a: parseNumber(task, 'a', argv[0]), b: parseNumber(task, 'b', argv[1]) };
  }
  if (task === 'slow') {
    if (argv.length !== 1) throw new TaskArgumentError(`slow: expects 1 number of seconds, e.g. "slow 5" (got ${argv.length} arguments)`);
    const seconds = parseNumber(task, 'seconds', argv[0]);
    if (seconds < 0 || seconds > 3_600) throw new TaskArgumentError(`slow: seconds must be between 0 and 3600 (got ${seconds})`);
    return { seconds };
  }
  if (argv.length === 1) {
    try {
      const value: unknown = JSON.parse(argv[0] ?? '');
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
    } catch {
      // fall through to the error below
    }
  }
  throw new TaskArgumentError(`${task}: pass one JSON object argument, e.g. '{"key":"value"}' (built-in tasks with positional arguments: add, slow)`);
}
