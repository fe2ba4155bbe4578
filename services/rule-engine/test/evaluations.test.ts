import { describe, expect, it } from 'vitest';
import { evaluate } from '../src/domain/evaluations.js';

describe('evaluate', () => {
  it('denies blocked countries, reviews large amounts, allows the rest', () => {
    expect(evaluate({ amountMinor: 100, currency: 'EUR', country: 'KP' }).decision).toBe('deny');
    expect(evaluate({ amountMinor: 2_000_000, currency: 'EUR', country: 'DE' }).decision).toBe('review');
    expect(evaluate({ amountMinor: 100, currency: 'EUR', country: 'DE' })).toEqual({ decision: 'allow', reasons: [] });
  });
});
