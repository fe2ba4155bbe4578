import { afterEach, describe, expect, it } from 'vitest';
import { createWso2HttpClient } from '../../src/clients/wso2-client.js';
import { publishAllApis } from '../../src/gateway/publish.js';
import { ContractServer } from '../contract-support/contract-server.js';
import { contractEnv, projectWithApiConfig, topology } from '../contract-support/harness.js';
import { testContext } from '../support/context.js';

// publishAllApis is the publish step of `up` (and of `k8s deploy`): publish-apis' use case, with
// any failed API turned into one UserError, against the WSO2 specs.
let server: ContractServer;
afterEach(async () => {
  await server.stop();
});

async function context() {
  server = await new ContractServer().start();
  server.keyManagers.set('km-1', { id: 'km-1', name: 'Keycloak', type: 'KeyCloak', enabled: true });
  const env = contractEnv(server.url);
  const wso2 = createWso2HttpClient(() => ({ baseUrl: env.WSO2_URL, timeoutMs: 5_000 }));
  return testContext({ wso2 }, { root: await projectWithApiConfig(), topology, dotenv: env });
}

describe('publishAllApis', () => {
  it('publishes every API and answers with the result', async () => {
    const result = await publishAllApis(await context());
    expect(result.failed).toBe(false);
    expect(result.apis.map((api) => api.action)).toEqual(result.apis.map(() => 'created'));
    expect(server.violations).toEqual([]);
  });

  it('fails with one line per failed API and the command to rerun, when an API could not be published', async () => {
    const ctx = await context();
    server.addApi({ name: 'Legacy Payments', version: '2.0.0', context: '/api/payment', endpointConfig: {} });
    await expect(publishAllApis(ctx)).rejects.toMatchObject({
      problems: [
        "Payment 1.0.0: context /api/payment is taken by API 'Legacy Payments 2.0.0': change its context in wso2/api-config.yaml, or delete that API",
        'some APIs were not published: fix the above, then run innover publish-apis',
      ],
    });
  });
});
