import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CommandSpec } from '../../src/commands/registry.js';
import { generateFiles } from '../../src/generate/generate-files.js';
import { planFiles, readmePath } from '../../src/generate/plan-files.js';
import { referenceEnd, referenceStart } from '../../src/render/command-reference.js';
import { testContext } from '../support/context.js';
import { defaultStack } from '../topology/fixtures.js';
import { scratchDirectory } from '../support/scratch.js';

// The README's command reference is rendered from the specs it is given: planFiles and
// generateFiles take them as a parameter instead of importing the CLI's registry.
const specs: CommandSpec[] = [
  { name: 'hello', description: 'say hello', options: [{ flags: '--loud', description: 'louder' }], load: () => Promise.reject(new Error('not loaded')) },
];
const readme = `# project\n\n${referenceStart}\nold\n${referenceEnd}\n\nmore\n`;

describe('the README command reference', () => {
  it('is planned from the command specs passed in, and not at all without them', () => {
    const planned = planFiles(defaultStack(), undefined, { existing: readme, commands: specs }).find((file) => file.path === readmePath);
    expect(planned?.content).toContain('| `innover hello` | say hello | `--loud` |');
    expect(planned?.content).not.toContain('\nold\n');
    expect(planFiles(defaultStack(), undefined).some((file) => file.path === readmePath)).toBe(false);
  });

  it('generateFiles writes it from options.commands and leaves the README alone without them', async () => {
    const root = scratchDirectory('innover-readme-');
    writeFileSync(join(root, readmePath), readme);
    const ctx = testContext({}, { root, topology: defaultStack() });
    const without = await generateFiles(ctx, { check: false });
    expect(without.written).not.toContain(readmePath);
    expect(readFileSync(join(root, readmePath), 'utf8')).toBe(readme);
    const withSpecs = await generateFiles(ctx, { check: false, commands: specs });
    expect(withSpecs.written).toContain(readmePath);
    expect(readFileSync(join(root, readmePath), 'utf8')).toContain('`innover hello`');
    expect((await generateFiles(ctx, { check: true, commands: specs })).drifted).toEqual([]);
  });
});
