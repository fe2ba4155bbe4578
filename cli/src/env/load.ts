import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../command.js';
import { parseDotenv } from './parse.js';
import type { ComponentModule } from '../components/module.js';
import type { Topology } from '../topology/schema.js';
import { envSchema, envSchemaFor, type EnvConfig } from './schema.js';

/** The settings file at the project root. */
export const envFileName = '.env';

/**
 * Validates `.env` text against the topology's schema (the fixed keys and each calling service's
 * client secret): one line per problem, each naming the key and the fix. Pure.
 * Returns the config or the problems.
 */
export function validateDotenv(text: string, topology: Topology, modules?: readonly ComponentModule[]): { value?: EnvConfig; problems: string[] } {
  const parsed = parseDotenv(text, envFileName);
  const result = envSchemaFor(topology, modules).safeParse(parsed.values);
  const problems = [...parsed.problems];
  if (!result.success) {
    for (const issue of result.error.issues) {
      const key = issue.path.map(String).join('.');
      problems.push(`${envFileName}: ${key}: ${issue.message}`);
    }
  }
  return problems.length || !result.success ? { problems } : { value: result.data, problems };
}

/** True when the validator refuses `value` for `key`; false for keys it does not know. */
export function refusedEnvValue(key: string, value: string): boolean {
  const field = (envSchema.shape as Record<string, { safeParse(value: unknown): { success: boolean } } | undefined>)[key];
  return field !== undefined && !field.safeParse(value).success;
}

/** Reads and validates `<root>/.env` for the topology. Throws a UserError listing every problem. */
export async function loadEnvFile(root: string, topology: Topology): Promise<EnvConfig> {
  let text: string;
  try {
    text = await readFile(join(root, envFileName), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new UserError(`${envFileName}: not found: run innover init to create it with fresh secrets`);
    }
    // A directory or a file without read permission is the user's to fix, not an internal error.
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new UserError(`${envFileName}: cannot be read (${code}): make it a file you can read, or delete it and run innover init`, { cause: error });
  }
  const { value, problems } = validateDotenv(text, topology);
  if (!value) throw new UserError(problems);
  return value;
}
