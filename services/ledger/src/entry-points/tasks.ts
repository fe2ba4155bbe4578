/**
 * The ledger's worker tasks. `expire-transfers` voids, with status `expired`, the pending transfers past
 * their timeout; the worker runs it every 5 s (service.ts `schedules`). Safe with several replicas: each
 * batch claims its transfers with FOR UPDATE SKIP LOCKED, so two runs never expire the same transfer.
 */
import { z } from 'zod';
import { defineTask } from '@innover/kit';
import type { TaskRegistry } from '@innover/kit';
import { createLedger } from '../domain/ledger.ts';
import { ledgerTransactions } from '../data-access/ledger-store.ts';

export const expireTransfersArguments = z
  .strictObject({
    batchSize: z.number().int().min(1).max(1_000).optional(),
    maxBatches: z.number().int().min(1).max(1_000).optional(),
  })
  .optional();

export const ledgerTasks: TaskRegistry = {
  'expire-transfers': defineTask(expireTransfersArguments, async (args, { database, logger }) => {
    if (!database) throw new Error('expire-transfers needs DATABASE_URL, which is not set for this worker');
    const expired = await createLedger(ledgerTransactions(database)).expireTransfers(args ?? {});
    if (expired > 0) logger.info({ expired }, 'pending transfers expired');
    return { expired };
  }),
};
