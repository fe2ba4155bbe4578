import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { Wso2HttpError, Wso2UnreachableError, type Wso2Client } from '../clients/wso2-client.js';
import type { ApiConfig, ApiEntry } from './api-config-schema.js';
import { changedFields, toWso2Api } from './api-definition.js';
import { Wso2Session, type Wso2Credentials } from './session.js';
import { keyManagerName } from '../identity/key-manager.js';
import { smokeClientId } from '../identity/realm-model.js';

/**
 * The typed WSO2 publisher. `innover publish-apis` is a thin layer over it; import it for custom
 * logic (an extra API, another application) with the same idempotent sequence:
 * DCR, scoped token, search by name and version, create or update, revision (pruning old ones),
 * deploy and wait, then Publish only when not published yet.
 *
 * ```ts
 * import { createPublisher } from '@innover/cli/gateway';
 * const publisher = createPublisher({ client, credentials: { user: 'admin', password }, gatewayUrl });
 * const result = await publisher.publishAll(config);
 * ```
 */

/** The DevPortal application whose keys are the Keycloak `innover-smoke` client. */
export const smokeApplicationName = 'innover-smoke';
/** The key manager `configure-keycloak` registers in WSO2: the same name, from one place. */
export const keycloakKeyManagerName = keyManagerName;

export type ApiAction = 'created' | 'updated' | 'unchanged' | 'failed';

export interface ApiResult {
  name: string;
  version: string;
  context: string;
  action: ApiAction;
  /** Where the gateway serves it, without a version segment (default version). */
  gatewayUrl: string;
  id?: string;
  /** One line with the fix, when failed. */
  error?: string;
}

export interface ApplicationResult {
  name: string;
  action: ApiAction;
  /** Subscriptions added on this run. */
  subscribed: string[];
  error?: string;
}

export interface PublishResult {
  apis: ApiResult[];
  application?: ApplicationResult;
  /** True when any API or the application failed: the command exits non-zero. */
  failed: boolean;
}

export interface PublisherOptions {
  client: Wso2Client;
  credentials: Wso2Credentials;
  /** https://localhost:8243: the base of the result's gateway URLs. */
  gatewayUrl: string;
  /** Folder of api-config.yaml: GraphQL schema files are relative to it. */
  configDirectory?: string;
  /** The Keycloak `innover-smoke` secret; without it the smoke application is not ensured. */
  smokeClientSecret?: string;
  /** How long to wait for a deployment to reach the gateway. */
  deployTimeoutMs?: number;
  pollIntervalMs?: number;
  signal?: AbortSignal;
  /** Progress lines (stderr). */
  progress?: (line: string) => void;
  /** Reads GraphQL schema files; tests pass an in-memory reader. */
  readText?: (path: string) => Promise<string>;
}

/** A context already served by another API. */
export class ContextTakenError extends Error {
  constructor(
    readonly context: string,
    readonly owner: string,
  ) {
    super(`context ${context} is taken by API '${owner}'`);
    this.name = 'ContextTakenError';
  }
}

/** WSO2 lacks the key manager the smoke application's keys map to: configure-keycloak adds it. */
export class KeyManagerMissingError extends Error {
  constructor(readonly keyManager: string) {
    super(`WSO2 has no key manager ${keyManager}`);
    this.name = 'KeyManagerMissingError';
  }
}

/** A deployment that did not reach the gateway in time. */
export class DeploymentTimeoutError extends Error {
  constructor(
    readonly revisionId: string,
    readonly environment: string,
    readonly waitedMs: number,
  ) {
    super(`revision ${revisionId} not deployed to '${environment}' after ${Math.round(waitedMs / 1000)} s`);
    this.name = 'DeploymentTimeoutError';
  }
}

interface ApiRecord {
  id: string;
  name: string;
  version: string;
  context?: string;
  lifeCycleStatus?: string;
  [key: string]: unknown;
}

interface Deployment {
  revisionUuid?: string;
  name?: string;
  successDeployedTime?: string;
}

export function createPublisher(options: PublisherOptions): Publisher {
  return new Publisher(options);
}

export class Publisher {
  readonly session: Wso2Session;
  private environmentName: Promise<string> | undefined;

  constructor(private readonly options: PublisherOptions) {
    this.session = new Wso2Session(options.client, options.credentials);
  }

  /**
   * Publishes every API of the config (or only `only`), then ensures the smoke application.
   * An API that fails is reported and the others go on; authentication and reachability
   * failures stop the run, since no API could succeed.
   */
  async publishAll(config: ApiConfig, selection: { only?: string } = {}): Promise<PublishResult> {
    const withApplication = this.options.smokeClientSecret !== undefined && !selection.only;
    // Before anything is written: without the key manager the run could not finish.
    if (withApplication) await this.requireKeyManager();
    const entries = selection.only ? config.apis.filter((api) => api.name === selection.only) : config.apis;
    const apis: ApiResult[] = [];
    const published: Array<{ id: string; policy: string; name: string }> = [];
    for (const entry of entries) {
      const result = await this.publishApi(entry, config);
      apis.push(result);
      if (result.id && result.action !== 'failed') published.push({ id: result.id, policy: entry.subscriptionPolicies[0] ?? 'Unlimited', name: entry.name });
    }
    let application: ApplicationResult | undefined;
    if (withApplication) application = await this.ensureSmokeApplication(published);
    return { apis, ...(application ? { application } : {}), failed: apis.some((api) => api.action === 'failed') || application?.action === 'failed' };
  }

  /** One API through the whole sequence. Fatal errors (401, unreachable) are rethrown. */
  async publishApi(entry: ApiEntry, config: Pick<ApiConfig, 'gatewayEnvironment' | 'vhost' | 'maxRevisions'>): Promise<ApiResult> {
    const base: ApiResult = {
      name: entry.name,
      version: entry.version,
      context: entry.context,
      action: 'failed',
      gatewayUrl: `${this.options.gatewayUrl.replace(/\/$/, '')}${entry.context}`,
    };
    try {
      this.options.progress?.(`${entry.name}: searching`);
      const desired = toWso2Api(entry);
      let api = await this.findApi(entry.name, entry.version);
      let action: ApiAction = 'unchanged';
      let changed = false;
      if (!api) {
        const owner = await this.findContextOwner(entry.context);
        if (owner) throw new ContextTakenError(entry.context, `${owner.name} ${owner.version}`);
        api = await this.createApi(entry, desired);
        action = 'created';
        changed = true;
      } else {
        const current = (await this.session.send('publisher', { api: 'publisher', method: 'GET', path: `/apis/${encodeURIComponent(api.id)}` })).data as ApiRecord;
        const fields = changedFields(desired, current);
        if (fields.length > 0) {
          this.options.progress?.(`${entry.name}: updating ${fields.join(', ')}`);
          // PUT takes the whole API: WSO2's own fields, overlaid with innover's.
          api = (await this.session.send('publisher', { api: 'publisher', method: 'PUT', path: `/apis/${encodeURIComponent(api.id)}`, json: { ...current, ...desired } })).data as ApiRecord;
          action = 'updated';
          changed = true;
        } else {
          api = current;
        }
      }
      const environment = await this.gatewayEnvironment(config.gatewayEnvironment);
      const deployments = await this.deployments(api.id);
      if (changed || !deployments.some((deployment) => deployment.name === environment)) {
        const revisionId = await this.createRevision(api.id, config.maxRevisions);
        await this.deploy(api.id, revisionId, environment, config.vhost);
        if (action === 'unchanged') action = 'updated';
      }
      if (api.lifeCycleStatus !== 'PUBLISHED') {
        // Deployed first, then published: WSO2 does not enforce that order (api-manager#5001).
        this.options.progress?.(`${entry.name}: publishing`);
        await this.session.send('publisher', { api: 'publisher', method: 'POST', path: '/apis/change-lifecycle', query: { apiId: api.id, action: 'Publish' } });
        if (action === 'unchanged') action = 'updated';
      }
      return { ...base, action, id: api.id };
    } catch (error) {
      if (isFatal(error)) throw error;
      return { ...base, error: describeApiError(error, entry) };
    }
  }

  /** Exact search by name and version (quoted: unquoted terms match as "contains"). */
  async findApi(name: string, version: string): Promise<ApiRecord | undefined> {
    const response = await this.session.send('publisher', { api: 'publisher', method: 'GET', path: '/search', query: { query: `name:"${name}" version:"${version}"` } });
    const list = ((response.data as { list?: unknown[] }).list ?? []) as ApiRecord[];
    return list.find((item) => item.name === name && item.version === version && (item['type'] === undefined || item['type'] === 'API'));
  }

  /** The API already serving `context`, if any: WSO2 answers a duplicate with 500, not 409. */
  async findContextOwner(context: string): Promise<ApiRecord | undefined> {
    const response = await this.session.send('publisher', { api: 'publisher', method: 'GET', path: '/search', query: { query: `context:"${context}"` } });
    const list = ((response.data as { list?: unknown[] }).list ?? []) as ApiRecord[];
    return list.find((item) => item.context === context || item.context?.replace(/\/[^/]+$/, '') === context);
  }

  private async createApi(entry: ApiEntry, desired: Record<string, unknown>): Promise<ApiRecord> {
    this.options.progress?.(`${entry.name}: creating`);
    if (entry.kind === 'graphql') {
      const path = join(this.options.configDirectory ?? '.', entry.schemaFile);
      const schema = await (this.options.readText ?? ((file: string) => readFile(file, 'utf8')))(path);
      const file = { fileName: entry.schemaFile.split('/').pop() ?? 'schema.graphql', content: schema, contentType: 'application/graphql' };
      await this.session.send('publisher', { api: 'publisher', method: 'POST', path: '/apis/validate-graphql-schema', multipart: { file } });
      const response = await this.session.send('publisher', {
        api: 'publisher',
        method: 'POST',
        path: '/apis/import-graphql-schema',
        multipart: { type: 'GraphQL', file, additionalProperties: JSON.stringify(desired) },
      });
      return response.data as ApiRecord;
    }
    const response = await this.session.send('publisher', { api: 'publisher', method: 'POST', path: '/apis', json: desired });
    return response.data as ApiRecord;
  }

  /** Creates a revision after deleting the oldest undeployed ones past the cap. */
  private async createRevision(apiId: string, maxRevisions: number): Promise<string> {
    const path = `/apis/${encodeURIComponent(apiId)}/revisions`;
    const listed = (await this.session.send('publisher', { api: 'publisher', method: 'GET', path })).data as {
      list?: Array<{ id: string; createdTime?: string; deploymentInfo?: unknown[] }>;
    };
    const revisions = [...(listed.list ?? [])];
    const undeployed = revisions
      .filter((revision) => !revision.deploymentInfo || revision.deploymentInfo.length === 0)
      // Oldest first. createdTime is epoch millis or a date string depending on the version; when
      // neither parses, the listed order (creation order) stands, as the sort is stable.
      .sort((left, right) => createdAt(left.createdTime) - createdAt(right.createdTime));
    let count = revisions.length;
    while (count >= maxRevisions && undeployed.length > 0) {
      const oldest = undeployed.shift();
      if (!oldest) break;
      await this.session.send('publisher', { api: 'publisher', method: 'DELETE', path: `${path}/${encodeURIComponent(oldest.id)}` });
      count -= 1;
    }
    const created = (await this.session.send('publisher', { api: 'publisher', method: 'POST', path, json: { description: 'published by innover' } })).data as { id?: string };
    if (!created.id) throw new Error('WSO2 created a revision without an id');
    return created.id;
  }

  private async deployments(apiId: string): Promise<Deployment[]> {
    const response = await this.session.send('publisher', { api: 'publisher', method: 'GET', path: `/apis/${encodeURIComponent(apiId)}/deployments` });
    const data = response.data as Deployment[] | { list?: Deployment[] };
    return Array.isArray(data) ? data : (data.list ?? []);
  }

  /** Deploys and waits until the gateway has it: deployment is asynchronous. */
  private async deploy(apiId: string, revisionId: string, environment: string, vhost: string): Promise<void> {
    this.options.progress?.(`deploying revision ${revisionId} to ${environment}`);
    // The spec says 200, the server answers 201: any 2xx is success.
    await this.session.send('publisher', {
      api: 'publisher',
      method: 'POST',
      path: `/apis/${encodeURIComponent(apiId)}/deploy-revision`,
      query: { revisionId },
      json: [{ name: environment, vhost, displayOnDevportal: true }],
    });
    const timeoutMs = this.options.deployTimeoutMs ?? 120_000;
    // Gateways usually pick a revision up within a second or two: poll soon, then back off.
    let interval = this.options.pollIntervalMs ?? 200;
    const started = Date.now();
    for (;;) {
      const deployments = await this.deployments(apiId);
      if (deployments.some((deployment) => deployment.revisionUuid === revisionId && deployment.name === environment && deployment.successDeployedTime)) return;
      if (Date.now() - started >= timeoutMs) throw new DeploymentTimeoutError(revisionId, environment, Date.now() - started);
      await delay(Math.min(interval, Math.max(0, timeoutMs - (Date.now() - started))), this.options.signal);
      interval = Math.min(interval * 2, 2_000);
    }
  }

  /** The configured environment, else the admin API's (Default preferred), else Default. */
  gatewayEnvironment(configured: string | undefined): Promise<string> {
    if (configured) return Promise.resolve(configured);
    this.environmentName ??= this.session
      .send('admin', { api: 'admin', method: 'GET', path: '/environments' })
      .then((response) => {
        const list = ((response.data as { list?: Array<{ name?: string }> }).list ?? []).map((environment) => environment.name).filter((name): name is string => Boolean(name));
        return list.includes('Default') ? 'Default' : (list[0] ?? 'Default');
      });
    return this.environmentName;
  }

  /**
   * Throws KeyManagerMissingError unless the DevPortal offers the Keycloak key manager (enabled),
   * which map-keys names: `innover configure-keycloak` registers it.
   */
  async requireKeyManager(): Promise<void> {
    const listed = (await this.session.send('devportal', { api: 'devportal', method: 'GET', path: '/key-managers' })).data as {
      list?: Array<{ name?: string; enabled?: boolean }>;
    };
    const found = (listed.list ?? []).some((keyManager) => keyManager.name === keycloakKeyManagerName && keyManager.enabled !== false);
    if (!found) throw new KeyManagerMissingError(keycloakKeyManagerName);
  }

  /**
   * The DevPortal application `innover-smoke`: keys mapped to the Keycloak client of the same
   * name through the Keycloak key manager, and subscribed to every published API, so a
   * client-credentials token from Keycloak is accepted by the gateway.
   */
  async ensureSmokeApplication(apis: ReadonlyArray<{ id: string; policy: string; name: string }>): Promise<ApplicationResult> {
    const result: ApplicationResult = { name: smokeApplicationName, action: 'unchanged', subscribed: [] };
    try {
      const listed = (await this.session.send('devportal', { api: 'devportal', method: 'GET', path: '/applications', query: { query: smokeApplicationName } })).data as {
        list?: Array<{ applicationId?: string; name?: string }>;
      };
      let applicationId = (listed.list ?? []).find((application) => application.name === smokeApplicationName)?.applicationId;
      if (!applicationId) {
        const created = (await this.session.send('devportal', {
          api: 'devportal',
          method: 'POST',
          path: '/applications',
          json: { name: smokeApplicationName, throttlingPolicy: 'Unlimited', description: 'smoke tests and scripts (innover)', tokenType: 'JWT' },
        })).data as { applicationId?: string };
        applicationId = created.applicationId;
        if (!applicationId) throw new Error('WSO2 created the application without an applicationId');
        result.action = 'created';
      }
      const app = encodeURIComponent(applicationId);
      const keys = ((await this.session.send('devportal', { api: 'devportal', method: 'GET', path: `/applications/${app}/oauth-keys` })).data as {
        list?: Array<{ keyManager?: string; keyType?: string; consumerKey?: string }>;
      }).list ?? [];
      const mapped = keys.find((key) => key.keyManager === keycloakKeyManagerName && key.keyType === 'PRODUCTION');
      if (mapped && mapped.consumerKey !== smokeClientId) {
        throw new Error(`its PRODUCTION keys are mapped to client '${mapped.consumerKey ?? '?'}', not '${smokeClientId}': remove them in the DevPortal and rerun`);
      }
      if (!mapped) {
        await this.session.send('devportal', {
          api: 'devportal',
          method: 'POST',
          path: `/applications/${app}/map-keys`,
          json: { consumerKey: smokeClientId, consumerSecret: this.options.smokeClientSecret ?? '', keyManager: keycloakKeyManagerName, keyType: 'PRODUCTION' },
        });
        if (result.action === 'unchanged') result.action = 'updated';
      }
      const subscriptions = ((await this.session.send('devportal', { api: 'devportal', method: 'GET', path: '/subscriptions', query: { applicationId } })).data as {
        list?: Array<{ apiId?: string }>;
      }).list ?? [];
      const subscribed = new Set(subscriptions.map((subscription) => subscription.apiId));
      for (const api of apis) {
        if (subscribed.has(api.id)) continue;
        await this.session.send('devportal', { api: 'devportal', method: 'POST', path: '/subscriptions', json: { applicationId, apiId: api.id, throttlingPolicy: api.policy } });
        result.subscribed.push(api.name);
        if (result.action === 'unchanged') result.action = 'updated';
      }
      return result;
    } catch (error) {
      if (isFatal(error)) throw error;
      return { ...result, action: 'failed', error: `application ${smokeApplicationName}: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
}

/** Errors no other API could escape: stop the run and say so once. */
export function isFatal(error: unknown): boolean {
  if (error instanceof Wso2UnreachableError) return true;
  return error instanceof Wso2HttpError && (error.status === 401 || error.request.api === 'dcr' || error.request.api === 'token');
}

/** One line with the fix for an error on one API. */
export function describeApiError(error: unknown, entry: ApiEntry): string {
  const label = `${entry.name} ${entry.version}`;
  if (error instanceof ContextTakenError) {
    return `${label}: context ${error.context} is taken by API '${error.owner}': change its context in wso2/api-config.yaml, or delete that API`;
  }
  if (error instanceof DeploymentTimeoutError) {
    return `${label}: ${error.message}: check the gateway with \`innover logs wso2am\` and rerun`;
  }
  if (error instanceof Wso2HttpError) {
    if (error.request.path === '/apis' && error.request.method === 'POST' && (error.status === 409 || error.status === 500)) {
      return `${label}: WSO2 refused to create it (${error.status}), most likely because context ${entry.context} is taken by another API: change its context in wso2/api-config.yaml, or delete that API`;
    }
    if (error.status === 403) return `${label}: ${error.message}: the WSO2 user lacks a scope; use an admin user in WSO2_ADMIN_USER`;
    return `${label}: ${error.message}: fix the entry in wso2/api-config.yaml or check \`innover logs wso2am\``;
  }
  return `${label}: ${error instanceof Error ? error.message : String(error)}`;
}

/** One line with the fix for a fatal error (unreachable, credentials). */
export function describeFatalError(error: unknown, wso2Url: string): string {
  if (error instanceof KeyManagerMissingError) {
    return `${error.message}, which the ${smokeApplicationName} application's keys map to: run \`innover configure-keycloak\` first, then rerun innover publish-apis`;
  }
  if (error instanceof Wso2UnreachableError) {
    return error.timedOut
      ? `WSO2 at ${wso2Url} did not answer in time: wait until \`innover health\` shows it healthy, then rerun`
      : `WSO2 is unreachable at ${wso2Url} (${error.reason}): start it with \`innover up\`, or fix WSO2_URL in .env`;
  }
  if (error instanceof Wso2HttpError && (error.status === 401 || error.request.api === 'dcr' || error.request.api === 'token')) {
    return `WSO2 refused the login (${error.status}): check WSO2_ADMIN_USER and WSO2_ADMIN_PASSWORD in .env`;
  }
  return error instanceof Error ? error.message : String(error);
}

function createdAt(value: string | undefined): number {
  const millis = Number(value);
  if (value !== undefined && !Number.isNaN(millis)) return millis;
  const parsed = Date.parse(value ?? '');
  return Number.isNaN(parsed) ? 0 : parsed;
}

function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new Error('interrupted'));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Error('interrupted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
