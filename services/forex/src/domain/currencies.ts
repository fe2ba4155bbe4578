/**
 * The currencies forex supports and their ISO 4217 exponents (minor-unit digits): 1 EUR = 100 cents, 1 JPY has
 * no minor unit, 1 KWD = 1000 fils. Values from ISO 4217's list one, and equal to what `Intl.NumberFormat`
 * (CLDR) reports as currency digits for each of these. A currency missing here cannot get a rate
 * (PUT /rates answers 400) nor a quote (422 rate_not_found): add it with its ISO 4217 exponent to support it.
 */
export const currencyExponents: Readonly<Record<string, number>> = {
  AUD: 2,
  BHD: 3,
  CAD: 2,
  CHF: 2,
  CLP: 0,
  CZK: 2,
  DKK: 2,
  EUR: 2,
  GBP: 2,
  ISK: 0,
  JOD: 3,
  JPY: 0,
  KRW: 0,
  KWD: 3,
  NOK: 2,
  OMR: 3,
  PLN: 2,
  SEK: 2,
  TND: 3,
  USD: 2,
};

/** The exponent of a supported currency, or undefined. */
export function exponentOf(currency: string): number | undefined {
  return Object.hasOwn(currencyExponents, currency) ? currencyExponents[currency] : undefined;
}

export const supportedCurrencies = Object.keys(currencyExponents);
