-- Idempotency keys (@innover/kit/idempotency), after Stripe / Brandur Leach's rocket-rides-atomic: the
-- request's fingerprint, a lock (locked_at + lock_token) with a timeout so a crashed request can be resumed,
-- the recovery point reached by its atomic phases, and the stored first response. Keys are global to the
-- service; the reaper deletes them after the retention (at least 24 h).
CREATE TABLE IF NOT EXISTS idempotency_keys (
  idempotency_key TEXT PRIMARY KEY,
  request_method TEXT NOT NULL,
  request_path TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  request_body JSONB NOT NULL,
  request_params JSONB NOT NULL,
  recovery_point TEXT NOT NULL,
  recovery_state JSONB NOT NULL,
  locked_at TIMESTAMPTZ,
  lock_token UUID,
  response_status INT,
  response_body TEXT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  last_run_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS idempotency_keys_created ON idempotency_keys (created_at);
