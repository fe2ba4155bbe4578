import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { UserError } from '../command.js';

/** What a buf run left behind: nothing to say, or one line per problem. */
export type BufOutcome = { ok: true } | { ok: false; problems: string[] };

/**
 * The two buf invocations `innover proto` makes. The real one runs the npm-installed buf (never a
 * global one, never remote plugins); tests may substitute it.
 */
export interface BufRunner {
  /** `buf build <moduleDir> -o <imagePath>`: compiles the protos into a JSON image (source info kept for comments). */
  build(moduleDir: string, imagePath: string): Promise<BufOutcome>;
  /** `buf generate <imagePath>` with the local protoc-gen-es plugin, TypeScript, `.js` import extensions. */
  generate(imagePath: string, outDir: string): Promise<BufOutcome>;
}

/** The npm packages providing the two executables, for the "not found" fix. */
const tools = {
  buf: { packageName: '@bufbuild/buf', bin: 'bin/buf' },
  'protoc-gen-es': { packageName: '@bufbuild/protoc-gen-es', bin: 'bin/protoc-gen-es' },
} as const;

/**
 * Finds an npm-installed executable: the project's `node_modules/.bin` first, else the copy next
 * to the CLI itself. Throws UserError naming the package to install.
 */
export function locateTool(root: string, tool: keyof typeof tools): string {
  const local = join(root, 'node_modules', '.bin', tool);
  if (existsSync(local)) return local;
  const { packageName, bin } = tools[tool];
  try {
    const manifest = createRequire(import.meta.url).resolve(`${packageName}/package.json`);
    const path = join(dirname(manifest), bin);
    if (existsSync(path)) return path;
  } catch {
    // Not resolvable from the CLI either: fall through to the error.
  }
  throw new UserError(`${tool} not found: run \`npm install -D ${packageName}\` in ${root} (innover proto uses the npm-installed ${tool} only)`);
}

/** buf.gen.yaml as JSON: one local plugin, no remote plugin, no managed mode. Pure. */
export function renderGenerateTemplate(pluginPath: string): string {
  return JSON.stringify({
    version: 'v2',
    plugins: [{ local: pluginPath, out: '.', opt: ['target=ts', 'import_extension=js'] }],
  });
}

/**
 * Turns buf's `--error-format json` output into one line per problem: `file:line:column: message`.
 * Lines that are not JSON (e.g. `Failure: ...`) are kept as they are. Pure.
 */
export function parseBufProblems(output: string): string[] {
  const problems: string[] = [];
  for (const raw of output.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    try {
      const annotation = JSON.parse(line) as { path?: string; start_line?: number; start_column?: number; message?: string };
      if (annotation.path && annotation.message) {
        const position = [annotation.path, annotation.start_line, annotation.start_column].filter((part) => part !== undefined && part !== 0);
        problems.push(`${position.join(':')}: ${annotation.message}`);
        continue;
      }
    } catch {
      // Not an annotation: plain text from buf.
    }
    problems.push(line.replace(/^Failure: /, ''));
  }
  return [...new Set(problems)];
}

/** The real runner: execa, argument arrays only, cwd = the project root so paths in errors are relative to it. */
export function createBufRunner(root: string): BufRunner {
  const buf = locateTool(root, 'buf');
  const plugin = locateTool(root, 'protoc-gen-es');
  // protoc-gen-es is a `#!/usr/bin/env node` script: make sure it runs on the Node running innover.
  const env = { PATH: [dirname(process.execPath), process.env['PATH'] ?? ''].join(delimiter) };
  const run = async (args: string[]): Promise<BufOutcome> => {
    const { execa } = await import('execa');
    const result = await execa(buf, args, { cwd: root, env, reject: false, all: true });
    if (result.exitCode === 0) return { ok: true };
    const problems = parseBufProblems(result.all ?? '');
    return { ok: false, problems: problems.length ? problems : [`buf ${args[0]} failed with exit code ${result.exitCode}`] };
  };
  return {
    build: (moduleDir, imagePath) => run(['build', moduleDir, '--error-format', 'json', '-o', imagePath]),
    generate: (imagePath, outDir) =>
      run(['generate', imagePath, '--error-format', 'json', '--template', renderGenerateTemplate(plugin), '-o', outDir]),
  };
}
