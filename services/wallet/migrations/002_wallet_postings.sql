-- Ledger movements applied to wallets. A wallet's balance is its opening balance_minor plus these;
-- the primary key makes a redelivered ledger event a no-op.
CREATE TABLE IF NOT EXISTS wallet_postings (
  transaction_id TEXT NOT NULL,
  wallet_id UUID NOT NULL,
  amount_minor BIGINT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (transaction_id, wallet_id)
);
