-- The reference payment flow (issue 10): customers who pay and are paid. The sample's `profiles` table is no
-- longer used; 003 drops it.
-- `email_key` is the lower-cased email: its unique index makes "an email already used" hold whatever the case,
-- and makes two concurrent creates with one email race safely (one insert wins, the other is 409 email_taken).
-- Statuses: active | blocked (domain/customer.ts).
CREATE TABLE IF NOT EXISTS customers (
  id UUID PRIMARY KEY,
  display_name TEXT NOT NULL,
  email TEXT NOT NULL,
  email_key TEXT NOT NULL,
  country CHAR(2) NOT NULL,
  status TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX IF NOT EXISTS customers_email_key ON customers (email_key);
