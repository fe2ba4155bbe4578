-- Issue 10: a double-entry ledger after TigerBeetle's data model. The sample table ledger_entries
-- (single-entry postings) goes; 001 and 002 stay, since a deployed database has them recorded.
-- Accounts keep cumulative posted and pending debits and credits, updated in the same serializable
-- transaction as the transfer that moves them; a transfer's entries never change, and its status moves
-- once from pending to posted, voided or expired.
CREATE TABLE IF NOT EXISTS accounts (
  id UUID PRIMARY KEY,
  code TEXT NOT NULL,
  currency CHAR(3) NOT NULL,
  account_type TEXT NOT NULL,
  allow_negative BOOLEAN NOT NULL,
  posted_debits_minor BIGINT NOT NULL DEFAULT 0,
  posted_credits_minor BIGINT NOT NULL DEFAULT 0,
  pending_debits_minor BIGINT NOT NULL DEFAULT 0,
  pending_credits_minor BIGINT NOT NULL DEFAULT 0,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (code),
  CHECK (posted_debits_minor >= 0 AND posted_credits_minor >= 0 AND pending_debits_minor >= 0 AND pending_credits_minor >= 0)
);
-- Counters of the accounts that may go negative (the platform's settlement:<CUR> and fx:<CUR>, which every
-- top-up or cross-currency payment touches) are spread over shard rows: a transfer adds its delta to one
-- shard picked at random, so concurrent transfers rarely write the same row. Nothing checks their limit, so
-- they need no lock; their counters are the sums over the shards (a shard may hold a negative part).
CREATE TABLE IF NOT EXISTS account_counter_shards (
  account_id UUID NOT NULL,
  shard INT NOT NULL,
  posted_debits_minor BIGINT NOT NULL,
  posted_credits_minor BIGINT NOT NULL,
  pending_debits_minor BIGINT NOT NULL,
  pending_credits_minor BIGINT NOT NULL,
  PRIMARY KEY (account_id, shard)
);
CREATE TABLE IF NOT EXISTS transfers (
  id UUID PRIMARY KEY,
  status TEXT NOT NULL,
  two_phase BOOLEAN NOT NULL,
  timeout_seconds INT,
  reference TEXT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  expires_at TIMESTAMPTZ,
  resolved_at TIMESTAMPTZ
);
-- The expiry job's scan: pending transfers by expiry.
CREATE INDEX IF NOT EXISTS transfers_status_expires_at ON transfers (status, expires_at);
CREATE TABLE IF NOT EXISTS transfer_entries (
  transfer_id UUID NOT NULL,
  entry_index INT NOT NULL,
  account_id UUID NOT NULL,
  direction TEXT NOT NULL,
  amount_minor BIGINT NOT NULL,
  currency CHAR(3) NOT NULL,
  PRIMARY KEY (transfer_id, entry_index),
  CHECK (amount_minor > 0)
);
CREATE INDEX IF NOT EXISTS transfer_entries_account ON transfer_entries (account_id);
DROP TABLE IF EXISTS ledger_entries;
