import { randomUUID } from 'node:crypto';
import type { Router } from 'express';
import { z } from 'zod';
import { requireDependency, validateBody } from '@innover/kit';
import type { ApiDependencies } from '@innover/kit';

/** A ledger posting: credit (positive) or debit (negative), in minor units. */
export const entryRequest = z.strictObject({
  account: z.string().min(1).max(64),
  amountMinor: z.number().int('must be a whole number of minor units').refine((value) => value !== 0, 'must not be 0'),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR'),
  reference: z.string().max(128).optional(),
});
type EntryRequest = z.infer<typeof entryRequest>;

/** POST /entries appends a posting; GET /accounts/:account/balances sums them per currency. */
export function ledgerRoutes(router: Router, dependencies: ApiDependencies): void {
  router.post('/entries', validateBody(entryRequest), async (request, response) => {
    const body = request.body as EntryRequest;
    const database = requireDependency(dependencies.database, 'DATABASE_URL');
    const id = randomUUID();
    await database.query('INSERT INTO ledger_entries (id, account, amount_minor, currency, reference) VALUES ($1, $2, $3, $4, $5)', [id, body.account, body.amountMinor, body.currency, body.reference ?? null]);
    response.status(201).json({ id, ...body });
  });
  router.get('/accounts/:account/balances', async (request, response) => {
    const database = requireDependency(dependencies.database, 'DATABASE_URL');
    const rows = await database.query<{ currency: string; balance: string }>('SELECT currency, SUM(amount_minor) AS balance FROM ledger_entries WHERE account = $1 GROUP BY currency ORDER BY currency', [request.params['account'] ?? '']);
    response.json({ account: request.params['account'], balances: rows.map((row) => ({ currency: row.currency, balanceMinor: Number(row.balance) })) });
  });
}
