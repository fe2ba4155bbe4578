import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler, Router } from 'express';
import { z } from 'zod';
import type { ZodType } from 'zod';
import { issuePaths, requireDependency, validateBody } from '@innover/kit';
import type { Database, ApiDependencies } from '@innover/kit';
import { idempotent, respond } from '@innover/kit/idempotency';
import { quoteStore } from '../data-access/quotes.ts';
import { rateStore } from '../data-access/rates.ts';
import { invalidRateReason } from '../domain/decimal.ts';
import { createQuote, useQuote } from '../domain/quotes.ts';
import { decodeCursor, invalidPairReason, listRates, setRate } from '../domain/rates.ts';
import type { ForexSettings } from '../settings.ts';

const currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR');
const minorUnits = z
  .number({ message: 'must be a whole number of minor units' })
  // zod's int() also refuses integers past 2^53 - 1, which JSON numbers cannot carry exactly.
  .int('must be a whole number of minor units, at most 2^53 - 1')
  .positive('must be greater than 0');

export const rateRequest = z.strictObject({
  rate: z.string({ message: 'must be a decimal string such as "1.0800", not a number' }).superRefine((rate, check) => {
    const reason = invalidRateReason(rate);
    if (reason) check.addIssue({ code: 'custom', message: reason });
  }),
});

export const quoteRequest = z
  .strictObject({ sellCurrency: currency, buyCurrency: currency, sellAmountMinor: minorUnits })
  .refine((quote) => quote.sellCurrency !== quote.buyCurrency, { path: ['buyCurrency'], message: 'must differ from sellCurrency' });
type QuoteRequest = z.infer<typeof quoteRequest>;

export const useQuoteRequest = z.strictObject({ paymentId: z.uuid('must be a UUID') });

export const listQuery = z.strictObject({
  limit: z
    .string()
    .regex(/^\d+$/, 'must be a whole number from 1')
    .transform(Number)
    .refine((limit) => limit >= 1, 'must be a whole number from 1')
    .optional(),
  cursor: z
    .string()
    .refine((cursor) => decodeCursor(cursor) !== undefined, 'is not a cursor this list gave')
    .optional(),
});

/** The kit's 400 shape (`invalid_request` + issues) for what `validateBody` does not cover: the query and path. */
function validate(schema: ZodType, pick: (request: Request) => unknown, prefix?: string): RequestHandler {
  return (request, response, next) => {
    const parsed = schema.safeParse(pick(request));
    if (parsed.success) {
      next();
      return;
    }
    const issues = issuePaths(parsed.error.issues.map((issue) => ({ ...issue, path: prefix ? [prefix, ...issue.path] : issue.path })));
    response.status(400).json({ error: 'invalid_request', message: issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '), issues });
  };
}

const pairParameter = z.string().superRefine((pair, check) => {
  const reason = invalidPairReason(pair);
  if (reason) check.addIssue({ code: 'custom', message: reason });
});

/** GET /rates, PUT /rates/:pair, POST /quotes (optional Idempotency-Key), POST /quotes/:id/use. */
export function forexRoutes(router: Router, dependencies: ApiDependencies, settings: ForexSettings): void {
  const database = (): Database => requireDependency(dependencies.database, 'DATABASE_URL');
  router.get(
    '/rates',
    validate(listQuery, (request) => ({ ...(request.query as Record<string, unknown>) })),
    async (request, response) => {
      const query = listQuery.parse({ ...(request.query as Record<string, unknown>) });
      const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
      response.json(await listRates(rateStore(database()), { ...(query.limit === undefined ? {} : { limit: query.limit }), ...(after ? { after } : {}) }));
    },
  );
  router.put(
    '/rates/:pair',
    validate(pairParameter, (request) => String(request.params['pair'] ?? ''), 'pair'),
    validateBody(rateRequest),
    async (request, response) => {
      response.json(await setRate(rateStore(database()), String(request.params['pair'] ?? ''), (request.body as { rate: string }).rate));
    },
  );
  router.post(
    '/quotes',
    validateBody(quoteRequest),
    idempotent({
      optional: true,
      get database() {
        return database();
      },
      handle: async (tx, context) => respond(201, await createQuote({ rates: rateStore(tx), quotes: quoteStore(tx) }, context.body as QuoteRequest, { id: randomUUID(), ttlSeconds: settings.quoteTtlSeconds })),
    }),
  );
  router.post('/quotes/:id/use', validateBody(useQuoteRequest), async (request, response) => {
    response.json(await useQuote(quoteStore(database()), String(request.params['id'] ?? ''), (request.body as { paymentId: string }).paymentId));
  });
}
