import { wso2BasePaths, type Wso2Client, type Wso2Request } from '../clients/wso2-client.js';
import { keyManagerName as keycloakKeyManagerName } from '../identity/key-manager.js';

/** A request as `--dry-run` prints it: secrets masked. */
export interface PlannedRequest {
  method: string;
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  auth?: string;
}

const maskedKeys = new Set(['password', 'consumerSecret', 'client_secret', 'clientSecret', 'secret']);

function mask(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(mask);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, maskedKeys.has(key) ? '***' : mask(item)]));
  }
  return value;
}

/**
 * A Wso2Client that contacts nothing: it records each request (secrets masked) and answers as a
 * fresh WSO2 would, so the publisher walks the sequence it would send to an empty server.
 */
export function createDryRunClient(): Wso2Client & { readonly requests: PlannedRequest[] } {
  const requests: PlannedRequest[] = [];
  const created = new Map<string, Record<string, unknown>>();
  let deployed: Array<{ revisionUuid: string; name: string; successDeployedTime: string }> = [];
  let counter = 0;
  const answer = (data: unknown, status = 200) => ({ status, data, headers: {} });

  return {
    requests,
    async request(request: Wso2Request) {
      const planned: PlannedRequest = { method: request.method, path: `${wso2BasePaths[request.api]}${request.path}` };
      if (request.query) planned.query = request.query;
      const body = request.json ?? request.form ?? (request.multipart ? Object.fromEntries(Object.entries(request.multipart).map(([key, field]) => [key, typeof field === 'string' ? field : `<file ${field.fileName}>`])) : undefined);
      if (body !== undefined) planned.body = mask(body);
      if (request.auth) planned.auth = 'bearer' in request.auth ? 'Bearer ***' : `Basic ${request.auth.basic.user}:***`;
      requests.push(planned);

      const { api, method, path } = request;
      if (api === 'dcr') return answer({ clientId: 'dry-run', clientSecret: 'dry-run' });
      if (api === 'token') return answer({ access_token: 'dry-run', token_type: 'Bearer' });
      if (method === 'GET' && (path === '/search' || path === '/applications' || path === '/subscriptions' || path === '/environments' || path.endsWith('/revisions') || path.endsWith('/oauth-keys'))) {
        return answer({ count: 0, list: [] });
      }
      if (method === 'GET' && path.endsWith('/deployments')) return answer(deployed);
      // The key manager configure-keycloak registers: the dry run shows the run that follows it.
      if (method === 'GET' && path === '/key-managers') return answer({ count: 1, list: [{ name: keycloakKeyManagerName, type: 'KeyCloak', enabled: true }] });
      if (method === 'POST' && (path === '/apis' || path === '/apis/import-graphql-schema')) {
        const id = `dry-run-api-${++counter}`;
        const record = { ...(request.json as Record<string, unknown> | undefined), id, lifeCycleStatus: 'CREATED' };
        created.set(id, record);
        return answer(record, 201);
      }
      if (method === 'POST' && path.endsWith('/revisions')) return answer({ id: `dry-run-revision-${++counter}` }, 201);
      if (method === 'POST' && path.endsWith('/deploy-revision')) {
        const revisionUuid = request.query?.['revisionId'] ?? '';
        const names = ((request.json as Array<{ name: string }> | undefined) ?? []).map((entry) => entry.name);
        deployed = [...deployed, ...names.map((name) => ({ revisionUuid, name, successDeployedTime: 'dry-run' }))];
        return answer(request.json, 201);
      }
      if (method === 'POST' && path === '/applications') return answer({ applicationId: 'dry-run-application', name: 'innover-smoke' }, 201);
      return answer({}, method === 'POST' ? 201 : 200);
    },
  };
}
