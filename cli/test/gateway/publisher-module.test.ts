import { describe, expect, it } from 'vitest';
import * as gateway from '@innover/cli/gateway';

describe('@innover/cli/gateway', () => {
  it('exposes the typed publisher users import for custom logic', async () => {
    const client = gateway.createDryRunClient();
    const publisher = gateway.createPublisher({ client, credentials: { user: 'admin', password: 'admin' }, gatewayUrl: 'https://localhost:8243' });
    const config = gateway.validateApiConfig({ apis: [{ name: 'Quotes', context: '/api/quotes', endpoint: 'http://quotes:8000' }] });
    const result = await publisher.publishAll(config.value!);
    expect(result.apis).toEqual([expect.objectContaining({ name: 'Quotes', action: 'created', gatewayUrl: 'https://localhost:8243/api/quotes' })]);
    expect(client.requests.map((request) => `${request.method} ${request.path}`)).toContain('POST /api/am/publisher/v4/apis/change-lifecycle');
  });
});
