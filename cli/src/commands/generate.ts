import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { UserError, type CommandModule } from '../command.js';
import { apiConfigPath, planFiles, readmePath } from '../generate/plan-files.js';
import { findDrift, readIfExists, writeChangedFiles } from '../generate/write-files.js';

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

/** The user's API config must at least parse; its content is the user's business. */
function validateApiConfig(text: string | undefined): void {
  if (text === undefined) return;
  const document = parseDocument(text);
  const error = document.errors[0];
  if (error) {
    throw new UserError(`${apiConfigPath}: not valid YAML: ${error.message.split('\n')[0]}: fix the file or delete it to regenerate`);
  }
}

export const command: CommandModule<GenerateArgs, GenerateResult> = {
  async handler(args, ctx) {
    const topology = await ctx.topology();
    const existing = await readIfExists(join(ctx.root, apiConfigPath));
    validateApiConfig(existing);
    const readme = await readIfExists(join(ctx.root, readmePath));
    const planned = planFiles(topology, existing, readme);
    const generated = planned.filter((file) => file.ownership === 'generated');
    const apiConfig = planned.find((file) => file.ownership === 'user')!;
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
        `${result.drifted.length} generated file${result.drifted.length > 1 ? 's' : ''} differ from the topology: run innover generate`,
      ].join('\n');
    }
    const lines = result.written.map((path) => `wrote ${path}`);
    lines.push(`${result.written.length} written, ${result.files.length + 1 - result.written.length} unchanged`);
    return lines.join('\n');
  },
  exitCode: (result) => (result.drifted.length ? 1 : 0),
};
