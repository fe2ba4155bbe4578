import type { Rules } from './rule-set.ts';

/** What POST /evaluations is asked. Amounts in minor units of `currency`. */
export interface EvaluationRequest {
  paymentId: string;
  payerCustomerId: string;
  payeeCustomerId: string;
  payerCountry: string;
  payeeCountry: string;
  amountMinor: number;
  currency: string;
}

export type Outcome = 'approve' | 'reject';

export interface Reason {
  /** Stable for machines: max_amount, velocity_count, velocity_amount, blocked_payer_country, blocked_payee_country. */
  rule: string;
  message: string;
}

export interface Decision {
  decision: Outcome;
  reasons: Reason[];
  ruleSetVersion: number;
}

/** The payer's approved payments in `currency` within the window, before this one. */
export interface VelocityTotals {
  count: number;
  amountMinor: bigint;
}

/**
 * Where the sliding window starts: evaluations after this instant count. The evaluation read computes the same
 * bound in SQL (data-access `evaluationInputs`, in one round trip with the rule set); the in-memory store of the
 * domain tests uses this, and the integration test of the sliding window holds the two together.
 */
export function windowStart(now: Date, windowHours: number): Date {
  return new Date(now.getTime() - windowHours * 3_600_000);
}

/**
 * The decision, pure: every rule that fails is a reason, and any reason rejects (there is no review outcome).
 * The payment being evaluated counts toward velocity: the count and the total include it.
 */
export function decide(request: EvaluationRequest, rules: Rules, velocity: VelocityTotals): { decision: Outcome; reasons: Reason[] } {
  const reasons: Reason[] = [];
  const { currency, amountMinor } = request;
  const maxAmount = Object.hasOwn(rules.maxAmountMinor, currency) ? rules.maxAmountMinor[currency] : undefined;
  if (maxAmount !== undefined && amountMinor > maxAmount) reasons.push({ rule: 'max_amount', message: `amount ${amountMinor} ${currency} is above the limit of ${maxAmount} per payment` });
  const count = velocity.count + 1;
  if (count > rules.velocity.maxCount) reasons.push({ rule: 'velocity_count', message: `payment ${count} of the payer in ${currency} within ${rules.velocity.windowHours} h; at most ${rules.velocity.maxCount} are allowed` });
  const maxTotal = Object.hasOwn(rules.velocity.maxAmountMinor, currency) ? rules.velocity.maxAmountMinor[currency] : undefined;
  const total = velocity.amountMinor + BigInt(amountMinor);
  if (maxTotal !== undefined && total > BigInt(maxTotal)) reasons.push({ rule: 'velocity_amount', message: `the payer's total of ${total} ${currency} within ${rules.velocity.windowHours} h would be above the limit of ${maxTotal}` });
  if (rules.blockedCountries.includes(request.payerCountry)) reasons.push({ rule: 'blocked_payer_country', message: `payer country ${request.payerCountry} is blocked` });
  if (rules.blockedCountries.includes(request.payeeCountry)) reasons.push({ rule: 'blocked_payee_country', message: `payee country ${request.payeeCountry} is blocked` });
  return { decision: reasons.length === 0 ? 'approve' : 'reject', reasons };
}
