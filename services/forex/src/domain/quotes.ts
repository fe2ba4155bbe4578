import { HttpError } from '@innover/kit';
import { convertMinor } from './conversion.ts';
import { exponentOf } from './currencies.ts';
import { parseDecimal } from './decimal.ts';
import type { CurrencyPair, RateStore } from './rates.ts';

/** A firm quote as the HTTP contract shows it. */
export interface Quote {
  id: string;
  sellCurrency: string;
  buyCurrency: string;
  sellAmountMinor: number;
  buyAmountMinor: number;
  /** The rate it was priced at, as GET /rates shows it. */
  rate: string;
  expiresAt: string;
}

/** A quote once a payment used it. */
export interface UsedQuote extends Quote {
  paymentId: string;
  usedAt: string;
}

export interface StoredQuote extends Quote {
  usedByPaymentId: string | null;
  usedAt: string | null;
  /** By the database's clock, as the use check sees it. */
  expired: boolean;
}

/** What the store is given to insert: the quote before the database sets its expiry. */
export type NewQuote = Omit<Quote, 'expiresAt'>;

/** The quotes' store (data-access/quotes.ts). */
export interface QuoteStore {
  /** Inserts the quote, valid for `ttlSeconds` from now by the database's clock. */
  insert(quote: NewQuote, ttlSeconds: number): Promise<Quote>;
  /** Marks an unused, unexpired quote used by `paymentId` (one statement: two payments cannot both win); undefined otherwise. */
  markUsed(id: string, paymentId: string): Promise<UsedQuote | undefined>;
  find(id: string): Promise<StoredQuote | undefined>;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The buy amount, or a 422 when it is outside what minor units can say (0, or past 2^53 − 1). */
export function quoteAmount(sellAmountMinor: number, rate: string, sellCurrency: string, buyCurrency: string): number {
  const value = parseDecimal(rate);
  const sellExponent = exponentOf(sellCurrency);
  const buyExponent = exponentOf(buyCurrency);
  if (!value || sellExponent === undefined || buyExponent === undefined) throw new HttpError(422, 'rate_not_found', `no rate for ${sellCurrency}-${buyCurrency}`);
  const buy = convertMinor(BigInt(sellAmountMinor), value, sellExponent, buyExponent);
  if (buy === 0n) throw new HttpError(422, 'amount_too_small', `sellAmountMinor: ${sellAmountMinor} ${sellCurrency} minor units buy less than half a minor unit of ${buyCurrency}; sell more`);
  if (buy > BigInt(Number.MAX_SAFE_INTEGER)) throw new HttpError(422, 'amount_too_large', `sellAmountMinor: ${sellAmountMinor} ${sellCurrency} minor units buy more than 2^53 - 1 minor units of ${buyCurrency}; sell less`);
  return Number(buy);
}

/** POST /quotes: prices `sellAmountMinor` at the pair's current rate, valid for `ttlSeconds`. */
export async function createQuote(
  stores: { rates: RateStore; quotes: QuoteStore },
  request: { sellCurrency: string; buyCurrency: string; sellAmountMinor: number },
  options: { id: string; ttlSeconds: number },
): Promise<Quote> {
  const pair: CurrencyPair = { base: request.sellCurrency, quote: request.buyCurrency };
  const rate = await stores.rates.find(pair);
  if (!rate) throw new HttpError(422, 'rate_not_found', `no rate for ${request.sellCurrency}-${request.buyCurrency}; set one with PUT /rates/${request.sellCurrency}-${request.buyCurrency}`);
  const buyAmountMinor = quoteAmount(request.sellAmountMinor, rate.rate, request.sellCurrency, request.buyCurrency);
  return await stores.quotes.insert({ id: options.id, ...request, buyAmountMinor, rate: rate.rate }, options.ttlSeconds);
}

/**
 * POST /quotes/:id/use: a quote is used once. The same payment again is fine (a saga retries its steps);
 * another payment is 409 quote_used; an unused quote past its expiry is 409 quote_expired.
 */
export async function useQuote(store: QuoteStore, id: string, paymentId: string): Promise<UsedQuote> {
  if (!uuidPattern.test(id)) throw new HttpError(404, 'quote_not_found', `no quote ${id}`);
  const used = await store.markUsed(id, paymentId);
  if (used) return used;
  const quote = await store.find(id);
  if (!quote) throw new HttpError(404, 'quote_not_found', `no quote ${id}`);
  return classifyUse(quote, paymentId);
}

/** Why a quote that `markUsed` did not take cannot be used by `paymentId`, or the earlier use when it is the same payment. */
export function classifyUse(quote: StoredQuote, paymentId: string): UsedQuote {
  const { usedByPaymentId, usedAt, expired: _expired, ...body } = quote;
  if (usedByPaymentId !== null && usedAt !== null) {
    if (usedByPaymentId.toLowerCase() === paymentId.toLowerCase()) return { ...body, paymentId: usedByPaymentId, usedAt };
    throw new HttpError(409, 'quote_used', `quote ${quote.id} was used by another payment; ask for a new quote`);
  }
  if (quote.expired) throw new HttpError(409, 'quote_expired', `quote ${quote.id} expired at ${quote.expiresAt}; ask for a new quote`);
  // markUsed saw it used or expired, and one statement later it is neither: the store broke its contract.
  throw new Error(`quote ${quote.id} is neither used nor expired, yet could not be marked used`);
}
