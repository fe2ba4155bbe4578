import type { Router } from 'express';
import { z } from 'zod';
import { requireDependency, validateBody } from '@innover/kit';
import type { Database, ApiDependencies } from '@innover/kit';
import { evaluationTransaction, ruleSetStore } from '../data-access/evaluations.ts';
import type { EvaluationRequest } from '../domain/decision.ts';
import { currentRules, evaluatePayment, replaceRules } from '../domain/evaluations.ts';
import { ruleSetSchema } from '../domain/rule-set.ts';
import type { Rules } from '../domain/rule-set.ts';

const country = z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as DE');

export const evaluationRequest = z.strictObject({
  paymentId: z.uuid('must be a UUID'),
  payerCustomerId: z.uuid('must be a UUID'),
  payeeCustomerId: z.uuid('must be a UUID'),
  payerCountry: country,
  payeeCountry: country,
  amountMinor: z.number({ message: 'must be a whole number of minor units' }).int('must be a whole number of minor units, at most 2^53 - 1').positive('must be greater than 0'),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR'),
});

/** POST /evaluations, GET /rules, PUT /rules: validate, call the use case, answer. */
export function ruleRoutes(router: Router, dependencies: ApiDependencies): void {
  const database = (): Database => requireDependency(dependencies.database, 'DATABASE_URL');
  router.post('/evaluations', validateBody(evaluationRequest), async (request, response) => {
    response.json(await evaluatePayment(evaluationTransaction(database()), request.body as EvaluationRequest));
  });
  router.get('/rules', async (_request, response) => {
    response.json(await currentRules(ruleSetStore(database())));
  });
  router.put('/rules', validateBody(ruleSetSchema), async (request, response) => {
    response.json(await replaceRules(ruleSetStore(database()), request.body as Rules));
  });
}
