import { randomUUID } from 'node:crypto';
import type { Router } from 'express';
import { z } from 'zod';
import { defineTask, HttpError, requireDependency, validateBody } from '@innover/kit';
import type { ApiDependencies, TaskRegistry } from '@innover/kit';
import { paymentStatusChangedCodec } from '@innover/proto/events.js';
import { PaymentStatus } from '@innover/proto/payment/v1/payment_pb.js';
import { statusChangedEvent, statusNames } from './payment-events.js';
import type { PaymentRecord } from './payment-events.js';

/** Body of POST /payments. Amounts are integers in minor units (cents) so no float ever touches money. */
export const paymentRequest = z.strictObject({
  payerId: z.string().min(1).max(64),
  payeeId: z.string().min(1).max(64),
  amountMinor: z.number().int('must be a whole number of minor units').positive('must be greater than 0').max(1e12),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR'),
});
export type PaymentRequest = z.infer<typeof paymentRequest>;

interface PaymentRow {
  id: string;
  payer_id: string;
  payee_id: string;
  amount_minor: string;
  currency: string;
  status: string;
  created_at: Date;
  updated_at: Date;
}

const columns = 'id, payer_id, payee_id, amount_minor, currency, status, created_at, updated_at';

function toRecord(row: PaymentRow): PaymentRecord {
  return { id: row.id, payerId: row.payer_id, payeeId: row.payee_id, amountMinor: Number(row.amount_minor), currency: row.currency, status: statusNames[row.status] ?? PaymentStatus.UNSPECIFIED, createdAt: row.created_at, updatedAt: row.updated_at };
}

/** POST /payments stores, enqueues approval and announces `payment.initiated.v1`; GET /payments/:id reads back. */
export function paymentRoutes(router: Router, dependencies: ApiDependencies): void {
  router.post('/payments', validateBody(paymentRequest), async (request, response) => {
    const body = request.body as PaymentRequest;
    const database = requireDependency(dependencies.database, 'DATABASE_URL');
    const tasks = requireDependency(dependencies.tasks, 'REDIS_URL');
    const [row] = await database.query<PaymentRow>(`INSERT INTO payments (id, payer_id, payee_id, amount_minor, currency, status) VALUES ($1, $2, $3, $4, $5, 'pending') RETURNING ${columns}`, [randomUUID(), body.payerId, body.payeeId, body.amountMinor, body.currency]);
    if (!row) throw new Error('INSERT returned no row');
    // The job id is derived from the payment, so a retried enqueue cannot approve twice.
    const job = await tasks.enqueue('approve-payment', { paymentId: row.id }, { jobId: `approve-${row.id}` });
    response.status(202).json({ id: row.id, status: row.status, jobId: job.id });
  });

  router.get('/payments/:id', async (request, response) => {
    const id = request.params['id'] ?? '';
    if (!z.uuid().safeParse(id).success) throw new HttpError(400, 'invalid_request', 'id: must be a UUID');
    const database = requireDependency(dependencies.database, 'DATABASE_URL');
    const [row] = await database.query<PaymentRow>(`SELECT ${columns} FROM payments WHERE id = $1`, [id]);
    if (!row) throw new HttpError(404, 'not_found', `no payment ${id}`);
    response.json({ id: row.id, payerId: row.payer_id, payeeId: row.payee_id, amountMinor: Number(row.amount_minor), currency: row.currency, status: row.status, createdAt: row.created_at.toISOString() });
  });
}

/**
 * Worker side: approve a pending payment once and announce `payment.status-changed.v1` (the ledger posts it).
 * The rule engine's evaluation would decide here; the sample approves every payment.
 */
export const paymentTasks: TaskRegistry = {
  'approve-payment': defineTask(z.strictObject({ paymentId: z.uuid() }), async ({ paymentId }, context) => {
    if (!context.database) throw new Error('approve-payment needs DATABASE_URL on the worker');
    const [row] = await context.database.query<PaymentRow>(`UPDATE payments SET status = 'approved', updated_at = now() WHERE id = $1 AND status = 'pending' RETURNING ${columns}`, [paymentId]);
    if (!row) return { paymentId, approved: false };
    await context.events?.publish('status-changed', statusChangedEvent(toRecord(row), PaymentStatus.PENDING), { key: paymentId, codec: paymentStatusChangedCodec });
    return { paymentId, approved: true };
  }),
};
