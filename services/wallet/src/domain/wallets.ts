import { randomUUID } from 'node:crypto';
import type { Router } from 'express';
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { z } from 'zod';
import { HttpError, requireDependency, validateBody } from '@innover/kit';
import type { ApiDependencies } from '@innover/kit';
import { WalletOpenedSchema } from '@innover/proto/wallet/v1/wallet_pb.js';
import type { WalletOpened } from '@innover/proto/wallet/v1/wallet_pb.js';
import { walletBalance } from './balances.js';

export const walletRequest = z.strictObject({
  ownerId: z.string().min(1).max(64),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR'),
});
type WalletRequest = z.infer<typeof walletRequest>;

interface WalletRow {
  id: string;
  owner_id: string;
  currency: string;
  balance_minor: string;
}

/** `wallet.opened.v1`: an empty wallet was opened for a customer in one currency. */
export function openedEvent(walletId: string, request: WalletRequest): WalletOpened {
  return create(WalletOpenedSchema, {
    metadata: { eventId: randomUUID(), occurredAt: timestampFromDate(new Date()), source: 'wallet', correlationId: walletId },
    walletId,
    customerId: request.ownerId,
    currencyCode: request.currency,
  });
}

/** POST /wallets opens an empty wallet; GET /wallets/:id reads it. */
export function walletRoutes(router: Router, dependencies: ApiDependencies): void {
  router.post('/wallets', validateBody(walletRequest), async (request, response) => {
    const body = request.body as WalletRequest;
    const database = requireDependency(dependencies.database, 'DATABASE_URL');
    const id = randomUUID();
    await database.query('INSERT INTO wallets (id, owner_id, currency) VALUES ($1, $2, $3)', [id, body.ownerId, body.currency]);
    response.status(201).json({ id, ...body, balanceMinor: 0 });
  });
  router.get('/wallets/:id', async (request, response) => {
    const id = request.params['id'] ?? '';
    if (!z.uuid().safeParse(id).success) throw new HttpError(400, 'invalid_request', 'id: must be a UUID');
    const database = requireDependency(dependencies.database, 'DATABASE_URL');
    const [row] = await database.query<WalletRow>('SELECT id, owner_id, currency, balance_minor FROM wallets WHERE id = $1', [id]);
    if (!row) throw new HttpError(404, 'not_found', `no wallet ${id}`);
    response.json({ id: row.id, ownerId: row.owner_id, currency: row.currency, balanceMinor: await walletBalance(database, row.id) });
  });
}
