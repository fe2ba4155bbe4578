/**
 * The kit's service-to-service client, as the wallet's adapters reach it. A route that needs a service the
 * process was not given (no `<NAME>_URL` in SERVICE_CALLS) answers 503 naming the variable.
 */
import { HttpError } from '@innover/kit';
import type { ApiDependencies, ServiceClient } from '@innover/kit';

export { ServiceCallError, ServiceUnavailableError } from '@innover/kit';
export type { ServiceClient } from '@innover/kit';

/** The client for `service` from the process's dependencies; 503 naming the variable when it has none. */
export function serviceClient(dependencies: Pick<ApiDependencies, 'services'>, service: string): ServiceClient {
  if (!dependencies.services.names().includes(service)) {
    throw new HttpError(503, 'dependency_not_configured', `this route needs ${service.toUpperCase().replaceAll('-', '_')}_URL (and ${service} in SERVICE_CALLS), which is not set for this service`);
  }
  return dependencies.services.get(service);
}
