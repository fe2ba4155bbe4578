import type { Balance, TopUp, Wallet, WalletStore, WalletTransaction } from '../../src/domain/ports.js';
import { nextStatus } from '../../src/domain/projection.js';

function withoutWallet(row: WalletTransaction & { walletId: string }): WalletTransaction {
  return { transferId: row.transferId, direction: row.direction, amountMinor: row.amountMinor, status: row.status, reference: row.reference, at: row.at };
}

/** An in-memory WalletStore for use-case tests; `opened` lists the wallet.opened.v1 events it would enqueue. */
export function memoryStore(): WalletStore & { wallets: Map<string, Wallet>; topUps: Map<string, TopUp>; rows: Map<string, WalletTransaction & { walletId: string }>; opened: string[] } {
  const wallets = new Map<string, Wallet>();
  const topUps = new Map<string, TopUp>();
  const rows = new Map<string, WalletTransaction & { walletId: string }>();
  const opened: string[] = [];
  const inbox = new Set<string>();
  const now = () => new Date().toISOString();
  return {
    wallets,
    topUps,
    rows,
    opened,
    findWallet: async (_db, id) => wallets.get(id),
    findWalletByCustomer: async (_db, customerId, currency) => [...wallets.values()].find((wallet) => wallet.customerId === customerId && wallet.currency === currency),
    async insertWallet(_db, wallet) {
      if (wallets.has(wallet.id) || [...wallets.values()].some((other) => other.customerId === wallet.customerId && other.currency === wallet.currency)) return undefined;
      const stored = { ...wallet, createdAt: now() };
      wallets.set(wallet.id, stored);
      opened.push(wallet.id);
      return stored;
    },
    async insertTopUp(_db, topUp) {
      const stored = { ...topUp, createdAt: now() };
      topUps.set(topUp.id, stored);
      return stored;
    },
    async balance(_db, walletId): Promise<Balance> {
      let postedMinor = 0;
      let pendingMinor = 0;
      for (const row of rows.values()) {
        if (row.walletId !== walletId) continue;
        if (row.status === 'posted') postedMinor += row.direction === 'credit' ? row.amountMinor : -row.amountMinor;
        if (row.status === 'pending' && row.direction === 'debit') pendingMinor += row.amountMinor;
      }
      return { postedMinor, pendingMinor, availableMinor: postedMinor - pendingMinor };
    },
    async transactions(_db, walletId, page) {
      return [...rows.values()]
        .filter((row) => row.walletId === walletId)
        .sort((left, right) => (left.at === right.at ? right.transferId.localeCompare(left.transferId) : right.at.localeCompare(left.at)))
        .filter((row) => !page.after || row.at < page.after.at || (row.at === page.after.at && row.transferId < page.after.transferId))
        .slice(0, page.limit)
        .map(withoutWallet);
    },
    async findTransaction(_db, walletId, transferId) {
      const row = rows.get(`${walletId}/${transferId}`);
      if (!row) return undefined;
      return withoutWallet(row);
    },
    async insertTransaction(_db, walletId, transaction) {
      rows.set(`${walletId}/${transaction.transferId}`, { ...transaction, walletId });
    },
    async projectTransfer(_db, event) {
      if (inbox.has(`${event.consumer}/${event.eventId}`)) return undefined;
      inbox.add(`${event.consumer}/${event.eventId}`);
      let changed = 0;
      for (const movement of event.movements) {
        const wallet = [...wallets.values()].find((candidate) => candidate.ledgerAccountId === movement.ledgerAccountId);
        if (!wallet) continue;
        const key = `${wallet.id}/${event.transferId}`;
        const existing = rows.get(key);
        const status = nextStatus(existing?.status, event.status);
        if (status === undefined) continue;
        if (existing) existing.status = status;
        else rows.set(key, { transferId: event.transferId, direction: movement.direction, amountMinor: movement.amountMinor, status, reference: event.reference, at: event.at, walletId: wallet.id });
        changed += 1;
      }
      return changed;
    },
  };
}
