-- The reference payment flow (issue 10): payments between wallets and their status history. The sample's
-- `payments` table (payer_id, payee_id, approved/declined) is no longer used; 003 drops it.
-- Statuses: pending | screening | reserved | completed | rejected | failed (domain/payment.ts).
CREATE TABLE IF NOT EXISTS wallet_payments (
  id UUID PRIMARY KEY,
  status TEXT NOT NULL,
  payer_wallet_id UUID NOT NULL,
  payee_wallet_id UUID NOT NULL,
  payer_customer_id UUID NOT NULL,
  payee_customer_id UUID NOT NULL,
  payer_account_id UUID NOT NULL,
  payee_account_id UUID NOT NULL,
  amount_minor BIGINT NOT NULL,
  currency CHAR(3) NOT NULL,
  payee_amount_minor BIGINT,
  payee_currency CHAR(3) NOT NULL,
  quote_id UUID,
  transfer_id UUID,
  decision JSONB,
  reason_code TEXT,
  reason_message TEXT,
  reference TEXT,
  -- Bumped by the reconciler each time it re-enqueues the saga: the job id is run-payment-<id>-<run>.
  run BIGINT NOT NULL DEFAULT 0,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  -- Last time the saga moved it or the reconciler looked at it; the reconciler takes non-terminal rows older than its threshold.
  checked_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CHECK (amount_minor > 0),
  CHECK (payer_wallet_id <> payee_wallet_id)
);
CREATE INDEX IF NOT EXISTS wallet_payments_by_payer ON wallet_payments (payer_wallet_id, created_at, id);
CREATE INDEX IF NOT EXISTS wallet_payments_by_check ON wallet_payments (status, checked_at);
CREATE TABLE IF NOT EXISTS wallet_payment_history (
  payment_id UUID NOT NULL,
  status TEXT NOT NULL,
  at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (payment_id, status)
);
