-- Issue 10: wallets backed by ledger accounts, top-ups, and the projection of the ledger's transfer events.
-- The sample tables of 001/002 go (their files stay: a deployed database has them recorded). The new tables
-- have new names, so re-running this file (it stopped halfway, or two replicas started at once) never drops
-- what the new code writes. DROP TABLE IF EXISTS: PostgreSQL and CockroachDB alike
-- (cockroachlabs.com/docs/dev/drop-table.html); the kit runs each statement on its own.
DROP TABLE IF EXISTS wallet_postings;
DROP TABLE IF EXISTS wallets;

-- One per customer and currency; the id is UUIDv5(customer id, "wallet:<CUR>") (domain/wallets.ts).
CREATE TABLE IF NOT EXISTS customer_wallets (
  id UUID PRIMARY KEY,
  customer_id UUID NOT NULL,
  currency CHAR(3) NOT NULL,
  ledger_account_id UUID NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX IF NOT EXISTS customer_wallets_customer_currency ON customer_wallets (customer_id, currency);

CREATE UNIQUE INDEX IF NOT EXISTS customer_wallets_ledger_account ON customer_wallets (ledger_account_id);

-- Money moved in from settlement:<CUR>; transfer_id is UUIDv5(id, "top-up").
CREATE TABLE IF NOT EXISTS top_ups (
  id UUID PRIMARY KEY,
  wallet_id UUID NOT NULL,
  amount_minor BIGINT NOT NULL,
  currency CHAR(3) NOT NULL,
  transfer_id UUID NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- One wallet's side of one ledger transfer; status only moves forward (domain/projection.ts).
CREATE TABLE IF NOT EXISTS wallet_transactions (
  wallet_id UUID NOT NULL,
  transfer_id UUID NOT NULL,
  direction TEXT NOT NULL,
  amount_minor BIGINT NOT NULL,
  status TEXT NOT NULL,
  reference TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (wallet_id, transfer_id)
);

CREATE INDEX IF NOT EXISTS wallet_transactions_newest ON wallet_transactions (wallet_id, created_at, transfer_id);
