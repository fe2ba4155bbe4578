-- The default rule set, version 1: sample data a team replaces (edit this file before the first start, or
-- PUT /rules afterwards, which stores version 2 and so on). Amounts are minor units per ISO 4217 currency:
-- at most 10,000.00 EUR/USD/GBP (1,500,000 JPY) per payment; per payer and currency in any 24 hours at most
-- 20 approved payments and 25,000.00 EUR/USD/GBP (3,750,000 JPY); payers and payees in KP and IR are refused.
-- A currency missing from maxAmountMinor (or velocity.maxAmountMinor) has no such limit.
INSERT INTO rule_sets (version, rules) VALUES (1, '{"maxAmountMinor": {"EUR": 1000000, "USD": 1000000, "GBP": 1000000, "JPY": 1500000}, "velocity": {"windowHours": 24, "maxCount": 20, "maxAmountMinor": {"EUR": 2500000, "USD": 2500000, "GBP": 2500000, "JPY": 3750000}}, "blockedCountries": ["IR", "KP"]}')
ON CONFLICT (version) DO NOTHING;
