-- Retires the sample's `profiles` table (001): customers (002) replaced it and no code reads it. 001 stays, since
-- a deployed database has it recorded. DROP TABLE IF EXISTS: PostgreSQL and CockroachDB alike, and a re-run is harmless.
DROP TABLE IF EXISTS profiles;
