import { z } from 'zod';

const currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR');
const country = z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as DE');
const limit = z.number({ message: 'must be a whole number of minor units' }).int('must be a whole number of minor units, at most 2^53 - 1').positive('must be greater than 0');
const amountsByCurrency = z.record(currency, limit);

/** The body of PUT /rules (GET /rules adds `version`). Limits are per currency, in minor units. */
export const ruleSetSchema = z.strictObject({
  /** The most one payment may move, per currency; a currency not listed has no such limit. */
  maxAmountMinor: amountsByCurrency,
  velocity: z.strictObject({
    /** The sliding window: the payer's approved payments in the last `windowHours` hours count. */
    windowHours: z.number().int('must be a whole number of hours').min(1, 'must be at least 1').max(8_760, 'must be at most 8760 (a year)'),
    /** Approved payments per payer and currency in the window, this one included. */
    maxCount: z.number().int('must be a whole number').positive('must be greater than 0'),
    /** Their total per currency, this one included; a currency not listed has no such limit. */
    maxAmountMinor: amountsByCurrency,
  }),
  blockedCountries: z.array(country).max(300, 'must list at most 300 countries'),
});

export type Rules = z.infer<typeof ruleSetSchema>;

/** A stored rule set: its version goes up by one with every PUT /rules. */
export interface RuleSet extends Rules {
  version: number;
}

/** Sorted, without duplicates, so equal rule sets look equal. */
export function normalizeRules(rules: Rules): Rules {
  return { ...rules, blockedCountries: [...new Set(rules.blockedCountries)].sort() };
}
