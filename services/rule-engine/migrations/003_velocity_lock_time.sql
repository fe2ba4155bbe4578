-- The payer's lock row is taken with one upsert whose DO UPDATE sets this column (a DO NOTHING takes no lock, and
-- setting a key column to itself is a key update on CockroachDB): when the payer's last evaluation began.
ALTER TABLE velocity_locks ADD COLUMN IF NOT EXISTS locked_at TIMESTAMPTZ;
