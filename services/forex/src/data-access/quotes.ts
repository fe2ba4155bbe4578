import type { Queryable } from '@innover/kit';
import { formatDecimal, parseDecimal } from '../domain/decimal.ts';
import type { NewQuote, Quote, QuoteStore, StoredQuote, UsedQuote } from '../domain/quotes.ts';

interface QuoteRow {
  id: string;
  sell_currency: string;
  buy_currency: string;
  sell_amount_minor: string;
  buy_amount_minor: string;
  rate: string;
  expires_at: Date;
  used_by_payment_id: string | null;
  used_at: Date | null;
  expired: boolean;
}

const columns = 'id, sell_currency, buy_currency, sell_amount_minor, buy_amount_minor, rate::TEXT AS rate, expires_at, used_by_payment_id, used_at, expires_at <= now() AS expired';

/** pg answers BIGINT as a string: a checked conversion to a safe integer. */
function minorUnits(text: string, column: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`quotes.${column} is not a safe integer: ${text}`);
  return value;
}

function toQuote(row: QuoteRow): Quote {
  const rate = parseDecimal(row.rate);
  if (!rate) throw new Error(`quotes.rate of ${row.id} is not a decimal: ${row.rate}`);
  return {
    id: row.id,
    sellCurrency: row.sell_currency,
    buyCurrency: row.buy_currency,
    sellAmountMinor: minorUnits(row.sell_amount_minor, 'sell_amount_minor'),
    buyAmountMinor: minorUnits(row.buy_amount_minor, 'buy_amount_minor'),
    rate: formatDecimal(rate),
    expiresAt: row.expires_at.toISOString(),
  };
}

function toUsed(row: QuoteRow): UsedQuote {
  if (row.used_by_payment_id === null || row.used_at === null) throw new Error(`quote ${row.id} is not used`);
  return { ...toQuote(row), paymentId: row.used_by_payment_id, usedAt: row.used_at.toISOString() };
}

/** The quotes table (migrations/002_quotes.sql). Expiry is by the database's clock, for every API replica alike. */
export function quoteStore(database: Queryable): QuoteStore {
  return {
    async insert(quote: NewQuote, ttlSeconds: number) {
      const [row] = await database.query<QuoteRow>(
        `INSERT INTO quotes (id, sell_currency, buy_currency, sell_amount_minor, buy_amount_minor, rate, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6::NUMERIC, now(), now() + $7::INT8 * INTERVAL '1 second') RETURNING ${columns}`,
        [quote.id, quote.sellCurrency, quote.buyCurrency, quote.sellAmountMinor, quote.buyAmountMinor, quote.rate, ttlSeconds],
      );
      if (!row) throw new Error(`inserting quote ${quote.id} returned no row`);
      return toQuote(row);
    },
    async markUsed(id, paymentId) {
      const [row] = await database.query<QuoteRow>(
        `UPDATE quotes SET used_by_payment_id = $2, used_at = now() WHERE id = $1 AND used_by_payment_id IS NULL AND expires_at > now() RETURNING ${columns}`,
        [id, paymentId],
      );
      return row ? toUsed(row) : undefined;
    },
    async find(id): Promise<StoredQuote | undefined> {
      const [row] = await database.query<QuoteRow>(`SELECT ${columns} FROM quotes WHERE id = $1`, [id]);
      return row ? { ...toQuote(row), usedByPaymentId: row.used_by_payment_id, usedAt: row.used_at?.toISOString() ?? null, expired: row.expired } : undefined;
    },
  };
}
