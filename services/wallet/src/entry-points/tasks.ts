import { z } from 'zod';
import type { Database, TaskContext, TaskRegistry } from '@innover/kit';
import { defineTask } from '@innover/kit';
import { completeAbandonedRequests, reapIdempotencyKeys } from '@innover/kit/idempotency';
import type { Phases } from '@innover/kit/idempotency';
import { topUpPhases } from '../domain/top-ups.ts';
import type { TopUpPorts } from '../domain/top-ups.ts';

const topUpPath = /^\/wallets\/[^/]+\/top-ups$/;

/** The phases of a stored request, by its method and path: only top-ups have phases here. */
export function phasesForRequest(ports: TopUpPorts): (request: { method: string; path: string }) => Phases | undefined {
  const phases = topUpPhases(ports);
  return (request) => (request.method === 'POST' && topUpPath.test(request.path) ? phases : undefined);
}

/**
 * Brandur's completer and reaper for the wallet's idempotency keys, for a periodic worker job (the kit's
 * `schedules`): finishes top-ups whose client went away past the recovery point (the ledger transfer is
 * idempotent by its id), then deletes keys older than 24 h.
 */
export async function maintainIdempotencyKeys(database: Database, ports: TopUpPorts, options: { lockTimeoutMs?: number } = {}): Promise<{ completed: number; reaped: number }> {
  const completed = await completeAbandonedRequests(database, phasesForRequest(ports), options);
  const reaped = await reapIdempotencyKeys(database);
  return { completed, reaped };
}

/** The task `maintain-idempotency-keys` runs under; service.ts schedules it. */
export const maintainIdempotencyKeysTask = 'maintain-idempotency-keys';

/** How often the worker runs it: an abandoned top-up is finished within about a minute, and the reaper's batch stays small. */
export const maintainIdempotencyKeysEveryMs = 60_000;

/** The wallet worker's tasks; `ports` gives the ledger and the store from the task's context (the services it may call). */
export function walletTasks(ports: (context: TaskContext) => TopUpPorts): TaskRegistry {
  return {
    // Scheduled (ServiceDefinition.schedules): whatever arguments the scheduler passes are ignored.
    [maintainIdempotencyKeysTask]: defineTask(z.unknown(), async (_args, context) => {
      if (!context.database) throw new Error('the wallet worker needs DATABASE_URL');
      return await maintainIdempotencyKeys(context.database, ports(context));
    }),
  };
}
