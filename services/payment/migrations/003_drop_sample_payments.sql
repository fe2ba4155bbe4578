-- Retires the sample's `payments` table (001: payer_id, payee_id, approved/declined): wallet_payments (002)
-- replaced it and no code reads it. 001 stays, since a deployed database has it recorded. DROP TABLE IF EXISTS:
-- PostgreSQL and CockroachDB alike, and a re-run is harmless.
DROP TABLE IF EXISTS payments;
