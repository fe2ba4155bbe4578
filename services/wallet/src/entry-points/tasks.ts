import type { Database } from '@innover/kit';
import { completeAbandonedRequests, reapIdempotencyKeys } from '@innover/kit/idempotency';
import type { Phases } from '@innover/kit/idempotency';
import { topUpPhases } from '../domain/top-ups.js';
import type { TopUpPorts } from '../domain/top-ups.js';

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
