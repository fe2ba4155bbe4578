import { divideHalfEven } from './decimal.ts';
import type { Decimal } from './decimal.ts';

/**
 * How many minor units of the buy currency `sellAmountMinor` minor units of the sell currency buy at `rate`
 * (buy units per sell unit), rounded half-even at the buy currency's exponent:
 *   buy = sell × rate × 10^(buyExponent − sellExponent), computed as one BigInt fraction, rounded once.
 */
export function convertMinor(sellAmountMinor: bigint, rate: Decimal, sellExponent: number, buyExponent: number): bigint {
  const shift = buyExponent - sellExponent;
  const numerator = sellAmountMinor * rate.units * 10n ** BigInt(Math.max(0, shift));
  const denominator = 10n ** BigInt(rate.scale + Math.max(0, -shift));
  return divideHalfEven(numerator, denominator);
}
