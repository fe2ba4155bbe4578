-- Consumer inbox (@innover/kit/inbox): one row per (consumer, event id) handled, written in the same
-- transaction as the consumer's effect, so a redelivered event changes nothing.
CREATE TABLE IF NOT EXISTS inbox (
  consumer TEXT NOT NULL,
  event_id TEXT NOT NULL,
  received_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, event_id)
);
CREATE INDEX IF NOT EXISTS inbox_received ON inbox (received_at);
