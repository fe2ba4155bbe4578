import type { Router } from 'express';
import { z } from 'zod';
import { validateBody } from '@innover/kit';
import type { ServiceDependencies } from '@innover/kit';
import { randomUUID } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { paymentEvaluatedCodec } from '@innover/proto/events.js';
import { Decision, PaymentEvaluatedSchema } from '@innover/proto/rule-engine/v1/rule-engine_pb.js';
import { eventMetadata } from '@innover/proto/metadata.js';

export const evaluationRequest = z.strictObject({
  paymentId: z.string().min(1).max(64).optional(),
  amountMinor: z.number().int('must be a whole number of minor units').positive('must be greater than 0'),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR'),
  country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 alpha-2 code such as DE'),
});
export type EvaluationRequest = z.infer<typeof evaluationRequest>;

/** Blocked countries and the review threshold: the rule set is data, evaluated by a pure function. */
export const defaultRules = { blockedCountries: ['KP', 'IR'], reviewAboveMinor: 1_000_000 };

export interface EvaluationResult {
  decision: 'allow' | 'review' | 'deny';
  /** `code` is stable for machines (e.g. COUNTRY_BLOCKED), `message` is for people. */
  reasons: Array<{ code: string; message: string }>;
}

export function evaluate(request: EvaluationRequest, rules = defaultRules): EvaluationResult {
  if (rules.blockedCountries.includes(request.country)) return { decision: 'deny', reasons: [{ code: 'COUNTRY_BLOCKED', message: `country ${request.country} is blocked` }] };
  if (request.amountMinor > rules.reviewAboveMinor) return { decision: 'review', reasons: [{ code: 'AMOUNT_OVER_LIMIT', message: `amount above ${rules.reviewAboveMinor}` }] };
  return { decision: 'allow', reasons: [] };
}

/** POST /evaluations returns the decision and announces it. */
export function ruleRoutes(router: Router, dependencies: ServiceDependencies): void {
  router.post('/evaluations', validateBody(evaluationRequest), async (request, response) => {
    const body = request.body as EvaluationRequest;
    const result = evaluate(body);
    const paymentId = body.paymentId ?? randomUUID();
    const decision = { allow: Decision.APPROVE, review: Decision.REVIEW, deny: Decision.DECLINE }[result.decision];
    const event = create(PaymentEvaluatedSchema, {
      metadata: eventMetadata({ source: 'rule-engine', correlationId: paymentId }),
      evaluation: { paymentId, decision, reasons: result.reasons.map((reason) => ({ ...reason, ruleId: 'default' })), evaluatedAt: timestampFromDate(new Date()) },
    });
    await dependencies.events?.publish('payment-evaluated', event, { key: paymentId, codec: paymentEvaluatedCodec });
    response.json({ paymentId, ...result });
  });
}
