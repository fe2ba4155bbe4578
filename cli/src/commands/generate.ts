import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { UserError, type CommandModule } from '../command.js';
import { apiConfigPath, planFiles, readmePath } from '../generate/plan-files.js';
import { findDrift, readIfExists, writeChangedFiles } from '../generate/write-files.js';
import { validateApiConfig } from '../gateway/api-config-schema.js';
import { yamlErrorReason } from '../topology/load.js';

interface GenerateArgs {
  check?: boolean;
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

export const command: CommandModule<GenerateArgs, GenerateResult> = {
  async handler(args, ctx) {
    const topology = await ctx.topology();
    const existing = await readIfExists(join(ctx.root, apiConfigPath), apiConfigPath);
    checkApiConfig(existing, apiConfigPath);
    const readme = await readIfExists(join(ctx.root, readmePath), readmePath);
    const planned = planFiles(topology, existing, readme);
    const generated = planned.filter((file) => file.ownership === 'generated');
    const apiConfig = planned.find((file) => file.ownership === 'user')!;
    checkApiConfig(apiConfig.content, apiConfigPath);
    const apiState = existing === undefined ? 'created' : existing === apiConfig.content ? 'kept' : 'extended';
    if (args.check) {
      return { check: true, files: generated.map((file) => file.path), written: [], drifted: await findDrift(ctx.root, generated), apiConfig: apiState };
    }
    const written = await writeChangedFiles(ctx.root, planned);
    return { check: false, files: generated.map((file) => file.path), written, drifted: [], apiConfig: apiState };
  },
  render(result) {
    if (result.check) {
      if (!result.drifted.length) return `${result.files.length} generated files match the topology`;
      return [
        ...result.drifted.map((path) => `drifted: ${path}`),
        `${result.drifted.length} generated file${result.drifted.length > 1 ? 's differ' : ' differs'} from the topology: run innover generate`,
      ].join('\n');
    }
    const lines = result.written.map((path) => `wrote ${path}`);
    lines.push(`${result.written.length} written, ${result.files.length + 1 - result.written.length} unchanged`);
    return lines.join('\n');
  },
  exitCode: (result) => (result.drifted.length ? 1 : 0),
};
