import { createServiceClient } from '@innover/kit';
import type { ServiceClient } from '@innover/kit';

/** The kit's ServiceClient for a stub whose address is known only once it listens. */
export function httpServiceClient(service: string, baseUrl: () => string): ServiceClient {
  return {
    service,
    get baseUrl() {
      return baseUrl();
    },
    request: (method, path, options) => createServiceClient(service, baseUrl()).request(method, path, options),
  };
}
