-- The W3C traceparent of the POST /payments that created the payment: the reconciler re-enqueues a stalled
-- saga in that trace, so a resumed payment stays one trace from request to completion.
ALTER TABLE wallet_payments ADD COLUMN IF NOT EXISTS traceparent TEXT
