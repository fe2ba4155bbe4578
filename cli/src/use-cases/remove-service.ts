import type { CommandContext } from '../command.js';
import { planRemoveService } from '../scaffold/plan-remove-service.js';
import { applyServiceChange, derivedSteps, readSnapshot } from './service-change.js';

export interface RemoveServiceResult {
  name: string;
  dryRun: boolean;
  /** Folders deleted (or that would be). */
  removes: string[];
  /** Files edited (or that would be). */
  edits: string[];
  steps: string[];
}

/** The use case behind `innover remove service`: the undo of `new service`, planned first, applied whole or not at all. */
export async function removeService(ctx: CommandContext, options: { name: string; dryRun?: boolean }): Promise<RemoveServiceResult> {
  const plan = planRemoveService(options.name, await readSnapshot(ctx, options.name));
  const result = { name: plan.name, removes: plan.removes, edits: plan.edits.map((edit) => edit.path), steps: derivedSteps };
  if (options.dryRun) return { ...result, dryRun: true };
  await applyServiceChange(ctx, { ...plan, writes: [] });
  return { ...result, dryRun: false };
}
