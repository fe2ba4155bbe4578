import { describe, expect, it } from 'vitest';
import { HttpError } from '@innover/kit';
import type { Queryable } from '@innover/kit';
import { STARTED } from '@innover/kit/idempotency';
import type { PhaseContext, PhaseResult, PhaseState } from '@innover/kit/idempotency';
import type { Ledger, TransferRequest, Wallet } from '../src/domain/ports.js';
import { TOP_UP_RECORDED, topUpPhases, topUpTransfer, topUpTransferId } from '../src/domain/top-ups.js';
import { uuidV5 } from '@innover/kit';
import { memoryStore } from './support/memory-store.js';

const tx: Queryable = { query: () => Promise.reject(new Error('the phases must go through the store')) };
const wallet: Wallet = { id: '33333333-3333-4333-8333-333333333333', customerId: '11111111-1111-4111-8111-111111111111', currency: 'EUR', ledgerAccountId: '44444444-4444-4444-8444-444444444444', createdAt: '2026-01-01T00:00:00.000Z' };
const settlementId = '55555555-5555-4555-8555-555555555555';

function ledger(failures = 0): Ledger & { transfers: TransferRequest[]; settlements: string[] } {
  const transfers: TransferRequest[] = [];
  const settlements: string[] = [];
  let left = failures;
  return {
    transfers,
    settlements,
    openAccount: () => Promise.reject(new Error('a top-up opens no account')),
    ensureSettlementAccount: async (currency) => (settlements.push(currency), { id: settlementId, code: `settlement:${currency}`, currency }),
    createTransfer: async (request) => {
      transfers.push(request);
      if (left > 0) {
        left -= 1;
        throw new HttpError(503, 'service_unavailable', 'ledger is unavailable; retry the request');
      }
      return { id: request.id, status: 'posted' };
    },
  };
}

/** A phase context as the kit's runPhases builds it; `atomic` runs the work on a fake transaction (the top-up uses no `atomicStatement`). */
function context(recoveryPoint: string, state: PhaseState, walletId = wallet.id): PhaseContext {
  return { key: 'k-1', method: 'POST', path: `/wallets/${walletId}/top-ups`, body: { amountMinor: 2_500 }, params: { id: walletId }, recoveryPoint, state, atomic: async (work: (tx: never) => Promise<PhaseResult>) => await work(tx as never), atomicStatement: () => Promise.reject(new Error('not used by the top-up')) } as PhaseContext;
}

describe('top-up phases', () => {
  it('stores the top-up first (recovery point), then posts the ledger transfer settlement:<CUR> → wallet and answers 201', async () => {
    const store = memoryStore();
    store.wallets.set(wallet.id, wallet);
    const fake = ledger();
    const phases = topUpPhases({ ledger: fake, store });
    const recorded = await phases[STARTED]?.(context(STARTED, {}));
    expect(recorded).toMatchObject({ recoveryPoint: TOP_UP_RECORDED });
    expect(fake.transfers).toEqual([]);
    const [topUp] = [...store.topUps.values()];
    expect(topUp).toMatchObject({ walletId: wallet.id, amountMinor: 2_500, currency: 'EUR', transferId: uuidV5(topUp?.id ?? '', 'top-up') });

    const state = (recorded as { state: PhaseState }).state;
    const answered = await phases[TOP_UP_RECORDED]?.(context(TOP_UP_RECORDED, state));
    expect(answered).toEqual({ status: 201, body: { id: topUp?.id, walletId: wallet.id, amountMinor: 2_500, currency: 'EUR', transferId: topUp?.transferId, createdAt: topUp?.createdAt } });
    expect(fake.settlements).toEqual(['EUR']);
    expect(fake.transfers).toEqual([
      {
        id: topUp?.transferId,
        entries: [
          { accountId: settlementId, direction: 'debit', amountMinor: 2_500 },
          { accountId: wallet.ledgerAccountId, direction: 'credit', amountMinor: 2_500 },
        ],
        reference: `top-up:${topUp?.id}`,
      },
    ]);
  });

  it('resumed after the ledger was unreachable, it sends the very same transfer (idempotent by id) and stores no second top-up', async () => {
    const store = memoryStore();
    store.wallets.set(wallet.id, wallet);
    const fake = ledger(1);
    const phases = topUpPhases({ ledger: fake, store });
    const { state } = (await phases[STARTED]?.(context(STARTED, {}))) as { state: PhaseState };
    await expect(phases[TOP_UP_RECORDED]?.(context(TOP_UP_RECORDED, state))).rejects.toMatchObject({ status: 503 });
    await phases[TOP_UP_RECORDED]?.(context(TOP_UP_RECORDED, state));
    expect(fake.transfers).toHaveLength(2);
    expect(fake.transfers[1]).toEqual(fake.transfers[0]);
    expect(store.topUps.size).toBe(1);
  });

  it('answers 404 wallet_not_found for an unknown or non-UUID wallet, before anything is stored', async () => {
    const store = memoryStore();
    const phases = topUpPhases({ ledger: ledger(), store });
    for (const id of ['66666666-6666-4666-8666-666666666666', 'nope']) {
      await expect(phases[STARTED]?.(context(STARTED, {}, id))).rejects.toMatchObject({ status: 404, code: 'wallet_not_found' });
    }
    expect(store.topUps.size).toBe(0);
  });

  it('derives the transfer id from the top-up id and the step', () => {
    const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
    expect(topUpTransferId(id)).toBe(uuidV5(id, 'top-up'));
    expect(topUpTransfer({ id, amountMinor: 1, transferId: topUpTransferId(id) }, { settlementAccountId: 'a', walletAccountId: 'b' }).entries.map((entry) => entry.direction)).toEqual(['debit', 'credit']);
  });
});
