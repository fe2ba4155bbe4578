import type { Queryable } from '@innover/kit';
import { formatDecimal, parseDecimal } from '../domain/decimal.ts';
import { pairName } from '../domain/rates.ts';
import type { CurrencyPair, Rate, RateStore } from '../domain/rates.ts';

interface RateRow {
  base: string;
  quote: string;
  /** NUMERIC arrives as its exact decimal text ("1.08000000"), never a float. */
  rate: string;
  updated_at: Date;
}

function toRate(row: RateRow): Rate {
  const value = parseDecimal(row.rate);
  if (!value) throw new Error(`rates.rate of ${row.base}-${row.quote} is not a decimal: ${row.rate}`);
  return { pair: pairName(row), rate: formatDecimal(value), updatedAt: row.updated_at.toISOString() };
}

/** The rates table (migrations/001_rates.sql; defaults in 003_seed_default_rates.sql). */
export function rateStore(database: Queryable): RateStore {
  return {
    async list(after: CurrencyPair | undefined, limit: number) {
      const rows = after
        ? await database.query<RateRow>('SELECT base, quote, rate::TEXT AS rate, updated_at FROM rates WHERE (base, quote) > ($1, $2) ORDER BY base, quote LIMIT $3', [after.base, after.quote, limit])
        : await database.query<RateRow>('SELECT base, quote, rate::TEXT AS rate, updated_at FROM rates ORDER BY base, quote LIMIT $1', [limit]);
      return rows.map(toRate);
    },
    async find(pair) {
      const [row] = await database.query<RateRow>('SELECT base, quote, rate::TEXT AS rate, updated_at FROM rates WHERE base = $1 AND quote = $2', [pair.base, pair.quote]);
      return row ? toRate(row) : undefined;
    },
    async upsert(pair, rate) {
      const [row] = await database.query<RateRow>(
        `INSERT INTO rates (base, quote, rate, updated_at) VALUES ($1, $2, $3::NUMERIC, now())
         ON CONFLICT (base, quote) DO UPDATE SET rate = excluded.rate, updated_at = excluded.updated_at
         RETURNING base, quote, rate::TEXT AS rate, updated_at`,
        [pair.base, pair.quote, rate],
      );
      if (!row) throw new Error(`upserting the rate of ${pairName(pair)} returned no row`);
      return toRate(row);
    },
  };
}
