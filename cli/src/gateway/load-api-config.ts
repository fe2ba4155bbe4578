import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { UserError } from '../command.js';
import { yamlErrorReason } from '../topology/load.js';
import { validateApiConfig, type ApiConfig } from './api-config-schema.js';

/** Reads and validates api-config.yaml; every problem is one line naming the file and path. */
export async function loadApiConfig(file: string, label: string): Promise<ApiConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    if (code === 'ENOENT') throw new UserError(`${label}: not found: run \`innover generate\` to write the default`);
    throw new UserError(`${label}: cannot be read (${code}): point --file at a readable YAML file`, { cause: error });
  }
  let input: unknown;
  try {
    input = parse(text);
  } catch (error) {
    throw new UserError(`${label}: not valid YAML: ${yamlErrorReason(error)}: fix the file, or delete it and run innover generate`);
  }
  const result = validateApiConfig(input);
  if (!result.value) throw new UserError(result.errors.map((problem) => `${label}: ${problem}`));
  return result.value;
}
