import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { readTree } from '../host/read-tree.js';
import { UserError } from '../command.js';

/** What a buf run left behind: nothing to say, or one line per problem. */
export type BufOutcome = { ok: true } | { ok: false; problems: string[] };

/** What `buf build` and `buf generate` made of a protobuf module, or why they could not. */
export type BufCompileOutcome =
  | {
      ok: true;
      /** The module as a JSON image (`buf build -o image.json`, source info kept for comments). */
      image: string;
      /** protoc-gen-es' TypeScript, by POSIX path relative to the output folder. */
      generated: Map<string, string>;
    }
  | { ok: false; problems: string[] };

/**
 * The `buf` client (`ctx.client('buf')`) of `innover proto`: the npm-installed buf (never a global
 * one, never remote plugins) with the local protoc-gen-es plugin. Its image and output live in a
 * temporary folder of its own, removed before it answers; callers get their content.
 */
export interface BufClient {
  /** Compiles `moduleDir` (relative to the project root) and generates TypeScript, `.js` import extensions. */
  compile(moduleDir: string): Promise<BufCompileOutcome>;
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
    plugins: [{ local: pluginPath, out: '.', opt: ['target=ts', 'import_extension=ts', 'erasable_syntax=true'] }],
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

/** The real client: execa, argument arrays only, cwd = the project root so paths in errors are relative to it. */
export function createBufClient(root: string): BufClient {
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
    async compile(moduleDir) {
      const work = await mkdtemp(join(tmpdir(), 'innover-proto-'));
      try {
        const image = join(work, 'image.json');
        const built = await run(['build', moduleDir, '--error-format', 'json', '-o', image]);
        if (!built.ok) return built;
        const output = join(work, 'out');
        const generated = await run(['generate', image, '--error-format', 'json', '--template', renderGenerateTemplate(plugin), '-o', output]);
        if (!generated.ok) return generated;
        return { ok: true, image: await readFile(image, 'utf8'), generated: await readTree(output) };
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    },
  };
}

