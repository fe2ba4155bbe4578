-- The rule engine (issue 10): versioned rule sets, the decisions it made, and one lock row per payer and
-- currency. An evaluation takes its payer's lock row first (SELECT ... FOR UPDATE), so concurrent payments of
-- one payer are decided one after the other and cannot all slip under the velocity limit (data-access).
CREATE TABLE IF NOT EXISTS rule_sets (
  version BIGINT PRIMARY KEY,
  rules JSONB NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS evaluations (
  payment_id UUID PRIMARY KEY,
  payer_customer_id UUID NOT NULL,
  payee_customer_id UUID NOT NULL,
  payer_country CHAR(2) NOT NULL,
  payee_country CHAR(2) NOT NULL,
  amount_minor BIGINT NOT NULL,
  currency CHAR(3) NOT NULL,
  decision TEXT NOT NULL,
  reasons JSONB NOT NULL,
  rule_set_version BIGINT NOT NULL,
  evaluated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS evaluations_velocity ON evaluations (payer_customer_id, currency, evaluated_at);
CREATE TABLE IF NOT EXISTS velocity_locks (
  payer_customer_id UUID NOT NULL,
  currency CHAR(3) NOT NULL,
  PRIMARY KEY (payer_customer_id, currency)
);
