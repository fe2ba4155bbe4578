-- The reference payment flow (issue 10): firm quotes, each used by at most one payment. `rates` (001) keeps its
-- shape: a pair is (base, quote), "EUR-USD" = USD per EUR, exact NUMERIC(18, 8), never a float.
-- expires_at is set by the database's clock, which also judges expiry (data-access/quotes.ts).
CREATE TABLE IF NOT EXISTS quotes (
  id UUID PRIMARY KEY,
  sell_currency CHAR(3) NOT NULL,
  buy_currency CHAR(3) NOT NULL,
  sell_amount_minor BIGINT NOT NULL,
  buy_amount_minor BIGINT NOT NULL,
  rate NUMERIC(18, 8) NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  expires_at TIMESTAMPTZ NOT NULL,
  used_by_payment_id UUID,
  used_at TIMESTAMPTZ
);
