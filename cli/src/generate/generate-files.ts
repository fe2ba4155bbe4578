import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { UserError, type CommandContext } from '../command.js';
import type { CommandSpec } from '../commands/registry.js';
import { validateApiConfig } from '../gateway/api-config-schema.js';
import { yamlErrorReason } from '../topology/load.js';
import { apiConfigPath, planFiles, readmePath } from './plan-files.js';
import { findDrift, readIfExists, writeChangedFiles } from './write-files.js';

export interface GenerateFilesOptions {
  /** Write nothing; report the generated files that differ from the topology. */
  check: boolean;
  /**
   * The CLI's command specs, for the README's command reference. Without them the README is left
   * alone (neither written nor drift-checked).
   */
  commands?: readonly CommandSpec[];
}

export interface GenerateResult {
  check: boolean;
  /** Every file innover owns, checked or written. */
  files: string[];
  /** Written this run (generate) — empty in --check mode. */
  written: string[];
  /** Differing from the topology (--check): `innover generate` would rewrite them. */
  drifted: string[];
  /** The user's API config: `created`, `extended` (new services' APIs added) or `kept`. */
  apiConfig: 'created' | 'extended' | 'kept';
}

/**
 * The user's API config is theirs, so never drift-checked, but it is validated: first that it
 * parses, then, with the entries this run appends, against the schema `publish-apis` uses.
 */
function checkApiConfig(text: string | undefined, label: string): void {
  if (text === undefined) return;
  const document = parseDocument(text);
  const error = document.errors[0];
  if (error) {
    throw new UserError(`${label}: not valid YAML: ${yamlErrorReason(error)}: fix the file or delete it to regenerate`);
  }
  const { errors } = validateApiConfig(document.toJS());
  if (errors.length > 0) throw new UserError(errors.map((problem) => `${label}: ${problem}`));
}

/**
 * The use case behind `innover generate` (and the generate step of `up`): plans every file from
 * the topology, then writes the changed ones, or with `check` only compares them.
 */
export async function generateFiles(ctx: CommandContext, options: GenerateFilesOptions): Promise<GenerateResult> {
  const topology = await ctx.topology();
  const existing = await readIfExists(join(ctx.root, apiConfigPath), apiConfigPath);
  checkApiConfig(existing, apiConfigPath);
  const readme = options.commands ? { existing: await readIfExists(join(ctx.root, readmePath), readmePath), commands: options.commands } : undefined;
  const planned = planFiles(topology, existing, readme);
  const generated = planned.filter((file) => file.ownership === 'generated');
  const apiConfig = planned.find((file) => file.ownership === 'user')!;
  checkApiConfig(apiConfig.content, apiConfigPath);
  const apiState = existing === undefined ? 'created' : existing === apiConfig.content ? 'kept' : 'extended';
  if (options.check) {
    return { check: true, files: generated.map((file) => file.path), written: [], drifted: await findDrift(ctx.root, generated), apiConfig: apiState };
  }
  const written = await writeChangedFiles(ctx.root, planned);
  return { check: false, files: generated.map((file) => file.path), written, drifted: [], apiConfig: apiState };
}
