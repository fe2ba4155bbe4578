import { HttpError } from '@innover/kit';
import { exponentOf, supportedCurrencies } from './currencies.ts';
import { normalizeRate } from './decimal.ts';

/** A rate as the HTTP contract shows it: `pair` "EUR-USD" is buy units (USD) per sell unit (EUR). */
export interface Rate {
  pair: string;
  /** Decimal string, canonical (decimal.ts formatDecimal). */
  rate: string;
  updatedAt: string;
}

export interface CurrencyPair {
  base: string;
  quote: string;
}

/** The rates' store (data-access/rates.ts). */
export interface RateStore {
  /** Rates by pair, ascending, after `afterPair` when given, at most `limit`. */
  list(afterPair: CurrencyPair | undefined, limit: number): Promise<Rate[]>;
  find(pair: CurrencyPair): Promise<Rate | undefined>;
  /** Creates or replaces the pair's rate. */
  upsert(pair: CurrencyPair, rate: string): Promise<Rate>;
}

export const pairPattern = /^([A-Z]{3})-([A-Z]{3})$/;

/** "EUR-USD" → {base: EUR, quote: USD}; undefined for anything else. */
export function parsePair(text: string): CurrencyPair | undefined {
  const match = pairPattern.exec(text);
  return match?.[1] && match[2] ? { base: match[1], quote: match[2] } : undefined;
}

export function pairName(pair: CurrencyPair): string {
  return `${pair.base}-${pair.quote}`;
}

/** Why `text` is not a pair forex can hold a rate for, or undefined. */
export function invalidPairReason(text: string): string | undefined {
  const pair = parsePair(text);
  if (!pair) return 'must be two ISO 4217 codes joined by "-", such as EUR-USD';
  if (pair.base === pair.quote) return 'must name two different currencies';
  const unsupported = [pair.base, pair.quote].filter((currency) => exponentOf(currency) === undefined);
  if (unsupported.length > 0) return `${unsupported.join(', ')} is not a supported currency (supported: ${supportedCurrencies.join(', ')}; services/forex/src/domain/currencies.ts)`;
  return undefined;
}

export const DEFAULT_LIST_LIMIT = 50;
export const MAX_LIST_LIMIT = 200;

/** The list's opaque cursor: base64url of the last pair returned. */
export function encodeCursor(pair: string): string {
  return Buffer.from(pair, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): CurrencyPair | undefined {
  return parsePair(Buffer.from(cursor, 'base64url').toString('utf8'));
}

/** GET /rates: `{items, nextCursor}` by pair; nextCursor is null on the last page. */
export async function listRates(store: RateStore, page: { limit?: number; after?: CurrencyPair }): Promise<{ items: Rate[]; nextCursor: string | null }> {
  const limit = Math.min(page.limit ?? DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT);
  const rows = await store.list(page.after, limit + 1);
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.pair) : null };
}

/** PUT /rates/:pair: `pairText` and `rate` were validated by the route (invalidPairReason, invalidRateReason). */
export async function setRate(store: RateStore, pairText: string, rate: string): Promise<Rate> {
  const pair = parsePair(pairText);
  if (!pair) throw new HttpError(400, 'invalid_request', `pair: ${invalidPairReason(pairText) ?? 'invalid'}`);
  return await store.upsert(pair, normalizeRate(rate));
}
