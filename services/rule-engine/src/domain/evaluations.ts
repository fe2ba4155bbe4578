import { decide } from './decision.ts';
import type { Decision, EvaluationRequest, Reason, VelocityTotals } from './decision.ts';
import type { RuleSet, Rules } from './rule-set.ts';
import { normalizeRules } from './rule-set.ts';

/** What an evaluation reads and writes, inside one transaction (data-access/evaluations.ts). */
export interface EvaluationStore {
  /** Holds the payer's lock row for `currency` until the transaction ends: one evaluation per payer at a time. */
  lockPayer(payerCustomerId: string, currency: string): Promise<void>;
  findDecision(paymentId: string): Promise<Decision | undefined>;
  /**
   * Read together: the payment's stored decision, if any; the rule set in force; and the payer's approved
   * evaluations in `currency` inside that rule set's window ending at `evaluatedAt` (after windowStart(evaluatedAt, windowHours)).
   */
  evaluationInputs(
    request: Pick<EvaluationRequest, 'paymentId' | 'payerCustomerId' | 'currency'>,
    evaluatedAt: Date,
  ): Promise<{ decision: Decision | undefined; ruleSet: RuleSet; velocity: VelocityTotals }>;
  /** False when the payment was already evaluated (its id is the key). */
  insertDecision(request: EvaluationRequest, decision: Decision, evaluatedAt: Date): Promise<boolean>;
}

/** Runs `work` in one transaction; may run it again after a retryable failure (no side effects outside it). */
export type EvaluationTransaction = <T>(work: (store: EvaluationStore) => Promise<T>) => Promise<T>;

export interface RuleSetStore {
  current(): Promise<RuleSet>;
  /** Stores `rules` as the next version and answers it. */
  replace(rules: Rules): Promise<RuleSet>;
}

/**
 * POST /evaluations: the decision for a payment, persisted. Idempotent by paymentId: a repeat answers the
 * stored decision and is not counted again. The payer's lock is taken before anything is read, so a payer's
 * concurrent payments see each other's approvals and the velocity limits hold.
 */
export async function evaluatePayment(transaction: EvaluationTransaction, request: EvaluationRequest, now: () => Date = () => new Date()): Promise<Decision> {
  return await transaction(async (store) => {
    await store.lockPayer(request.payerCustomerId, request.currency);
    const evaluatedAt = now();
    const { decision: stored, ruleSet, velocity } = await store.evaluationInputs(request, evaluatedAt);
    if (stored) return stored;
    const outcome = decide(request, ruleSet, velocity);
    const decision: Decision = { ...outcome, ruleSetVersion: ruleSet.version };
    if (await store.insertDecision(request, decision, evaluatedAt)) return decision;
    // The same payment id under another payer's lock got there first: its decision stands.
    const first = await store.findDecision(request.paymentId);
    if (!first) throw new Error(`evaluation of payment ${request.paymentId} conflicted, yet none is stored`);
    return first;
  });
}

/** GET /rules. */
export async function currentRules(store: RuleSetStore): Promise<RuleSet> {
  return await store.current();
}

/** PUT /rules: the next version. */
export async function replaceRules(store: RuleSetStore, rules: Rules): Promise<RuleSet> {
  return await store.replace(normalizeRules(rules));
}

export type { Decision, EvaluationRequest, Reason };
