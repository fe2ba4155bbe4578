import { existsSync } from 'node:fs';
import type { CommandContext } from '../command.js';
import type { StackTarget } from './resolve-stack.js';

/**
 * Writes the shared generated files with the foundation's pipeline (what `innover generate`
 * writes), then the profile's own compose/nginx/collector files under `.innover/` when the
 * profile is not the committed default. Unchanged files are not touched, so a second `up` on an
 * unchanged topology changes nothing.
 */
export async function generateStack(ctx: CommandContext, target: StackTarget): Promise<void> {
  const { generateFiles } = await import('../generate/generate-files.js');
  await generateFiles(ctx, { check: false, ...(ctx.commands ? { commands: ctx.commands } : {}) });
  if (target.profile === target.topology.defaultProfile) return;
  const [{ renderProfileFiles }, { writeChangedFiles }] = await Promise.all([
    import('../render/profile-files.js'),
    import('../generate/write-files.js'),
  ]);
  const files = renderProfileFiles(target.topology, target.profile).map((file) => ({ ...file, ownership: 'generated' as const }));
  await writeChangedFiles(ctx.root, files);
}

/** Commands that only address a stack (down, restart, ...) generate its compose file when missing. */
export async function ensureComposeFile(ctx: CommandContext, target: StackTarget): Promise<void> {
  if (!existsSync(target.compose.file)) await generateStack(ctx, target);
}
