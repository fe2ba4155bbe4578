-- Transactional outbox (@innover/kit/outbox): an event row is written in the same transaction as the state
-- change; the worker's relay publishes it at least once, in order per event_key, and sets sent_at.
-- seq orders the events of one key in commit order (outbox_sequences hands it out, one row per key, so two
-- transactions writing events for the same key serialise on that row). shard = hash(event_key) mod 16;
-- a relay publishes only shards it holds a lease on (outbox_leases), so one key has one publisher at a time.
CREATE TABLE IF NOT EXISTS outbox (
  id UUID PRIMARY KEY,
  event_key TEXT NOT NULL,
  seq BIGINT NOT NULL,
  shard INT NOT NULL,
  topic TEXT NOT NULL,
  payload BYTEA NOT NULL,
  headers JSONB NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  sent_at TIMESTAMPTZ,
  UNIQUE (event_key, seq)
);
CREATE INDEX IF NOT EXISTS outbox_unsent ON outbox (sent_at, shard, event_key, seq);
CREATE TABLE IF NOT EXISTS outbox_sequences (
  event_key TEXT PRIMARY KEY,
  last_seq BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox_leases (
  shard INT PRIMARY KEY,
  owner TEXT,
  lease_until TIMESTAMPTZ NOT NULL
);
INSERT INTO outbox_leases (shard, owner, lease_until) VALUES (0, NULL, '1970-01-01 00:00:00+00'),
  (1, NULL, '1970-01-01 00:00:00+00'),
  (2, NULL, '1970-01-01 00:00:00+00'),
  (3, NULL, '1970-01-01 00:00:00+00'),
  (4, NULL, '1970-01-01 00:00:00+00'),
  (5, NULL, '1970-01-01 00:00:00+00'),
  (6, NULL, '1970-01-01 00:00:00+00'),
  (7, NULL, '1970-01-01 00:00:00+00'),
  (8, NULL, '1970-01-01 00:00:00+00'),
  (9, NULL, '1970-01-01 00:00:00+00'),
  (10, NULL, '1970-01-01 00:00:00+00'),
  (11, NULL, '1970-01-01 00:00:00+00'),
  (12, NULL, '1970-01-01 00:00:00+00'),
  (13, NULL, '1970-01-01 00:00:00+00'),
  (14, NULL, '1970-01-01 00:00:00+00'),
  (15, NULL, '1970-01-01 00:00:00+00')
ON CONFLICT (shard) DO NOTHING;
