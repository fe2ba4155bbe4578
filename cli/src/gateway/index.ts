/**
 * innover's WSO2 publisher as a library (`@innover/cli/gateway`): the same idempotent sequence
 * `innover publish-apis` runs, for custom logic such as an extra API or application.
 *
 * ```ts
 * import { createPublisher, createWso2HttpClient, validateApiConfig } from '@innover/cli/gateway';
 * const client = createWso2HttpClient(() => ({ baseUrl: 'https://localhost:9443' }));
 * const publisher = createPublisher({ client, credentials: { user: 'admin', password: 'admin' }, gatewayUrl: 'https://localhost:8243' });
 * const config = validateApiConfig({ apis: [{ name: 'Quotes', context: '/api/quotes', endpoint: 'http://quotes:8000' }] });
 * if (config.value) console.table((await publisher.publishAll(config.value)).apis);
 * ```
 */
export { createPublisher, Publisher, ContextTakenError, DeploymentTimeoutError, KeyManagerMissingError, describeApiError, describeFatalError, smokeApplicationName, keycloakKeyManagerName } from './publisher.js';
export type { ApiAction, ApiResult, ApplicationResult, PublishResult, PublisherOptions } from './publisher.js';
export { apiConfigSchema, apiEntrySchema, validateApiConfig } from './api-config-schema.js';
export type { ApiConfig, ApiEntry, ApiConfigResult } from './api-config-schema.js';
export { toWso2Api, changedFields } from './api-definition.js';
export { Wso2Session, scopes } from './session.js';
export { createDryRunClient } from './dry-run.js';
export { createWso2HttpClient, Wso2HttpError, Wso2UnreachableError, wso2BasePaths } from '../clients/wso2-client.js';
export type { Wso2Client, Wso2Request, Wso2Response } from '../clients/wso2-client.js';
