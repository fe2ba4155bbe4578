import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface TypeCheckWatchOptions {
  /** Each line tsc prints (diagnostics and its `Found N errors` summaries). */
  onLine: (line: string) => void;
  signal: AbortSignal;
}

/** The project's own TypeScript compiler, for `innover dev`'s type errors beside the reload loop. */
export interface TypeScriptClient {
  /**
   * `tsc -b --watch --preserveWatchOutput <projects>` (incremental: the build info under each
   * project), until the signal aborts. Resolves false at once when the project has no TypeScript
   * installed, so the loop runs without it.
   */
  watch(projects: readonly string[], options: TypeCheckWatchOptions): Promise<boolean>;
}

/** The arguments, pure: `node <tsc> -b --watch --preserveWatchOutput --pretty false <projects>`. */
export function typeCheckArguments(compiler: string, projects: readonly string[]): string[] {
  return [compiler, '-b', '--watch', '--preserveWatchOutput', '--pretty', 'false', ...projects];
}

export function createTypeScriptClient(root: string): TypeScriptClient {
  return {
    async watch(projects, options) {
      const compiler = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
      if (!existsSync(compiler)) return false;
      const { execa } = await import('execa');
      const subprocess = execa(process.execPath, typeCheckArguments(compiler, projects), {
        cwd: root,
        all: true,
        reject: false,
        stdin: 'ignore',
        cancelSignal: options.signal,
      });
      let partial = '';
      subprocess.all?.on('data', (chunk: Buffer) => {
        const parts = (partial + chunk.toString('utf8')).split(/\r?\n/);
        partial = parts.pop() ?? '';
        for (const line of parts) options.onLine(line);
      });
      await subprocess;
      return true;
    },
  };
}
