import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import { afterAll, describe, expect, it } from 'vitest';

// The very configuration `npm run lint:cycles` runs with, read as its CLI reads it.
const options = await extractDepcruiseOptions(join(import.meta.dirname, '../../.dependency-cruiser.mjs'));

const root = mkdtempSync(join(tmpdir(), 'innover-cycles-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Writes the files into a fresh folder and returns the `no-cycle` findings, as `from -> to`. */
async function cycles(name: string, files: Record<string, string>): Promise<string[]> {
  const folder = join(root, name);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(folder, path)), { recursive: true });
    writeFileSync(join(folder, path), content);
  }
  const { output } = await cruise(['.'], { ...options, baseDir: folder });
  const result = output as ICruiseResult;
  return result.summary.violations
    .filter((violation) => violation.rule.name === 'no-cycle')
    .map((violation) => `${violation.from} -> ${violation.to}`);
}

describe('the import-cycle check (npm run lint:cycles)', () => {
  it('flags two modules importing each other', async () => {
    const found = await cycles('static', {
      'a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
      'b.ts': "import { a } from './a.js';\nexport const b = () => a;\n",
    });
    expect(found.length).toBeGreaterThan(0);
    expect(found).toContain('a.ts -> b.ts');
  });

  it('counts a dynamic import() as an edge of a cycle', async () => {
    const found = await cycles('dynamic', {
      'registry.ts': "export const load = () => import('./command.js');\n",
      'command.ts': "import { load } from './registry.js';\nexport const again = load;\n",
    });
    expect(found).not.toEqual([]);
    // The same two modules without the dynamic import: no cycle.
    expect(
      await cycles('no-dynamic', {
        'registry.ts': 'export const load = () => undefined;\n',
        'command.ts': "import { load } from './registry.js';\nexport const again = load;\n",
      }),
    ).toEqual([]);
  });

  it('finds a longer cycle through folders', async () => {
    const found = await cycles('long', {
      'commands/up.ts': "import { plan } from '../stack/plan.js';\nexport const up = plan;\n",
      'stack/plan.ts': "import { files } from '../generate/files.js';\nexport const plan = files;\n",
      'generate/files.ts': "export const files = () => import('../commands/up.js');\n",
    });
    expect(found.length).toBeGreaterThan(0);
  });

  it('does not count type-only imports and re-exports, which TypeScript erases', async () => {
    const found = await cycles('types', {
      'command.ts': "import type { Spec } from './registry.js';\nexport interface Command { spec?: Spec }\nexport const run = 1;\n",
      'registry.ts': "import { run } from './command.js';\nexport interface Spec { name: string }\nexport const specs = [run];\n",
      'result.ts': "export type { Spec } from './registry.js';\nexport const result = 1;\n",
      'user.ts': "import { result } from './result.js';\nexport const user = result;\n",
    });
    expect(found).toEqual([]);
  });

  it('lint refuses `import { type A }`, which stays an import at run time but reads as type-only here', async () => {
    const { ESLint } = await import('eslint');
    const eslint = new ESLint({ cwd: join(import.meta.dirname, '../..') });
    const [result] = await eslint.lintText("import { type B } from './b.js';\nexport const a = (value: B) => value;\n", { filePath: 'test/lint/inline-type.ts' });
    expect(result?.messages.map((message) => message.ruleId)).toContain('@typescript-eslint/no-import-type-side-effects');
  });
});
