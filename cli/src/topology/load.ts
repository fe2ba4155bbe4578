import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { UserError } from '../command.js';
import { topologyFileName } from '../context.js';
import { defaultTopology } from './default-topology.js';
import { validateTopology } from './validate.js';
import type { Topology } from './schema.js';

/** Reads innover.yaml (when present) over the defaults and validates it. Throws UserError. */
export async function loadTopology(root: string): Promise<Topology> {
  const file = join(root, topologyFileName);
  let text: string | undefined;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  let input: unknown = {};
  if (text !== undefined) {
    try {
      input = parse(text) ?? {};
    } catch (error) {
      // The yaml library's first line ends with ':' before its code frame; the frame is not one line.
      const reason = (error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error)).replace(/:\s*$/, '');
      throw new UserError(`${topologyFileName}: not valid YAML: ${reason}: fix the syntax there`);
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
