/**
 * The payment HTTP contract (issue 10): POST /payments (idempotent), GET /payments/:id, GET /payments?payerWalletId=.
 * Thin: validate, call the use case or the data-access module, answer.
 */
import { randomUUID } from 'node:crypto';
import { outboxWritten } from '@innover/kit/outbox';
import type { Router } from 'express';
import { z } from 'zod';
import { HttpError, refuseRequest, requireDependency, validateBody, validateQuery } from '@innover/kit';
import type { Logger, ApiDependencies, TaskEnqueuer } from '@innover/kit';
import { idempotent, passTo, respond } from '@innover/kit/idempotency';
import type { Phases } from '@innover/kit/idempotency';
import { walletsOver } from '../data-access/downstream-services.ts';
import { findHistories, findPaymentWithHistory, insertPaymentParts, listPaymentsOfPayer, pendingPayment } from '../data-access/payments.ts';
import { checkPaymentRequest } from '../domain/accept-payment.ts';
import type { PaymentRequest } from '../domain/accept-payment.ts';
import { toView } from '../domain/payment.ts';
import type { Wallet, Wallets } from '../domain/ports.ts';
import { sagaJob } from './tasks.ts';

const minorUnits = z.number().int('must be a whole number of minor units').positive('must be greater than 0').refine(Number.isSafeInteger, 'must be a safe integer');

/** Body of POST /payments. Amounts are integers in minor units, so no float ever touches money. */
export const paymentRequest = z.strictObject({
  payerWalletId: z.uuid('must be a wallet id (UUID)'),
  payeeWalletId: z.uuid('must be a wallet id (UUID)'),
  amountMinor: minorUnits,
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR'),
  reference: z.string().max(140).optional(),
});

const listQuery = z.object({
  payerWalletId: z.uuid('must be a wallet id (UUID)'),
  limit: z.coerce.number().int().positive().default(50).transform((limit) => Math.min(limit, 200)),
  cursor: z.string().max(200).optional(),
});

/** Opaque list cursor: base64url of the last row's (createdAt, id). */
export function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(JSON.stringify([createdAt.toISOString(), id])).toString('base64url');
}

export function decodeCursor(cursor: string): { createdAt: string; id: string } | undefined {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof createdAt !== 'string' || Number.isNaN(Date.parse(createdAt)) || !z.uuid().safeParse(id).success) return undefined;
    return { createdAt, id: id as string };
  } catch {
    return undefined;
  }
}

/**
 * POST /payments in two transactions (kit idempotency): the key's insert, then one that stores the payment,
 * its history row, its event and the 202 response together. `started` looks the wallets up (a foreign read, so
 * it `passTo`s `checked` without a transaction of its own: a crash before `checked` committed re-reads them);
 * `checked` stores everything and then enqueues the saga (job id from the payment id). A crash or a lost
 * enqueue after that commit leaves a pending payment that the reconciler picks up. `created`, the recovery
 * point between the payment and the response of earlier releases, still resumes keys left there.
 */
function acceptPhases(dependencies: ApiDependencies, logger: Logger): Phases {
  // Resolved on first use: an API without WALLET_URL still starts (and answers its other routes).
  let wallets: Wallets | undefined;
  return {
    started: async (context) => {
      wallets ??= walletsOver(dependencies.services.get('wallet'));
      const checked = await checkPaymentRequest(context.body as PaymentRequest, wallets);
      if ('code' in checked) throw new HttpError(checked.status, checked.code, checked.message);
      return passTo('checked', { payer: { ...checked.payer }, payee: { ...checked.payee } });
    },
    checked: async (context) => {
      // Before anything is stored: without Redis the saga could never run, so refuse (503) rather than accept.
      const tasks = requireDependency(dependencies.tasks, 'REDIS_URL');
      const body = context.body as PaymentRequest;
      const payer = context.state['payer'] as unknown as Wallet;
      const payee = context.state['payee'] as unknown as Wallet;
      const input = {
        id: randomUUID(),
        payerWalletId: payer.id,
        payeeWalletId: payee.id,
        payerCustomerId: payer.customerId,
        payeeCustomerId: payee.customerId,
        payerAccountId: payer.ledgerAccountId,
        payeeAccountId: payee.ledgerAccountId,
        amountMinor: body.amountMinor,
        currency: body.currency,
        payeeCurrency: payee.currency,
        reference: body.reference,
      };
      // One statement: the key records the 202 as the payment, its history and its event are written. The answer is
      // known before (the payment as it is stored: pending, created now), and it is the stored first response.
      const accepted = pendingPayment(input, new Date());
      const stored = await context.atomicStatement(respond(202, toView(accepted, [{ status: 'pending', at: accepted.createdAt }])), (gate, firstParameter) =>
        insertPaymentParts(input, { firstParameter, gate, createdAt: accepted.createdAt }),
      );
      outboxWritten();
      // The response is stored (a settled ambiguous commit answers it too): its body names the payment.
      if ('body' in stored) await enqueueSaga(tasks, String((stored.body as { id?: unknown }).id));
      return stored;
    },
    created: async (context) => {
      await enqueueSaga(requireDependency(dependencies.tasks, 'REDIS_URL'), context.state['paymentId'] as string);
      return respond(202, context.state['response']);
    },
  };

  async function enqueueSaga(tasks: TaskEnqueuer, paymentId: string): Promise<void> {
    // A lost enqueue is not an error for the client: the payment is stored, and the reconciler resumes it.
    await tasks.enqueue(sagaJob.task, { paymentId }, { jobId: sagaJob.id(paymentId, 0) }).catch((error: unknown) => logger.warn({ err: error, paymentId }, 'saga enqueue failed; the reconciler will pick the payment up'));
  }
}

export function paymentRoutes(router: Router, dependencies: ApiDependencies): void {
  const database = () => requireDependency(dependencies.database, 'DATABASE_URL');

  router.post(
    '/payments',
    validateBody(paymentRequest),
    idempotent({
      get database() {
        return database();
      },
      phases: acceptPhases(dependencies, dependencies.logger),
    }),
  );

  router.get('/payments/:id', async (request, response) => {
    const id = request.params['id'] ?? '';
    const found = z.uuid().safeParse(id).success ? await findPaymentWithHistory(database(), id) : undefined;
    if (!found) throw new HttpError(404, 'payment_not_found', `no payment ${id}`);
    response.json(toView(found.payment, found.history));
  });

  router.get('/payments', validateQuery(listQuery), async (_request, response) => {
    const { payerWalletId, limit, cursor } = response.locals['query'] as z.infer<typeof listQuery>;
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    if (cursor !== undefined && !after) {
      refuseRequest(response, [{ path: 'cursor', message: 'is not a cursor this list gave out' }]);
      return;
    }
    const payments = await listPaymentsOfPayer(database(), payerWalletId, limit, after);
    const histories = await findHistories(
      database(),
      payments.map((payment) => payment.id),
    );
    const last = payments.at(-1);
    response.json({ items: payments.map((payment) => toView(payment, histories.get(payment.id) ?? [])), nextCursor: payments.length === limit && last ? encodeCursor(last.createdAt, last.id) : null });
  });
}
