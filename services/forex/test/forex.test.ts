import { describe, expect, it } from 'vitest';
import { HttpError } from '@innover/kit';
import { convertMinor } from '../src/domain/conversion.js';
import { currencyExponents, exponentOf } from '../src/domain/currencies.js';
import { divideHalfEven, formatDecimal, invalidRateReason, normalizeRate, parseDecimal } from '../src/domain/decimal.js';
import { classifyUse, quoteAmount } from '../src/domain/quotes.js';
import type { StoredQuote } from '../src/domain/quotes.js';
import { decodeCursor, encodeCursor, invalidPairReason, listRates } from '../src/domain/rates.js';
import type { Rate, RateStore } from '../src/domain/rates.js';
import { quoteRequest, rateRequest } from '../src/entry-points/routes.js';
import { parseForexSettings } from '../src/settings.js';

const rate = (text: string) => {
  const value = parseDecimal(text);
  if (!value) throw new Error(text);
  return value;
};

function thrown(run: () => unknown): HttpError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(HttpError);
    return error as HttpError;
  }
  throw new Error('did not throw');
}

describe('decimals', () => {
  it('parse and print exactly, at least 4 decimals, no floats', () => {
    expect(parseDecimal('1.0800')).toEqual({ units: 10800n, scale: 4 });
    expect(parseDecimal('162')).toEqual({ units: 162n, scale: 0 });
    for (const text of ['1e3', '-1', ' 1', '1.', '.5', '0x10', '']) expect(parseDecimal(text), text).toBeUndefined();
    expect(formatDecimal(rate('1.08000000'))).toBe('1.0800');
    expect(formatDecimal(rate('0.00617284'))).toBe('0.00617284');
    expect(formatDecimal(rate('162'))).toBe('162.0000');
    expect(normalizeRate('0001.5')).toBe('1.5000');
    // 0.1 + 0.2 as decimals, not binary floats.
    expect(formatDecimal({ units: rate('0.1').units + rate('0.2').units, scale: 1 })).toBe('0.3000');
  });

  it('accept a rate only as a positive decimal string within NUMERIC(18, 8)', () => {
    expect(invalidRateReason('1.08')).toBeUndefined();
    expect(invalidRateReason('9999999999.99999999')).toBeUndefined();
    expect(invalidRateReason('0')).toMatch(/greater than 0/);
    expect(invalidRateReason('0.000000000')).toMatch(/after the point/);
    expect(invalidRateReason('12345678901')).toMatch(/before the point/);
    expect(invalidRateReason('1.123456789')).toMatch(/after the point/);
    expect(invalidRateReason('-1.2')).toMatch(/decimal string/);
    expect(rateRequest.safeParse({ rate: 1.08 }).error?.issues[0]?.message).toMatch(/not a number/);
    expect(rateRequest.safeParse({ rate: '1.08' }).success).toBe(true);
  });

  it('divide half-even: ties go to the even neighbour', () => {
    expect([5n, 15n, 25n, 35n, -0n].map((n) => divideHalfEven(n, 10n))).toEqual([0n, 2n, 2n, 4n, 0n]);
    expect([14n, 16n, 24n, 26n].map((n) => divideHalfEven(n, 10n))).toEqual([1n, 2n, 2n, 3n]);
    expect(divideHalfEven(1n, 3n)).toBe(0n);
    expect(divideHalfEven(2n, 3n)).toBe(1n);
    expect(() => divideHalfEven(-1n, 2n)).toThrow(RangeError);
  });
});

describe('conversion between ISO 4217 exponents', () => {
  it('knows the exponents it supports, and only those', () => {
    expect(exponentOf('JPY')).toBe(0);
    expect(exponentOf('EUR')).toBe(2);
    expect(exponentOf('KWD')).toBe(3);
    expect(exponentOf('XYZ')).toBeUndefined();
    expect(exponentOf('constructor')).toBeUndefined();
    // The table agrees with CLDR's currency digits (Intl) for every currency it lists.
    for (const [code, exponent] of Object.entries(currencyExponents)) expect(new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits, code).toBe(exponent);
  });

  it('EUR → USD, both 2 decimals', () => {
    expect(convertMinor(1000n, rate('1.0800'), 2, 2)).toBe(1080n);
    // 0.05 EUR × 1.09 = 0.0545 USD → 5 cents; 0.15 × 1.1 = 0.165 → 16 (tie, to even); 0.25 × 1.1 = 0.275 → 28 (tie, to even).
    expect(convertMinor(5n, rate('1.09'), 2, 2)).toBe(5n);
    expect(convertMinor(15n, rate('1.1'), 2, 2)).toBe(16n);
    expect(convertMinor(25n, rate('1.1'), 2, 2)).toBe(28n);
  });

  it('EUR → JPY (2 → 0 decimals), ties to even', () => {
    expect(convertMinor(10000n, rate('162'), 2, 0)).toBe(16200n);
    expect(convertMinor(1n, rate('162'), 2, 0)).toBe(2n); // 1.62 yen
    expect(convertMinor(1n, rate('150'), 2, 0)).toBe(2n); // 1.5 → 2
    expect(convertMinor(3n, rate('150'), 2, 0)).toBe(4n); // 4.5 → 4
    expect(convertMinor(5n, rate('150'), 2, 0)).toBe(8n); // 7.5 → 8
    expect(convertMinor(7n, rate('150'), 2, 0)).toBe(10n); // 10.5 → 10
  });

  it('JPY → EUR (0 → 2 decimals), ties to even', () => {
    expect(convertMinor(1000n, rate('0.00617284'), 0, 2)).toBe(617n); // 6.17284 EUR
    expect(convertMinor(1n, rate('0.005'), 0, 2)).toBe(0n); // 0.5 cent → 0
    expect(convertMinor(3n, rate('0.005'), 0, 2)).toBe(2n); // 1.5 → 2
    expect(convertMinor(5n, rate('0.005'), 0, 2)).toBe(2n); // 2.5 → 2
  });

  it('USD and JPY → KWD (3 decimals), ties to even', () => {
    expect(convertMinor(100n, rate('0.3075'), 2, 3)).toBe(308n); // 307.5 fils → 308
    expect(convertMinor(100n, rate('0.3085'), 2, 3)).toBe(308n); // 308.5 fils → 308
    expect(convertMinor(3n, rate('0.3075'), 2, 3)).toBe(9n); // 9.225 fils
    expect(convertMinor(1000n, rate('0.0020505'), 0, 3)).toBe(2050n); // 2050.5 fils → 2050
    expect(convertMinor(1000n, rate('0.0020515'), 0, 3)).toBe(2052n); // 2051.5 fils → 2052
  });

  it('KWD → JPY and EUR (3 → 0 and 2 decimals)', () => {
    expect(convertMinor(1000n, rate('487.5'), 3, 0)).toBe(488n); // 487.5 yen → 488
    expect(convertMinor(3000n, rate('487.5'), 3, 0)).toBe(1462n); // 1462.5 → 1462
    expect(convertMinor(1n, rate('2.95'), 3, 2)).toBe(0n); // 0.295 cent
    expect(convertMinor(5n, rate('3'), 3, 2)).toBe(2n); // 1.5 cents → 2
    expect(convertMinor(15n, rate('1'), 3, 2)).toBe(2n); // 1.5 → 2
    expect(convertMinor(25n, rate('1'), 3, 2)).toBe(2n); // 2.5 → 2
  });

  it('stays exact past 2^53 before it decides', () => {
    expect(convertMinor(BigInt(Number.MAX_SAFE_INTEGER), rate('1.00000001'), 2, 2)).toBe(9007199344812984n);
    const tooLarge = thrown(() => quoteAmount(Number.MAX_SAFE_INTEGER, '1.00000001', 'EUR', 'USD'));
    expect({ status: tooLarge.status, code: tooLarge.code }).toEqual({ status: 422, code: 'amount_too_large' });
    const tooSmall = thrown(() => quoteAmount(1, '0.005', 'JPY', 'EUR'));
    expect({ status: tooSmall.status, code: tooSmall.code }).toEqual({ status: 422, code: 'amount_too_small' });
    expect(quoteAmount(10_000, '1.0800', 'EUR', 'USD')).toBe(10_800);
  });
});

describe('pairs and lists', () => {
  it('name two different supported currencies', () => {
    expect(invalidPairReason('EUR-USD')).toBeUndefined();
    expect(invalidPairReason('JPY-KWD')).toBeUndefined();
    expect(invalidPairReason('EURUSD')).toMatch(/joined by "-"/);
    expect(invalidPairReason('eur-usd')).toMatch(/joined by "-"/);
    expect(invalidPairReason('EUR-EUR')).toMatch(/different/);
    expect(invalidPairReason('EUR-XYZ')).toMatch(/XYZ is not a supported currency/);
  });

  it('page by pair with an opaque cursor; limit defaults to 50 and is capped at 200', async () => {
    const all: Rate[] = Array.from({ length: 260 }, (_, index) => ({ pair: `A${String.fromCharCode(65 + Math.floor(index / 26))}${String.fromCharCode(65 + (index % 26))}-USD`, rate: '1.0000', updatedAt: '2026-01-01T00:00:00.000Z' }));
    const asked: number[] = [];
    const store: RateStore = {
      async list(after, limit) {
        asked.push(limit);
        return all.filter((row) => !after || row.pair > `${after.base}-${after.quote}`).slice(0, limit);
      },
      find: async () => undefined,
      upsert: async () => {
        throw new Error('unexpected');
      },
    };
    const first = await listRates(store, {});
    expect(first.items).toHaveLength(50);
    expect(first.nextCursor).toBe(encodeCursor('ABX-USD'));
    expect(decodeCursor(String(first.nextCursor))).toEqual({ base: 'ABX', quote: 'USD' });
    expect(decodeCursor('bm9wZQ')).toBeUndefined();
    const capped = await listRates(store, { limit: 1000 });
    expect(capped.items).toHaveLength(200);
    expect(asked).toEqual([51, 201]);
    const last = await listRates(store, { limit: 200, after: { base: 'AHZ', quote: 'USD' } });
    expect(last).toEqual({ items: all.slice(208), nextCursor: null });
  });
});

describe('quotes', () => {
  it('sell and buy two different ISO 4217 currencies, a positive safe amount', () => {
    expect(quoteRequest.safeParse({ sellCurrency: 'EUR', buyCurrency: 'USD', sellAmountMinor: 100 }).success).toBe(true);
    const paths = (body: unknown) => quoteRequest.safeParse(body).error?.issues.map((issue) => issue.path.join('.'));
    expect(paths({ sellCurrency: 'EUR', buyCurrency: 'EUR', sellAmountMinor: 100 })).toEqual(['buyCurrency']);
    expect(paths({ sellCurrency: 'eur', buyCurrency: 'USD', sellAmountMinor: 100 })).toEqual(['sellCurrency']);
    expect(paths({ sellCurrency: 'EUR', buyCurrency: 'USD', sellAmountMinor: 1.5 })).toEqual(['sellAmountMinor']);
    expect(paths({ sellCurrency: 'EUR', buyCurrency: 'USD', sellAmountMinor: 0 })).toEqual(['sellAmountMinor']);
    expect(paths({ sellCurrency: 'EUR', buyCurrency: 'USD', sellAmountMinor: 2 ** 53 })).toEqual(['sellAmountMinor']);
    expect(paths({ sellCurrency: 'EUR', buyCurrency: 'USD', sellAmountMinor: '100' })).toEqual(['sellAmountMinor']);
  });

  it('are used once: the same payment again is fine, another is quote_used, an unused expired one quote_expired', () => {
    const quote: StoredQuote = { id: 'q', sellCurrency: 'EUR', buyCurrency: 'USD', sellAmountMinor: 1, buyAmountMinor: 1, rate: '1.0800', expiresAt: '2026-01-01T00:01:00.000Z', usedByPaymentId: null, usedAt: null, expired: true };
    expect(thrown(() => classifyUse(quote, 'p-1')).code).toBe('quote_expired');
    const used = { ...quote, usedByPaymentId: 'p-1', usedAt: '2026-01-01T00:00:30.000Z' };
    expect(classifyUse(used, 'P-1')).toMatchObject({ id: 'q', paymentId: 'p-1', usedAt: '2026-01-01T00:00:30.000Z' });
    expect(thrown(() => classifyUse(used, 'p-2')).code).toBe('quote_used');
    expect(thrown(() => classifyUse(used, 'p-2')).status).toBe(409);
  });
});

describe('settings', () => {
  it('QUOTE_TTL_SECONDS defaults to 60 and must be 1..86400 seconds', () => {
    expect(parseForexSettings({})).toEqual({ ok: true, settings: { quoteTtlSeconds: 60 } });
    expect(parseForexSettings({ QUOTE_TTL_SECONDS: '' })).toEqual({ ok: true, settings: { quoteTtlSeconds: 60 } });
    expect(parseForexSettings({ QUOTE_TTL_SECONDS: '5' })).toEqual({ ok: true, settings: { quoteTtlSeconds: 5 } });
    for (const text of ['0', '-1', '1.5', 'soon', '86401']) expect(parseForexSettings({ QUOTE_TTL_SECONDS: text }), text).toMatchObject({ ok: false, problem: expect.stringMatching(/^QUOTE_TTL_SECONDS: .*got "/) });
  });
});
