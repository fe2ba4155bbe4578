import { randomUUID } from 'node:crypto';
import { goTo, respond } from '@innover/kit/idempotency';
import type { PhaseContext, PhaseResult, Phases } from '@innover/kit/idempotency';
import type { Ledger, TopUp, TransferRequest, WalletStore } from './ports.ts';
import { uuidV5 } from '@innover/kit';
import { requireWallet } from './wallets.ts';

/** Recovery point after the top-up row committed: the ledger transfer is next. */
export const TOP_UP_RECORDED = 'top_up_recorded';

/** The ledger transfer of a top-up: UUIDv5 of the top-up id and the step, so a resumed request posts the same transfer. */
export function topUpTransferId(topUpId: string): string {
  return uuidV5(topUpId, 'top-up');
}

/** Money comes from the platform account `settlement:<CUR>` (an asset: a debit grows it) into the wallet's liability account (a credit grows it). */
export function topUpTransfer(topUp: Pick<TopUp, 'id' | 'amountMinor' | 'transferId'>, accounts: { settlementAccountId: string; walletAccountId: string }): TransferRequest {
  return {
    id: topUp.transferId,
    entries: [
      { accountId: accounts.settlementAccountId, direction: 'debit', amountMinor: topUp.amountMinor },
      { accountId: accounts.walletAccountId, direction: 'credit', amountMinor: topUp.amountMinor },
    ],
    reference: `top-up:${topUp.id}`,
  };
}

export interface TopUpPorts {
  ledger: Ledger;
  store: WalletStore;
}

interface RecordedTopUp extends TopUp {
  [key: string]: string | number;
  ledgerAccountId: string;
}

/**
 * POST /wallets/:id/top-ups as the kit's idempotent phases (rocket-rides-atomic): `started` stores the top-up
 * in one atomic phase and moves the key to `top_up_recorded` (a recovery point); that phase makes the
 * foreign call, the ledger transfer, idempotent by its derived id, then answers 201. A crash after either
 * resumes at the last recovery point with the same ids, so the wallet is credited once.
 */
export function topUpPhases(ports: TopUpPorts): Phases {
  return {
    started: (context: PhaseContext) =>
      context.atomic(async (tx): Promise<PhaseResult> => {
        const wallet = await requireWallet(ports.store, tx, context.params['id'] ?? '');
        const { amountMinor } = context.body as { amountMinor: number };
        const id = randomUUID();
        const topUp = await ports.store.insertTopUp(tx, { id, walletId: wallet.id, amountMinor, currency: wallet.currency, transferId: topUpTransferId(id) });
        const recorded: RecordedTopUp = { ...topUp, ledgerAccountId: wallet.ledgerAccountId };
        return goTo(TOP_UP_RECORDED, { topUp: recorded });
      }),
    [TOP_UP_RECORDED]: async (context: PhaseContext) => {
      const { ledgerAccountId, ...topUp } = context.state['topUp'] as RecordedTopUp;
      const settlement = await ports.ledger.ensureSettlementAccount(topUp.currency);
      await ports.ledger.createTransfer(topUpTransfer(topUp, { settlementAccountId: settlement.id, walletAccountId: ledgerAccountId }));
      const body: TopUp = { id: topUp.id, walletId: topUp.walletId, amountMinor: topUp.amountMinor, currency: topUp.currency, transferId: topUp.transferId, createdAt: topUp.createdAt };
      return respond(201, body);
    },
  };
}
