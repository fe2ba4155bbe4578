import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { UserError } from '../command.js';
import { topologyFileName } from '../context.js';
import { defaultTopology } from './default-topology.js';
import { validateTopology } from './validate.js';
import type { Topology } from './schema.js';

/**
 * The one-line reason of a YAML parse error. The yaml library's first line names the problem and
 * its line and column, then ends with ':' before a multi-line code frame, which is left out.
 */
export function yamlErrorReason(error: unknown): string {
  return (error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error)).replace(/:\s*$/, '');
}

/** Reads innover.yaml (when present) over the defaults and validates it. Throws UserError. */
export async function loadTopology(root: string): Promise<Topology> {
  const file = join(root, topologyFileName);
  let text: string | undefined;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    if (code !== 'ENOENT') {
      throw new UserError(`${topologyFileName}: cannot be read (${code}): make it a file you can read`, { cause: error });
    }
  }
  let input: unknown = {};
  if (text !== undefined) {
    try {
      input = parse(text) ?? {};
    } catch (error) {
      throw new UserError(`${topologyFileName}: not valid YAML: ${yamlErrorReason(error)}: fix the syntax there`);
    }
  }
  const result = validateTopology(input);
  if (!result.value) {
    throw new UserError(result.errors.map((problem) => `${topologyFileName}: ${problem}`));
  }
  for (const warning of result.warnings) process.emitWarning(warning);
  return result.value;
}

export { defaultTopology };
