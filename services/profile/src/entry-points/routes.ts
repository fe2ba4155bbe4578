import type { Router } from 'express';
import { z } from 'zod';
import { requireDependency, validateBody, validateQuery } from '@innover/kit';
import type { ApiDependencies } from '@innover/kit';
import { customerStore } from '../data-access/customers.ts';
import { isCountryCode } from '../domain/countries.ts';
import { createCustomer, customerStatuses, getCustomer, getCustomers, maxCustomersPerRead, setCustomerStatus } from '../domain/customer.ts';
import type { CustomerStatus } from '../domain/customer.ts';

export const createCustomerRequest = z.strictObject({
  displayName: z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters'),
  email: z.email('must be an email address').max(254, 'must be at most 254 characters'),
  country: z.string().refine(isCountryCode, 'must be an assigned ISO 3166-1 alpha-2 country code in capitals, such as DE'),
});
type CreateCustomerRequest = z.infer<typeof createCustomerRequest>;

/** `?ids=<id>,<id>` (or `ids` repeated): 1 to `maxCustomersPerRead` customer ids. */
export const customersQuery = z.strictObject({
  ids: z
    .union([z.string(), z.array(z.string())], { message: `is required: 1 to ${maxCustomersPerRead} customer ids (UUIDs), comma-separated` })
    .transform((value) => (Array.isArray(value) ? value : [value]).flatMap((part) => part.split(',')).map((id) => id.trim()))
    .pipe(
      z
        .array(z.uuid('must be customer ids (UUIDs), comma-separated'))
        .min(1, 'must name at least one customer id')
        .max(maxCustomersPerRead, `must name at most ${maxCustomersPerRead} customer ids; split the read`),
    ),
});

export const updateCustomerRequest = z.strictObject({ status: z.enum(customerStatuses, { message: 'must be "active" or "blocked"' }) });

/** POST /customers, GET /customers?ids=, GET /customers/:id, PATCH /customers/:id: validate, call the use case, answer. */
export function profileRoutes(router: Router, dependencies: ApiDependencies): void {
  const store = () => customerStore(requireDependency(dependencies.database, 'DATABASE_URL'));
  router.post('/customers', validateBody(createCustomerRequest), async (request, response) => {
    response.status(201).json(await createCustomer(store(), request.body as CreateCustomerRequest));
  });
  router.get('/customers', validateQuery(customersQuery), async (_request, response) => {
    const { ids } = response.locals['query'] as z.infer<typeof customersQuery>;
    response.json({ items: await getCustomers(store(), ids), nextCursor: null });
  });
  router.get('/customers/:id', async (request, response) => {
    response.json(await getCustomer(store(), String(request.params['id'] ?? '')));
  });
  router.patch('/customers/:id', validateBody(updateCustomerRequest), async (request, response) => {
    response.json(await setCustomerStatus(store(), String(request.params['id'] ?? ''), (request.body as { status: CustomerStatus }).status));
  });
}
