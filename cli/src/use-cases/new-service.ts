import type { CommandContext } from '../command.js';
import { planNewService, type NewServiceInput } from '../scaffold/plan-new-service.js';
import { applyServiceChange, derivedSteps, readSnapshot } from './service-change.js';

export interface NewServiceOptions extends NewServiceInput {
  /** Plan only: list what would be written and changed. */
  dryRun?: boolean;
}

export interface NewServiceResult {
  name: string;
  hostPort: number;
  dryRun: boolean;
  /** Files created (or, with dryRun, that would be). */
  writes: string[];
  /** Files edited (or that would be). */
  edits: string[];
  /** What follows from them: the steps run after the writes (or that would run). */
  steps: string[];
}

/**
 * The use case behind `innover new service`: plans every write first (refusing before anything is
 * written), then applies the plan and regenerates what derives from it; a failure restores the tree.
 */
export async function newService(ctx: CommandContext, options: NewServiceOptions): Promise<NewServiceResult> {
  const plan = planNewService(options, await readSnapshot(ctx, options.name));
  const result = { name: plan.name, hostPort: plan.hostPort, writes: plan.writes.map((file) => file.path), edits: plan.edits.map((edit) => edit.path), steps: derivedSteps };
  if (options.dryRun) return { ...result, dryRun: true };
  await applyServiceChange(ctx, { ...plan, removes: [] });
  return { ...result, dryRun: false };
}
