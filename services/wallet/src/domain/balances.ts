import type { Database } from '@innover/kit';

// The subscription to `ledger.entries-posted.v1` is gone with that event (issue 10: the ledger publishes
// `ledger.transfer-changed.v1`); the wallet's projection of it is rebuilt in the wallet's own part.

/** Opening balance plus applied ledger movements. */
export async function walletBalance(database: Database, walletId: string): Promise<number> {
  const [row] = await database.query<{ balance: string }>('SELECT w.balance_minor + COALESCE((SELECT SUM(p.amount_minor) FROM wallet_postings p WHERE p.wallet_id = w.id), 0) AS balance FROM wallets w WHERE w.id = $1', [walletId]);
  return Number(row?.balance ?? 0);
}
