CREATE TABLE IF NOT EXISTS ledger_entries (
  id UUID PRIMARY KEY,
  account TEXT NOT NULL,
  amount_minor BIGINT NOT NULL,
  currency CHAR(3) NOT NULL,
  reference TEXT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS ledger_entries_account ON ledger_entries (account, currency);
