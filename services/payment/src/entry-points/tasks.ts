/**
 * The payment worker's tasks: `run-payment` runs a payment's saga, `reconcile-payments` (a schedule) re-enqueues
 * payments stalled in a non-terminal status. Thin: wire the ports, call the domain.
 */
import { z } from 'zod';
import { defineTask } from '@innover/kit';
import { reapIdempotencyKeys } from '@innover/kit/idempotency';
import { defaultJobOptions } from '@innover/kit/queue';
import type { TaskContext, TaskRegistry } from '@innover/kit';
import { customersOver, forexOver, ledgerOver, rulesOver } from '../data-access/downstream-services.ts';
import { claimStalledPayments, createPaymentStore } from '../data-access/payments.ts';
import { runPaymentSaga } from '../domain/saga.ts';
import type { CrashPoint, SagaPorts } from '../domain/saga.ts';
import type { PaymentSettings } from './settings.ts';

/** The saga's job: one id per (payment, run), so a repeated enqueue of the same run is one job. */
export const sagaJob = {
  task: 'run-payment',
  /** BullMQ job ids may not contain ':'; run 0 is the API's enqueue, run n the reconciler's n-th. */
  id: (paymentId: string, run: number) => `run-payment-${paymentId}-${run}`,
};

/** The job's attempts (the kit's defaults: capped exponential backoff); the saga gives up on the last one. */
export const sagaAttempts = defaultJobOptions.attempts ?? 1;

/** The worker passes every runtime dependency to a task; the kit's TaskContext type names only some. */

function requireDatabase(context: TaskContext) {
  if (!context.database) throw new Error('the payment worker needs DATABASE_URL');
  return context.database;
}

/** Test-only crash point: the process dies at once, as if killed, right after `point` committed. */
function crashCheckpoint(settings: PaymentSettings): ((point: CrashPoint) => void) | undefined {
  if (!settings.crashAfter) return undefined;
  return (point) => {
    if (point !== settings.crashAfter) return;
    process.stderr.write(`payment worker: PAYMENT_CRASH_AFTER=${point}: crashing on purpose\n`);
    process.kill(process.pid, 'SIGKILL');
  };
}

export function paymentTasks(settings: PaymentSettings): TaskRegistry {
  let ports: Omit<SagaPorts, 'store'> | undefined;
  const downstream = (context: TaskContext) => {
    if (ports) return ports;
    const services = context.services;
    ports = { customers: customersOver(services.get('profile')), rules: rulesOver(services.get('rule-engine')), forex: forexOver(services.get('forex')), ledger: ledgerOver(services.get('ledger')) };
    return ports;
  };
  const checkpoint = crashCheckpoint(settings);

  return {
    [sagaJob.task]: defineTask(z.strictObject({ paymentId: z.uuid() }), async ({ paymentId }, context) => {
      const payment = await runPaymentSaga(
        paymentId,
        { store: createPaymentStore(requireDatabase(context)), ...downstream(context) },
        {
          reservationTimeoutSeconds: settings.reservationTimeoutSeconds,
          lastAttempt: context.job.attemptsMade + 1 >= sagaAttempts,
          ...(checkpoint ? { checkpoint } : {}),
          warn: (message, details) => context.logger.warn(details, message),
        },
      );
      if (!payment) context.logger.warn({ paymentId }, 'no such payment; nothing to run');
      return { paymentId, status: payment?.status, reason: payment?.reason?.code };
    }),

    // Scheduled (ServiceDefinition.schedules): whatever arguments the scheduler passes are ignored.
    'reconcile-payments': defineTask(z.unknown(), async (_args, context) => {
      const tasks = context.tasks;
      if (!tasks) throw new Error('the payment reconciler needs REDIS_URL');
      // FOR UPDATE SKIP LOCKED + checked_at moved on: with several replicas each stalled payment is claimed once per round.
      const stalled = await claimStalledPayments(requireDatabase(context), settings.stalledAfterMs, 500);
      // Each resumed saga continues the trace of the POST /payments that started it (its stored traceparent).
      for (const payment of stalled) {
        await tasks.enqueue(sagaJob.task, { paymentId: payment.id }, { jobId: sagaJob.id(payment.id, payment.run), ...(payment.traceparent ? { trace: { traceparent: payment.traceparent } } : {}) });
      }
      if (stalled.length > 0) context.logger.info({ count: stalled.length, paymentIds: stalled.map((payment) => payment.id) }, 'stalled payments re-enqueued');
      return { reenqueued: stalled.length };
    }),

    // Keys are kept at least the contract's 24 h; older ones go, a bounded batch per run.
    'reap-idempotency-keys': defineTask(z.unknown(), async (_args, context) => ({ reaped: await reapIdempotencyKeys(requireDatabase(context)) })),
  };
}
