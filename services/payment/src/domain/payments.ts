import { randomUUID } from 'node:crypto';
import type { Router } from 'express';
import { z } from 'zod';
import { defineTask, HttpError, requireDependency, validateBody } from '@innover/kit';
import type { ServiceDependencies, TaskRegistry } from '@innover/kit';

/** Body of POST /payments. Amounts are integers in minor units (cents) so no float ever touches money. */
export const paymentRequest = z.strictObject({
  payerId: z.string().min(1).max(64),
  payeeId: z.string().min(1).max(64),
  amountMinor: z.number().int('must be a whole number of minor units').positive('must be greater than 0').max(1e12),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR'),
});
export type PaymentRequest = z.infer<typeof paymentRequest>;

/** Payload of `payment.initiated.v1` / `payment.settled.v1` (JSON until the protos land). */
export interface PaymentEvent {
  paymentId: string;
  payerId: string;
  payeeId: string;
  amountMinor: number;
  currency: string;
  status: 'initiated' | 'settled';
}

interface PaymentRow {
  id: string;
  payer_id: string;
  payee_id: string;
  amount_minor: string;
  currency: string;
  status: string;
  created_at: Date;
}

function toPayment(row: PaymentRow) {
  return { id: row.id, payerId: row.payer_id, payeeId: row.payee_id, amountMinor: Number(row.amount_minor), currency: row.currency, status: row.status, createdAt: row.created_at.toISOString() };
}

/** POST /payments stores, enqueues settlement and announces; GET /payments/:id reads back. */
export function paymentRoutes(router: Router, dependencies: ServiceDependencies): void {
  router.post('/payments', validateBody(paymentRequest), async (request, response) => {
    const body = request.body as PaymentRequest;
    const database = requireDependency(dependencies.database, 'DATABASE_URL');
    const tasks = requireDependency(dependencies.tasks, 'REDIS_URL');
    const id = randomUUID();
    await database.query('INSERT INTO payments (id, payer_id, payee_id, amount_minor, currency, status) VALUES ($1, $2, $3, $4, $5, $6)', [id, body.payerId, body.payeeId, body.amountMinor, body.currency, 'initiated']);
    // The job id is derived from the payment, so a retried enqueue cannot settle twice.
    const job = await tasks.enqueue('settle-payment', { paymentId: id }, { jobId: `settle-${id}` });
    const event: PaymentEvent = { paymentId: id, ...body, status: 'initiated' };
    await dependencies.events?.publish('initiated', event, { key: id });
    response.status(202).json({ id, status: 'initiated', jobId: job.id });
  });

  router.get('/payments/:id', async (request, response) => {
    const id = request.params['id'] ?? '';
    if (!z.uuid().safeParse(id).success) throw new HttpError(400, 'invalid_request', 'id: must be a UUID');
    const database = requireDependency(dependencies.database, 'DATABASE_URL');
    const [row] = await database.query<PaymentRow>('SELECT id, payer_id, payee_id, amount_minor, currency, status, created_at FROM payments WHERE id = $1', [id]);
    if (!row) throw new HttpError(404, 'not_found', `no payment ${id}`);
    response.json(toPayment(row));
  });
}

/** Worker side: settle an initiated payment once and announce it. */
export const paymentTasks: TaskRegistry = {
  'settle-payment': defineTask(z.strictObject({ paymentId: z.uuid() }), async ({ paymentId }, context) => {
    if (!context.database) throw new Error('settle-payment needs DATABASE_URL on the worker');
    const rows = await context.database.query<PaymentRow>("UPDATE payments SET status = 'settled', updated_at = now() WHERE id = $1 AND status = 'initiated' RETURNING id, payer_id, payee_id, amount_minor, currency, status, created_at", [paymentId]);
    const row = rows[0];
    if (!row) return { paymentId, settled: false };
    const event: PaymentEvent = { paymentId, payerId: row.payer_id, payeeId: row.payee_id, amountMinor: Number(row.amount_minor), currency: row.currency, status: 'settled' };
    await context.events?.publish('settled', event, { key: paymentId });
    return { paymentId, settled: true };
  }),
};
