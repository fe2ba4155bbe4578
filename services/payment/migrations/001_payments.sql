-- Accepted by CockroachDB and PostgreSQL alike; idempotent, so a re-run after a partial failure is harmless.
CREATE TABLE IF NOT EXISTS payments (
  id UUID PRIMARY KEY,
  payer_id TEXT NOT NULL,
  payee_id TEXT NOT NULL,
  amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
  currency CHAR(3) NOT NULL,
  status TEXT NOT NULL, -- pending | approved | declined | completed | failed
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
