-- The default rates: sample data a team replaces (edit this file before the first start, or PUT /rates/:pair
-- afterwards). Both directions between EUR, USD, GBP and JPY; each direction is its own pair, so a team sets
-- its own spread. Derived from EUR-USD 1.08, EUR-GBP 0.85 and EUR-JPY 162, the reverse directions rounded
-- (USD-EUR and GBP-EUR to 6 decimals, as 001 seeded them; the others to 8). ON CONFLICT DO NOTHING keeps a rate set earlier.
INSERT INTO rates (base, quote, rate) VALUES ('EUR', 'USD', 1.08), ('USD', 'EUR', 0.925926),
  ('EUR', 'GBP', 0.85), ('GBP', 'EUR', 1.176471),
  ('EUR', 'JPY', 162), ('JPY', 'EUR', 0.00617284),
  ('GBP', 'USD', 1.27058824), ('USD', 'GBP', 0.78703704),
  ('USD', 'JPY', 150), ('JPY', 'USD', 0.00666667),
  ('GBP', 'JPY', 190.58823529), ('JPY', 'GBP', 0.00524691)
ON CONFLICT (base, quote) DO NOTHING;
