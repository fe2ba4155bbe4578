import type { CommandModule } from '../command.js';
import { generateFiles, type GenerateResult } from '../generate/generate-files.js';

export type { GenerateResult } from '../generate/generate-files.js';

interface GenerateArgs {
  check?: boolean;
}

export const command: CommandModule<GenerateArgs, GenerateResult> = {
  handler: (args, ctx) => generateFiles(ctx, { check: Boolean(args.check), ...(ctx.commands ? { commands: ctx.commands } : {}) }),
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
