import type { Router } from 'express';
import { z } from 'zod';
import { HttpError, requireDependency, validateBody } from '@innover/kit';
import type { Database, ServiceDependencies } from '@innover/kit';
import { randomUUID } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { quoteIssuedCodec } from '@innover/proto/events.js';
import { QuoteIssuedSchema } from '@innover/proto/forex/v1/forex_pb.js';
import { eventMetadata } from '@innover/proto/metadata.js';

/** How long a conversion's rate is honoured. */
const quoteValidityMs = 5 * 60_000;

const currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR');
export const conversionRequest = z.strictObject({ amountMinor: z.number().int('must be a whole number of minor units').positive('must be greater than 0'), from: currency, to: currency });
type ConversionRequest = z.infer<typeof conversionRequest>;

async function rateOf(database: Database, base: string, quote: string): Promise<number> {
  if (base === quote) return 1;
  const [row] = await database.query<{ rate: string }>('SELECT rate FROM rates WHERE base = $1 AND quote = $2', [base, quote]);
  if (!row) throw new HttpError(404, 'not_found', `no rate for ${base}/${quote}`);
  return Number(row.rate);
}

/** GET /rates/:base/:quote and POST /conversions (rounded half away from zero to minor units). */
export function forexRoutes(router: Router, dependencies: ServiceDependencies): void {
  router.get('/rates/:base/:quote', async (request, response) => {
    const base = currency.safeParse(request.params['base']);
    const quote = currency.safeParse(request.params['quote']);
    if (!base.success || !quote.success) throw new HttpError(400, 'invalid_request', 'base, quote: must be ISO 4217 codes such as EUR');
    const rate = await rateOf(requireDependency(dependencies.database, 'DATABASE_URL'), base.data, quote.data);
    response.json({ base: base.data, quote: quote.data, rate });
  });
  router.post('/conversions', validateBody(conversionRequest), async (request, response) => {
    const body = request.body as ConversionRequest;
    const rate = await rateOf(requireDependency(dependencies.database, 'DATABASE_URL'), body.from, body.to);
    const converted = Math.round(body.amountMinor * rate);
    const quoteId = randomUUID();
    const issuedAt = new Date();
    const event = create(QuoteIssuedSchema, {
      metadata: eventMetadata({ source: 'forex', correlationId: quoteId, occurredAt: issuedAt }),
      quote: {
        quoteId,
        sourceCurrencyCode: body.from,
        targetCurrencyCode: body.to,
        rate: String(rate),
        sourceAmount: { currencyCode: body.from, minorUnits: String(body.amountMinor) },
        targetAmount: { currencyCode: body.to, minorUnits: String(converted) },
        issuedAt: timestampFromDate(issuedAt),
        expiresAt: timestampFromDate(new Date(issuedAt.getTime() + quoteValidityMs)),
      },
    });
    await dependencies.events?.publish('quote-issued', event, { key: quoteId, codec: quoteIssuedCodec });
    response.json({ ...body, quoteId, rate, convertedMinor: converted });
  });
}
