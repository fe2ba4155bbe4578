-- One posting per (reference, account): replayed events (at-least-once delivery) post nothing twice.
CREATE UNIQUE INDEX IF NOT EXISTS ledger_entries_reference_account ON ledger_entries (reference, account);
