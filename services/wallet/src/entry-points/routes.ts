import type { Router } from 'express';
import { z } from 'zod';
import { validateBody } from '@innover/kit';
import { idempotent } from '@innover/kit/idempotency';
import type { Database } from '@innover/kit';
import { topUpPhases } from '../domain/top-ups.ts';
import { openWallet, walletTransactions, walletWithBalance } from '../domain/wallets.ts';
import type { WalletPorts } from '../domain/wallets.ts';

const currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR');

export const walletRequest = z.strictObject({
  customerId: z.uuid('must be a customer id (a UUID)'),
  currency,
});

export const topUpRequest = z.strictObject({
  amountMinor: z.number().int('must be an integer of minor units').positive('must be more than 0').max(Number.MAX_SAFE_INTEGER, 'must be a safe integer'),
});

function queryText(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The wallet's HTTP contract (ISSUE-10.md "wallet"): validate, call the use case, answer. */
export function walletRoutes(router: Router, ports: WalletPorts & { database: Database }): void {
  router.post('/wallets', validateBody(walletRequest), async (request, response) => {
    response.status(201).json(await openWallet(ports, request.body as z.infer<typeof walletRequest>));
  });
  router.post('/wallets/:id/top-ups', validateBody(topUpRequest), idempotent({ database: ports.database, phases: topUpPhases(ports) }));
  router.get('/wallets/:id', async (request, response) => {
    response.json(await walletWithBalance(ports, request.params.id));
  });
  router.get('/wallets/:id/transactions', async (request, response) => {
    const query = request.query as Record<string, unknown>;
    const limit = queryText(query['limit']);
    const cursor = queryText(query['cursor']);
    response.json(await walletTransactions(ports, request.params.id, { ...(limit !== undefined ? { limit } : {}), ...(cursor !== undefined ? { cursor } : {}) }));
  });
}
