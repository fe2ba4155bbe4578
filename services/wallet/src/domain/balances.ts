import { create } from '@bufbuild/protobuf';
import { topicName } from '@innover/kit';
import type { Database, ServiceDependencies } from '@innover/kit';
import { ledgerEntriesPostedCodec, walletBalanceChangedCodec } from '@innover/proto/events.js';
import { EntryDirection } from '@innover/proto/ledger/v1/ledger_pb.js';
import type { LedgerEntriesPosted } from '@innover/proto/ledger/v1/ledger_pb.js';
import { WalletBalanceChangedSchema } from '@innover/proto/wallet/v1/wallet_pb.js';
import { eventMetadata } from '@innover/proto/metadata.js';

/** Signed movement per ledger entry: credits add, debits subtract. */
export function movements(event: LedgerEntriesPosted): Array<{ customerId: string; currency: string; amountMinor: number }> {
  return event.entries.flatMap((entry) => {
    if (!entry.amount || entry.direction === EntryDirection.UNSPECIFIED) return [];
    const amount = Number(entry.amount.minorUnits);
    return [{ customerId: entry.accountId, currency: entry.amount.currencyCode, amountMinor: entry.direction === EntryDirection.DEBIT ? -amount : amount }];
  });
}

/** Opening balance plus applied ledger movements. */
export async function walletBalance(database: Database, walletId: string): Promise<number> {
  const [row] = await database.query<{ balance: string }>('SELECT w.balance_minor + COALESCE((SELECT SUM(p.amount_minor) FROM wallet_postings p WHERE p.wallet_id = w.id), 0) AS balance FROM wallets w WHERE w.id = $1', [walletId]);
  return Number(row?.balance ?? 0);
}

/** Worker side: apply `ledger.entries-posted.v1` to the customers' wallets and announce each change. */
export async function walletSubscriptions(dependencies: ServiceDependencies): Promise<void> {
  const { events, database, logger } = dependencies;
  if (!events || !database) {
    logger.info('KAFKA_BROKERS or DATABASE_URL not set: not consuming ledger.entries-posted.v1');
    return;
  }
  await events.subscribe<LedgerEntriesPosted>({
    groupId: 'wallet',
    topic: topicName('ledger', 'entries-posted'),
    codec: ledgerEntriesPostedCodec,
    fromBeginning: true,
    handler: async ({ value }) => {
      for (const movement of movements(value)) {
        const [wallet] = await database.query<{ id: string }>('SELECT id FROM wallets WHERE owner_id = $1 AND currency = $2 ORDER BY created_at LIMIT 1', [movement.customerId, movement.currency]);
        if (!wallet) continue;
        const applied = await database.query('INSERT INTO wallet_postings (transaction_id, wallet_id, amount_minor) VALUES ($1, $2, $3) ON CONFLICT (transaction_id, wallet_id) DO NOTHING RETURNING wallet_id', [value.transactionId, wallet.id, movement.amountMinor]);
        if (applied.length === 0) continue;
        const balance = await walletBalance(database, wallet.id);
        const event = create(WalletBalanceChangedSchema, {
          metadata: eventMetadata({ source: 'wallet', correlationId: value.paymentId }),
          walletId: wallet.id,
          customerId: movement.customerId,
          previousBalance: { currencyCode: movement.currency, minorUnits: String(balance - movement.amountMinor) },
          balance: { currencyCode: movement.currency, minorUnits: String(balance) },
          transactionId: value.transactionId,
        });
        await events.publish('balance-changed', event, { key: wallet.id, codec: walletBalanceChangedCodec });
        logger.info({ walletId: wallet.id, transactionId: value.transactionId, balanceMinor: balance }, 'wallet balance changed');
      }
    },
  });
}
