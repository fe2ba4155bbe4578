import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { UserError } from '../command.js';
import { topologyFileName } from './topology-file.js';
import { topicsFileName } from '../proto/events-module.js';
import { generatedDirectory } from '../proto/plan.js';
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

/**
 * The event topics protos/ defines, as `innover proto` last wrote them into the generated package;
 * undefined when the project has no generated package (nothing to check `consumes` against then).
 */
export async function readEventTopics(root: string): Promise<ReadonlySet<string> | undefined> {
  let text: string;
  try {
    text = await readFile(join(root, generatedDirectory, topicsFileName), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return new Set(Object.keys(JSON.parse(text) as Record<string, string>));
}

/**
 * Reads innover.yaml (when present) over the defaults and validates it, `services[].consumes` against the
 * generated package's topics unless `checkEvents` is false (`innover proto` checks against a fresh build).
 * Throws UserError.
 */
export async function loadTopology(root: string, options: { checkEvents?: boolean } = {}): Promise<Topology> {
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
  const eventTopics = options.checkEvents === false ? undefined : await readEventTopics(root);
  const result = validateTopology(input, eventTopics ? { eventTopics } : {});
  if (!result.value) {
    throw new UserError(result.errors.map((problem) => `${topologyFileName}: ${problem}`));
  }
  for (const warning of result.warnings) process.emitWarning(warning);
  return result.value;
}

export { defaultTopology };
