-- An account that may not go negative keeps its available balance at or above 0, enforced by the database
-- itself: a transfer is one statement that adds its deltas to the counters, and a delta that would overdraw
-- fails that statement (SQLSTATE 23514, answered as 409 insufficient_funds) with nothing written. Available
-- is the balance in the account's normal direction less what reservations hold against it (domain/accounts.ts
-- availableOf). Dropped first, so the file runs again cleanly (neither engine shares ADD CONSTRAINT IF NOT EXISTS).
ALTER TABLE accounts DROP CONSTRAINT IF EXISTS accounts_available_non_negative;
ALTER TABLE accounts ADD CONSTRAINT accounts_available_non_negative CHECK (
  allow_negative OR (CASE WHEN account_type IN ('asset', 'expense')
    THEN posted_debits_minor - posted_credits_minor - pending_credits_minor
    ELSE posted_credits_minor - posted_debits_minor - pending_debits_minor END) >= 0
);
