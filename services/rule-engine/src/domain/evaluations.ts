import type { Router } from 'express';
import { z } from 'zod';
import { validateBody } from '@innover/kit';
import type { ServiceDependencies } from '@innover/kit';

export const evaluationRequest = z.strictObject({
  amountMinor: z.number().int('must be a whole number of minor units').positive('must be greater than 0'),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR'),
  country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 alpha-2 code such as DE'),
});
export type EvaluationRequest = z.infer<typeof evaluationRequest>;

/** Blocked countries and the review threshold: the rule set is data, evaluated by a pure function. */
export const defaultRules = { blockedCountries: ['KP', 'IR'], reviewAboveMinor: 1_000_000 };

export function evaluate(request: EvaluationRequest, rules = defaultRules): { decision: 'allow' | 'review' | 'deny'; reasons: string[] } {
  if (rules.blockedCountries.includes(request.country)) return { decision: 'deny', reasons: [`country ${request.country} is blocked`] };
  if (request.amountMinor > rules.reviewAboveMinor) return { decision: 'review', reasons: [`amount above ${rules.reviewAboveMinor}`] };
  return { decision: 'allow', reasons: [] };
}

/** POST /evaluations returns the decision and announces it. */
export function ruleRoutes(router: Router, dependencies: ServiceDependencies): void {
  router.post('/evaluations', validateBody(evaluationRequest), async (request, response) => {
    const body = request.body as EvaluationRequest;
    const result = evaluate(body);
    await dependencies.events?.publish('evaluated', { ...body, ...result });
    response.json(result);
  });
}
