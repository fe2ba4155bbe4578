/**
 * The ledger's HTTP API (ISSUE-10.md "ledger"): validate, call the use case, answer. No SQL here.
 */
import type { Request, Router } from 'express';
import { z } from 'zod';
import { HttpError, requireDependency, validateBody } from '@innover/kit';
import type { ApiDependencies } from '@innover/kit';
import { accountSpec, accountTypes } from '../domain/accounts.ts';
import { createLedger } from '../domain/ledger.ts';
import type { Ledger } from '../domain/ledger.ts';
import { transferRequest } from '../domain/transfers.ts';
import { ledgerTransactions } from '../data-access/ledger-store.ts';
import type { Database } from '@innover/kit';

const currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR');
const amountMinor = z
  .number()
  .int('must be a whole number of minor units')
  .positive('must be greater than 0')
  .refine((value) => Number.isSafeInteger(value), 'must be a safe integer');

export const accountBody = z.strictObject({
  code: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces, e.g. wallet:<id> or settlement:EUR'),
  currency,
  type: z.enum(accountTypes),
  allowNegative: z.boolean().optional(),
});

export const transferBody = z.strictObject({
  id: z.uuid('must be a UUID chosen by the client'),
  entries: z
    .array(
      z.strictObject({
        accountId: z.uuid(),
        direction: z.enum(['debit', 'credit']),
        amountMinor,
      }),
    )
    .min(1)
    .max(64),
  pending: z.boolean().optional(),
  timeoutSeconds: z.number().int().min(1).max(7 * 86_400).optional(),
  reference: z.string().max(256).nullable().optional(),
});

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A path id: a non-UUID is simply not found. */
function pathId(request: Request, thing: 'account' | 'transfer'): string {
  const id = String(request.params['id'] ?? '');
  if (!uuidPattern.test(id)) throw new HttpError(404, `${thing}_not_found`, `no ${thing} ${id}`);
  return id.toLowerCase();
}

/** The routes over a ledger (tests pass one over a fault-injecting database). */
export function routesFor(router: Router, ledger: () => Ledger): void {
  router.post('/accounts', validateBody(accountBody), async (request, response) => {
    const result = accountSpec(request.body as z.infer<typeof accountBody>);
    if ('problem' in result) {
      response.status(400).json({ error: 'invalid_request', message: `${result.problem.path}: ${result.problem.message}`, issues: [result.problem] });
      return;
    }
    const { status, account } = await ledger().openAccount(result.spec);
    response.status(status).json(account);
  });
  router.get('/accounts/:id', async (request, response) => {
    response.json(await ledger().getAccount(pathId(request, 'account')));
  });
  router.post('/transfers', validateBody(transferBody), async (request, response) => {
    const { status, transfer } = await ledger().createTransfer(transferRequest(request.body as z.infer<typeof transferBody>));
    response.status(status).json(transfer);
  });
  router.post('/transfers/:id/post', async (request, response) => {
    response.json(await ledger().resolveTransfer(pathId(request, 'transfer'), 'post'));
  });
  router.post('/transfers/:id/void', async (request, response) => {
    response.json(await ledger().resolveTransfer(pathId(request, 'transfer'), 'void'));
  });
  router.get('/transfers/:id', async (request, response) => {
    response.json(await ledger().getTransfer(pathId(request, 'transfer')));
  });
  router.get('/trial-balance', async (_request, response) => {
    response.json(await ledger().trialBalance());
  });
}

/** The ledger over the service's database (503 naming DATABASE_URL when it is not set). */
export function ledgerRoutes(router: Router, dependencies: ApiDependencies): void {
  let ledger: Ledger | undefined;
  routesFor(router, () => (ledger ??= createLedger(ledgerTransactions(requireDependency<Database>(dependencies.database, 'DATABASE_URL')))));
}
