/**
 * Exact decimals for rates: a rate is a decimal string ("1.0800"), held as an integer of units and a scale
 * (1.0800 = 10800 / 10^4), never a float. Only BigInt arithmetic below.
 */
export interface Decimal {
  /** The digits as one integer: 1.0800 → 10800n. */
  units: bigint;
  /** Digits after the point: 1.0800 → 4. */
  scale: number;
}

/** Digits after the point a rate may have: the `rates.rate` column is NUMERIC(18, 8). */
export const RATE_SCALE = 8;
/** Digits before the point: 18 − 8. */
export const RATE_INTEGER_DIGITS = 10;
/** How many decimals a rate shows at least ("1.0800", as the contract writes it); more when it has them. */
export const RATE_MIN_DISPLAY_SCALE = 4;

const decimalPattern = /^(\d+)(?:\.(\d+))?$/;

/** Parses a non-negative decimal string; undefined when it is not one (exponents, signs and spaces are not). */
export function parseDecimal(text: string): Decimal | undefined {
  const match = decimalPattern.exec(text);
  if (!match) return undefined;
  const fraction = match[2] ?? '';
  return { units: BigInt(`${match[1] ?? ''}${fraction}`), scale: fraction.length };
}

/** Why `text` is not a usable rate (a positive decimal string within NUMERIC(18, 8)), or undefined. */
export function invalidRateReason(text: string): string | undefined {
  const match = decimalPattern.exec(text);
  if (!match) return 'must be a positive decimal string such as "1.0800"';
  if ((match[1] ?? '').replace(/^0+(?=\d)/, '').length > RATE_INTEGER_DIGITS) return `must have at most ${RATE_INTEGER_DIGITS} digits before the point`;
  if ((match[2] ?? '').length > RATE_SCALE) return `must have at most ${RATE_SCALE} digits after the point`;
  if (parseDecimal(text)?.units === 0n) return 'must be greater than 0';
  return undefined;
}

/** The canonical text: no leading zeros, trailing zeros trimmed down to `minScale` decimals (1.08000000 → "1.0800"). */
export function formatDecimal(value: Decimal, minScale = RATE_MIN_DISPLAY_SCALE): string {
  let { units, scale } = value;
  while (scale > minScale && units % 10n === 0n) {
    units /= 10n;
    scale -= 1;
  }
  if (scale < minScale) {
    units *= 10n ** BigInt(minScale - scale);
    scale = minScale;
  }
  const digits = units.toString().padStart(scale + 1, '0');
  return scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/** Canonical form of a rate string (what is stored and answered). */
export function normalizeRate(text: string): string {
  const value = parseDecimal(text);
  if (!value) throw new Error(`not a decimal: ${text}`);
  return formatDecimal(value);
}

/**
 * numerator / denominator rounded half-even ("banker's rounding": a tie goes to the even neighbour, so
 * ties do not drift one way on average), for numerator ≥ 0 and denominator > 0.
 */
export function divideHalfEven(numerator: bigint, denominator: bigint): bigint {
  if (numerator < 0n || denominator <= 0n) throw new RangeError('divideHalfEven takes numerator >= 0 and denominator > 0');
  const quotient = numerator / denominator;
  const twiceRemainder = (numerator % denominator) * 2n;
  if (twiceRemainder > denominator) return quotient + 1n;
  if (twiceRemainder < denominator) return quotient;
  return quotient % 2n === 0n ? quotient : quotient + 1n;
}
