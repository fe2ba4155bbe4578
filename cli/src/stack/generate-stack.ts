import { existsSync } from 'node:fs';
import type { CommandContext } from '../command.js';
import type { StackTarget } from './resolve-stack.js';

/**
 * Writes the profile's compose file and derived configs with the foundation's generate pipeline
 * (the same code `innover generate` runs), so `up` never starts from a stale file.
 */
export async function generateStack(ctx: CommandContext, target: StackTarget): Promise<void> {
  const { command } = await import('../commands/generate.js');
  const handler = command.handler as (args: Record<string, unknown>, ctx: CommandContext) => Promise<unknown>;
  await handler({ profile: target.profile, check: false }, ctx);
}

/** Commands that only address a stack (down, restart, ...) generate its compose file when missing. */
export async function ensureComposeFile(ctx: CommandContext, target: StackTarget): Promise<void> {
  if (!existsSync(target.compose.file)) await generateStack(ctx, target);
}
