import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OpenApiSpec } from './openapi-validator.js';

/**
 * An in-process stand-in for Keycloak 26 and WSO2 API Manager 4.5, on one port. Every request to
 * an admin, publisher or devportal API is validated against the official OpenAPI spec (path,
 * method, query, body) and refused with 400 when the spec does not allow it; DCR and the token
 * endpoint, which the specs lack, are checked against the shapes in the contracts README. It
 * answers like the real servers, statefully: 201 from deploy-revision, Location headers from
 * Keycloak creates, a duplicate context refused with 409 or 500.
 */

export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
  body: unknown;
  status: number;
}

export interface ContractServerOptions {
  keycloakAdmin?: { user: string; password: string };
  wso2Admin?: { user: string; password: string };
  /** What WSO2 answers to a duplicate context: 409, or the 500 of product-apim#10243. */
  duplicateContextStatus?: 409 | 500;
  /** Deployment polls answered "pending" before the gateway reports it deployed. */
  deploymentPolls?: number;
  /** Milliseconds to wait before answering WSO2 management calls (timeout tests). */
  wso2Delay?: number;
  /** Answer key managers' client_secret masked, as WSO2 may. */
  maskKeyManagerSecrets?: boolean;
  /** Answer Keycloak creates with 201 but no Location header (Keycloak answered, unusably). */
  omitKeycloakLocation?: boolean;
}

/**
 * The client scopes Keycloak 26 creates in a realm imported without a `clientScopes` block, and
 * which of them are realm defaults (the rest are optional). SAML-only scopes are left out.
 */
const builtInClientScopes: ReadonlyArray<{ name: string; type: 'default' | 'optional' }> = [
  { name: 'profile', type: 'default' },
  { name: 'email', type: 'default' },
  { name: 'roles', type: 'default' },
  { name: 'web-origins', type: 'default' },
  { name: 'acr', type: 'default' },
  { name: 'basic', type: 'default' },
  { name: 'offline_access', type: 'optional' },
  { name: 'address', type: 'optional' },
  { name: 'phone', type: 'optional' },
  { name: 'microprofile-jwt', type: 'optional' },
  { name: 'organization', type: 'optional' },
];

const publisher = new OpenApiSpec('publisher', 'wso2-apim-4.5.0/publisher-api.json');
const admin = new OpenApiSpec('admin', 'wso2-apim-4.5.0/admin-api.json');
const devportal = new OpenApiSpec('devportal', 'wso2-apim-4.5.0/devportal-api.json');
const keycloakSpec = new OpenApiSpec('keycloak', 'keycloak-26.6.0/openapi.json');

/** The specs, for tests that validate documents (the realm file) directly. */
export const specs = { publisher, admin, devportal, keycloak: keycloakSpec };

const wso2Specs: Array<[string, OpenApiSpec]> = [
  ['/api/am/publisher/v4', publisher],
  ['/api/am/admin/v4', admin],
  ['/api/am/devportal/v3', devportal],
];

type Json = Record<string, unknown>;

interface RealmState {
  representation: Json;
  roles: Map<string, Json>;
  clients: Map<string, Json>;
  /** Roles each client defines, by client uuid then role name. */
  clientRoles: Map<string, Map<string, Json>>;
  users: Map<string, Json>;
  userRoles: Map<string, Set<string>>;
  /** Client role mappings: user id -> client uuid -> role names. */
  userClientRoles: Map<string, Map<string, Set<string>>>;
  /** Client scopes by id. */
  clientScopes: Map<string, Json>;
  /** The realm's default client scopes (ids): what a new client gets. */
  defaultClientScopes: Set<string>;
  /** Each client's default client scopes (ids), by client uuid. */
  clientDefaultScopes: Map<string, Set<string>>;
}

class HttpAnswer {
  constructor(
    readonly status: number,
    readonly body?: unknown,
    readonly headers: Record<string, string> = {},
  ) {}
}

export class ContractServer {
  /** Requests that broke a spec; a conforming client leaves this empty. */
  readonly violations: string[] = [];
  readonly requests: RecordedRequest[] = [];
  /** Keycloak realms by name. */
  readonly realms = new Map<string, RealmState>();
  readonly apis = new Map<string, Json>();
  readonly revisions = new Map<string, Json[]>();
  readonly deployments = new Map<string, Json[]>();
  readonly keyManagers = new Map<string, Json>();
  readonly applications = new Map<string, Json>();
  readonly applicationKeys = new Map<string, Json[]>();
  readonly subscriptions: Json[] = [];
  keycloakReady = true;
  wso2Ready = true;
  private readonly tokens = new Map<string, string[]>();
  private readonly dcrApps = new Map<string, { clientId: string; clientSecret: string }>();
  private counter = 0;
  private pendingPolls = new Map<string, number>();
  private server: Server | undefined;
  url = '';

  constructor(readonly options: ContractServerOptions = {}) {}

  async start(): Promise<this> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Requests that change state (POST, PUT, DELETE), without logins (token, DCR). */
  writes(): RecordedRequest[] {
    return this.requests.filter(
      (request) =>
        request.method !== 'GET' &&
        !request.path.endsWith('/protocol/openid-connect/token') &&
        request.path !== '/oauth2/token' &&
        !request.path.startsWith('/client-registration/'),
    );
  }

  /** Seeds a realm as `--import-realm` would have. */
  importRealm(representation: Json): void {
    const state: RealmState = {
      representation: { ...representation },
      roles: new Map(),
      clients: new Map(),
      clientRoles: new Map(),
      users: new Map(),
      userRoles: new Map(),
      userClientRoles: new Map(),
      clientScopes: new Map(),
      defaultClientScopes: new Set(),
      clientDefaultScopes: new Map(),
    };
    // A `clientScopes` block replaces the built-in scopes; without one Keycloak creates them.
    const declared = representation['clientScopes'] as Json[] | undefined;
    for (const scope of declared ?? builtInClientScopes.map(({ name }) => ({ name, protocol: 'openid-connect' }))) {
      const id = this.id('scope');
      state.clientScopes.set(id, { ...scope, id });
      const builtIn = builtInClientScopes.find((entry) => entry.name === scope['name']);
      const defaults = representation['defaultDefaultClientScopes'] as string[] | undefined;
      if (defaults ? defaults.includes(String(scope['name'])) : builtIn?.type === 'default') state.defaultClientScopes.add(id);
    }
    // Keycloak creates realm-management (the admin roles) in every realm.
    const management = this.id('client');
    state.clients.set(management, { id: management, clientId: 'realm-management', bearerOnly: true });
    state.clientRoles.set(management, new Map(['view-clients', 'manage-clients', 'view-users', 'manage-users', 'query-clients'].map((name) => [name, { id: this.id('role'), name, clientRole: true, containerId: management }])));
    for (const role of ((representation['roles'] as Json | undefined)?.['realm'] as Json[] | undefined) ?? []) {
      state.roles.set(String(role['name']), { ...role, id: this.id('role') });
    }
    const clientIds = new Map<string, string>();
    for (const client of (representation['clients'] as Json[] | undefined) ?? []) {
      const id = this.id('client');
      clientIds.set(String(client['clientId']), id);
      state.clients.set(id, { ...client, id });
      this.assignDefaultScopes(state, id, client);
    }
    for (const user of (representation['users'] as Json[] | undefined) ?? []) {
      const id = this.id('user');
      const { realmRoles, clientRoles, ...rest } = user;
      state.users.set(id, { ...rest, id });
      state.userRoles.set(id, new Set((realmRoles as string[] | undefined) ?? []));
      const byClient = new Map<string, Set<string>>();
      for (const [clientId, names] of Object.entries((clientRoles as Record<string, string[]> | undefined) ?? {})) {
        const uuid = [...state.clients.values()].find((client) => client['clientId'] === clientId)?.['id'];
        if (uuid) byClient.set(String(uuid), new Set(names));
      }
      state.userClientRoles.set(id, byClient);
    }
    // Service-account users exist for every client with a service account, as in Keycloak.
    for (const [clientId, id] of clientIds) {
      const client = state.clients.get(id)!;
      if (client['serviceAccountsEnabled'] && ![...state.users.values()].some((user) => user['serviceAccountClientId'] === clientId)) {
        const userId = this.id('user');
        state.users.set(userId, { id: userId, username: `service-account-${clientId}`, serviceAccountClientId: clientId, enabled: true });
        state.userRoles.set(userId, new Set());
      }
    }
    this.realms.set(String(representation['realm']), state);
  }

  /** A new client's default scopes: those it names, else the realm's defaults, as Keycloak does. */
  private assignDefaultScopes(state: RealmState, clientUuid: string, client: Json): void {
    const named = client['defaultClientScopes'] as string[] | undefined;
    const ids = named
      ? [...state.clientScopes.values()].filter((scope) => named.includes(String(scope['name']))).map((scope) => String(scope['id']))
      : [...state.defaultClientScopes];
    state.clientDefaultScopes.set(clientUuid, new Set(ids));
  }

  /** Seeds an API owned by someone else, e.g. to take a context. */
  addApi(api: Json): string {
    const id = this.id('api');
    this.apis.set(id, { lifeCycleStatus: 'CREATED', provider: 'admin', ...api, id });
    return id;
  }

  private id(prefix: string): string {
    this.counter += 1;
    return `${prefix}-${String(this.counter).padStart(4, '0')}`;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.url);
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const contentType = request.headers['content-type'] ?? '';
    let body: unknown;
    let answer: HttpAnswer;
    try {
      body = await parseBody(raw, contentType, url, request);
      answer = await this.route(request.method ?? 'GET', url, body, contentType, request.headers['authorization'] ?? '');
    } catch (error) {
      answer = error instanceof HttpAnswer ? error : new HttpAnswer(500, { message: String(error) });
    }
    this.requests.push({ method: request.method ?? 'GET', path: url.pathname, query: url.search, body, status: answer.status });
    response.writeHead(answer.status, { ...(answer.body !== undefined ? { 'content-type': 'application/json' } : {}), ...answer.headers });
    response.end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
  }

  private violation(where: string, errors: string[]): never {
    const message = `${where}: ${errors.join('; ')}`;
    this.violations.push(message);
    throw new HttpAnswer(400, { code: 400, message: 'contract violation', description: message });
  }

  private async route(method: string, url: URL, body: unknown, contentType: string, authorization: string): Promise<HttpAnswer> {
    let path = url.pathname;
    // Keycloak: health on the management port, discovery and the admin login, the admin API.
    if (path === '/health/ready') return this.keycloakReady ? new HttpAnswer(200, { status: 'UP' }) : new HttpAnswer(503, { status: 'DOWN' });
    const wellKnown = /^\/realms\/([^/]+)\/\.well-known\/openid-configuration$/.exec(path);
    if (wellKnown && method === 'GET') return this.discovery(decodeURIComponent(wellKnown[1]!));
    if (path === '/realms/master/protocol/openid-connect/token' && method === 'POST') return this.keycloakLogin(body);
    if (path.startsWith('/admin/realms')) {
      // The official admin client asks for collections with a trailing slash (`/clients/`), which
      // Keycloak's router accepts; match them as the spec's path.
      path = path.length > 1 ? path.replace(/\/$/, '') : path;
      if (authorization !== 'Bearer kc-admin-token') return new HttpAnswer(401, { error: 'HTTP 401 Unauthorized' });
      const { errors, matched } = keycloakSpec.validateRequest({ method, path, query: url.searchParams, contentType, body });
      if (errors.length > 0) this.violation(`keycloak ${method} ${path}`, errors);
      return this.keycloakAdmin(method, matched!.template, matched!.pathParams, url.searchParams, body);
    }
    // WSO2.
    if (this.options.wso2Delay) await new Promise((resolve) => setTimeout(resolve, this.options.wso2Delay));
    if (path === '/api/am/gateway/v2/server-startup-healthcheck') return this.wso2Ready ? new HttpAnswer(200, { status: 'ready' }) : new HttpAnswer(503, {});
    if (path === '/client-registration/v0.17/register' && method === 'POST') return this.dcr(body, authorization);
    if (path === '/oauth2/token' && method === 'POST') return this.wso2Token(body, authorization);
    for (const [base, spec] of wso2Specs) {
      if (!path.startsWith(`${base}/`)) continue;
      const below = path.slice(base.length);
      const scopes = this.tokens.get(authorization.replace(/^Bearer /, ''));
      if (!scopes) return new HttpAnswer(401, { code: 900901, message: 'Invalid Credentials' });
      const { errors, matched } = spec.validateRequest({ method, path: below, query: url.searchParams, contentType, body });
      if (errors.length > 0) this.violation(`${spec.name} ${method} ${below}`, errors);
      const required = ((matched!.operation['security'] as Array<{ OAuth2Security?: string[] }> | undefined)?.[0]?.OAuth2Security) ?? [];
      if (required.length > 0 && !required.some((scope) => scopes.includes(scope))) {
        this.violation(`${spec.name} ${method} ${below}`, [`token lacks a scope of ${required.join(' | ')} (has ${scopes.join(' ')})`]);
      }
      return this.wso2Api(spec.name, method, matched!.template, matched!.pathParams, url.searchParams, body);
    }
    return new HttpAnswer(404, { message: `no route ${method} ${path}` });
  }

  // ---------------------------------------------------------------- Keycloak

  private discovery(realm: string): HttpAnswer {
    if (!this.realms.has(realm)) return new HttpAnswer(404, { error: 'Realm does not exist' });
    // The fixed public issuer (KC_HOSTNAME): Keycloak under /auth through Nginx.
    const issuer = `http://localhost/auth/realms/${realm}`;
    const oidc = `${issuer}/protocol/openid-connect`;
    return new HttpAnswer(200, {
      issuer,
      authorization_endpoint: `${oidc}/auth`,
      token_endpoint: `${oidc}/token`,
      introspection_endpoint: `${oidc}/token/introspect`,
      userinfo_endpoint: `${oidc}/userinfo`,
      end_session_endpoint: `${oidc}/logout`,
      revocation_endpoint: `${oidc}/revoke`,
      jwks_uri: `${oidc}/certs`,
      registration_endpoint: `${issuer}/clients-registrations/openid-connect`,
    });
  }

  private keycloakLogin(body: unknown): HttpAnswer {
    const form = body as Record<string, string>;
    const expected = this.options.keycloakAdmin ?? { user: 'admin', password: 'admin-password-123' };
    if (form['grant_type'] !== 'password' || form['client_id'] !== 'admin-cli') return new HttpAnswer(400, { error: 'unsupported_grant_type' });
    if (form['username'] !== expected.user || form['password'] !== expected.password) return new HttpAnswer(401, { error: 'invalid_grant', error_description: 'Invalid user credentials' });
    return new HttpAnswer(200, { access_token: 'kc-admin-token', expires_in: 60, refresh_token: 'kc-refresh', refresh_expires_in: 1800, token_type: 'Bearer' });
  }

  private keycloakAdmin(method: string, template: string, params: Record<string, string>, query: URLSearchParams, body: unknown): HttpAnswer {
    const base = `${this.url}/admin/realms`;
    if (template === '/admin/realms' && method === 'POST') {
      const errors = keycloakSpec.validateSchema('RealmRepresentation', body);
      if (errors.length > 0) this.violation('keycloak POST /admin/realms', errors);
      const name = String((body as Json)['realm']);
      if (this.realms.has(name)) return new HttpAnswer(409, { errorMessage: `Conflict detected. See logs for details` });
      this.importRealm(body as Json);
      return new HttpAnswer(201, undefined, { location: `${base}/${name}` });
    }
    const realm = this.realms.get(params['realm'] ?? '');
    if (!realm) return new HttpAnswer(404, { error: 'Realm not found.' });
    const key = `${method} ${template.replace('/admin/realms/{realm}', '')}`;
    const clientByUuid = () => realm.clients.get(params['client-uuid'] ?? '') ?? fail(404, { error: 'Could not find client' });
    switch (key) {
      case 'GET ':
        return new HttpAnswer(200, realm.representation);
      case 'GET /clients': {
        const clientId = query.get('clientId');
        return new HttpAnswer(200, [...realm.clients.values()].filter((client) => !clientId || client['clientId'] === clientId));
      }
      case 'POST /clients': {
        const client = body as Json;
        if ([...realm.clients.values()].some((existing) => existing['clientId'] === client['clientId'])) return new HttpAnswer(409, { errorMessage: `Client ${String(client['clientId'])} already exists` });
        const id = this.id('client');
        realm.clients.set(id, { ...client, id, secret: client['secret'] ?? `generated-${id}` });
        this.assignDefaultScopes(realm, id, client);
        if (client['serviceAccountsEnabled']) {
          const userId = this.id('user');
          realm.users.set(userId, { id: userId, username: `service-account-${String(client['clientId'])}`, serviceAccountClientId: client['clientId'], enabled: true });
          realm.userRoles.set(userId, new Set());
        }
        return this.created(`${base}/${params['realm']}/clients/${id}`);
      }
      case 'GET /clients/{client-uuid}':
        return new HttpAnswer(200, clientByUuid());
      case 'PUT /clients/{client-uuid}': {
        const client = clientByUuid();
        realm.clients.set(String(client['id']), { ...client, ...(body as Json), id: client['id'] });
        return new HttpAnswer(204);
      }
      case 'GET /clients/{client-uuid}/client-secret':
        return new HttpAnswer(200, { type: 'secret', value: clientByUuid()['secret'] });
      case 'GET /clients/{client-uuid}/service-account-user': {
        const client = clientByUuid();
        const user = [...realm.users.values()].find((candidate) => candidate['serviceAccountClientId'] === client['clientId']);
        return user ? new HttpAnswer(200, user) : new HttpAnswer(400, { error: 'Service account not enabled for the client' });
      }
      case 'GET /roles':
        return new HttpAnswer(200, [...realm.roles.values()]);
      case 'POST /roles': {
        const role = body as Json;
        const name = String(role['name']);
        if (realm.roles.has(name)) return new HttpAnswer(409, { errorMessage: `Role with name ${name} already exists` });
        realm.roles.set(name, { ...role, id: this.id('role'), composite: false, clientRole: false });
        return this.created(`${base}/${params['realm']}/roles/${encodeURIComponent(name)}`);
      }
      case 'GET /clients/{client-uuid}/roles':
        return new HttpAnswer(200, [...(realm.clientRoles.get(String(clientByUuid()['id'])) ?? new Map<string, Json>()).values()]);
      case 'GET /users/{user-id}/role-mappings/clients/{client-id}': {
        const held = realm.userClientRoles.get(params['user-id'] ?? '')?.get(params['client-id'] ?? '') ?? new Set<string>();
        const defined = realm.clientRoles.get(params['client-id'] ?? '') ?? new Map<string, Json>();
        return new HttpAnswer(200, [...held].map((name) => defined.get(name) ?? { name }));
      }
      case 'POST /users/{user-id}/role-mappings/clients/{client-id}': {
        const userId = params['user-id'] ?? '';
        if (!realm.users.has(userId)) fail(404, { error: 'User not found' });
        const defined = realm.clientRoles.get(params['client-id'] ?? '') ?? fail(404, { error: 'Client not found' });
        const byClient = realm.userClientRoles.get(userId) ?? new Map<string, Set<string>>();
        const held = byClient.get(params['client-id'] ?? '') ?? new Set<string>();
        for (const role of body as Json[]) {
          if (!defined.has(String(role['name']))) fail(404, { error: 'Role not found' });
          held.add(String(role['name']));
        }
        byClient.set(params['client-id'] ?? '', held);
        realm.userClientRoles.set(userId, byClient);
        return new HttpAnswer(204);
      }
      case 'GET /client-scopes':
        return new HttpAnswer(200, [...realm.clientScopes.values()]);
      case 'POST /client-scopes': {
        const scope = body as Json;
        if ([...realm.clientScopes.values()].some((existing) => existing['name'] === scope['name'])) {
          return new HttpAnswer(409, { errorMessage: `Client Scope ${String(scope['name'])} already exists` });
        }
        const id = this.id('scope');
        realm.clientScopes.set(id, { protocol: 'openid-connect', ...scope, id });
        return this.created(`${base}/${params['realm']}/client-scopes/${id}`);
      }
      case 'GET /default-default-client-scopes':
        return new HttpAnswer(200, [...realm.defaultClientScopes].map((id) => scopeSummary(realm.clientScopes.get(id)!)));
      case 'PUT /default-default-client-scopes/{clientScopeId}': {
        const id = params['clientScopeId'] ?? '';
        if (!realm.clientScopes.has(id)) fail(404, { error: 'Client scope not found' });
        realm.defaultClientScopes.add(id);
        return new HttpAnswer(204);
      }
      case 'GET /clients/{client-uuid}/default-client-scopes': {
        const client = clientByUuid();
        const held = realm.clientDefaultScopes.get(String(client['id'])) ?? new Set<string>();
        return new HttpAnswer(200, [...held].map((id) => scopeSummary(realm.clientScopes.get(id)!)));
      }
      case 'PUT /clients/{client-uuid}/default-client-scopes/{clientScopeId}': {
        const client = clientByUuid();
        const id = params['clientScopeId'] ?? '';
        if (!realm.clientScopes.has(id)) fail(404, { error: 'Client scope not found' });
        const held = realm.clientDefaultScopes.get(String(client['id'])) ?? new Set<string>();
        held.add(id);
        realm.clientDefaultScopes.set(String(client['id']), held);
        return new HttpAnswer(204);
      }
      case 'GET /users': {
        const username = query.get('username');
        return new HttpAnswer(200, [...realm.users.values()].filter((user) => !username || user['username'] === username));
      }
      case 'POST /users': {
        const user = body as Json;
        const id = this.id('user');
        realm.users.set(id, { ...user, id });
        realm.userRoles.set(id, new Set());
        return this.created(`${base}/${params['realm']}/users/${id}`);
      }
      case 'GET /users/{user-id}/role-mappings/realm':
        return new HttpAnswer(200, [...(realm.userRoles.get(params['user-id'] ?? '') ?? [])].map((name) => realm.roles.get(name) ?? { name }));
      case 'POST /users/{user-id}/role-mappings/realm': {
        const held = realm.userRoles.get(params['user-id'] ?? '') ?? fail(404, { error: 'User not found' });
        for (const role of body as Json[]) {
          if (!realm.roles.has(String(role['name']))) fail(404, { error: 'Role not found' });
          held.add(String(role['name']));
        }
        return new HttpAnswer(204);
      }
      case 'DELETE /users/{user-id}/role-mappings/realm': {
        const held = realm.userRoles.get(params['user-id'] ?? '') ?? fail(404, { error: 'User not found' });
        for (const role of body as Json[]) held.delete(String(role['name']));
        return new HttpAnswer(204);
      }
      default:
        return new HttpAnswer(501, { error: `the contract server does not model ${key}` });
    }
  }

  /** Keycloak's 201 for a create, with the new resource's Location (unless told to leave it out). */
  private created(location: string): HttpAnswer {
    return new HttpAnswer(201, undefined, this.options.omitKeycloakLocation ? {} : { location });
  }

  // ---------------------------------------------------------------- WSO2

  private dcr(body: unknown, authorization: string): HttpAnswer {
    const expected = this.options.wso2Admin ?? { user: 'admin', password: 'admin' };
    if (authorization !== `Basic ${Buffer.from(`${expected.user}:${expected.password}`).toString('base64')}`) return new HttpAnswer(401, { error: 'invalid credentials' });
    const request = body as Json;
    const errors: string[] = [];
    const allowed = ['clientName', 'owner', 'grantType', 'saasApp', 'callbackUrl', 'tokenType'];
    for (const key of Object.keys(request ?? {})) if (!allowed.includes(key)) errors.push(`unknown field ${key}`);
    for (const key of ['clientName', 'owner', 'grantType']) if (typeof request?.[key] !== 'string') errors.push(`${key} must be a string`);
    if (request && 'saasApp' in request && typeof request['saasApp'] !== 'boolean') errors.push('saasApp must be a boolean');
    if (errors.length > 0) this.violation('DCR POST /client-registration/v0.17/register', errors);
    const name = String(request['clientName']);
    let app = this.dcrApps.get(name);
    // Registering the same clientName again returns the existing app.
    if (!app) {
      app = { clientId: `dcr-${this.id('client')}`, clientSecret: `dcr-secret-${this.counter}` };
      this.dcrApps.set(name, app);
    }
    return new HttpAnswer(200, { clientId: app.clientId, clientName: name, callBackURL: request['callbackUrl'] ?? null, clientSecret: app.clientSecret, isSaasApplication: true, appOwner: request['owner'], jsonString: '{}' });
  }

  private wso2Token(body: unknown, authorization: string): HttpAnswer {
    const form = body as Record<string, string>;
    const known = [...this.dcrApps.values()].some((app) => authorization === `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}`);
    if (!known) return new HttpAnswer(401, { error: 'invalid_client' });
    const errors: string[] = [];
    for (const key of Object.keys(form)) if (!['grant_type', 'username', 'password', 'scope'].includes(key)) errors.push(`unknown form field ${key}`);
    if (form['grant_type'] !== 'password') errors.push('grant_type must be password');
    if (errors.length > 0) this.violation('POST /oauth2/token', errors);
    const expected = this.options.wso2Admin ?? { user: 'admin', password: 'admin' };
    if (form['username'] !== expected.user || form['password'] !== expected.password) return new HttpAnswer(400, { error: 'invalid_grant', error_description: 'Authentication failed for admin' });
    const scopes = (form['scope'] ?? '').split(' ').filter(Boolean);
    const token = `wso2-token-${this.id('token')}`;
    this.tokens.set(token, scopes);
    return new HttpAnswer(200, { access_token: token, scope: scopes.join(' '), token_type: 'Bearer', expires_in: 3600 });
  }

  private wso2Api(spec: string, method: string, template: string, params: Record<string, string>, query: URLSearchParams, body: unknown): HttpAnswer {
    const key = `${spec} ${method} ${template}`;
    const api = () => this.apis.get(params['apiId'] ?? query.get('apiId') ?? '') ?? fail(404, { code: 404, message: 'API not found' });
    switch (key) {
      case 'publisher GET /search': {
        const text = query.get('query') ?? '';
        const name = /name:"([^"]*)"/.exec(text)?.[1];
        const version = /version:"([^"]*)"/.exec(text)?.[1];
        const context = /context:"([^"]*)"/.exec(text)?.[1];
        const list = [...this.apis.values()]
          .filter((item) => !item['hiddenFromSearch'])
          .filter((item) => (name === undefined || item['name'] === name) && (version === undefined || item['version'] === version) && (context === undefined || item['context'] === context))
          .map((item) => ({ id: item['id'], name: item['name'], version: item['version'], context: item['context'], type: 'API', transportType: item['type'] ?? 'HTTP', provider: item['provider'], status: item['lifeCycleStatus'] }));
        return new HttpAnswer(200, { count: list.length, list, pagination: { offset: 0, limit: 25, total: list.length } });
      }
      case 'publisher POST /apis':
      case 'publisher POST /apis/import-graphql-schema': {
        const input = key.endsWith('graphql-schema') ? (JSON.parse(String((body as Json)['additionalProperties'])) as Json) : (body as Json);
        if ([...this.apis.values()].some((item) => item['context'] === input['context'])) {
          const status = this.options.duplicateContextStatus ?? 409;
          return new HttpAnswer(status, { code: status, message: status === 409 ? 'Conflict' : 'Internal server error', description: status === 409 ? `A duplicate API context already exists for ${String(input['context'])}` : 'Error while adding the API' });
        }
        if (typeof input['endpointConfig'] !== 'object') fail(400, { code: 400, message: 'endpointConfig must be an object' });
        const id = this.addApi({ ...input, type: input['type'] ?? 'HTTP' });
        return new HttpAnswer(201, this.apis.get(id), { location: `${this.url}/api/am/publisher/v4/apis/${id}` });
      }
      case 'publisher POST /apis/validate-graphql-schema':
        return new HttpAnswer(200, { isValid: true, errorMessage: null, graphQLInfo: { operations: [] } });
      case 'publisher GET /apis/{apiId}':
        return new HttpAnswer(200, api());
      case 'publisher PUT /apis/{apiId}': {
        const current = api();
        // PUT never changes name, version or context.
        const updated = { ...current, ...(body as Json), id: current['id'], name: current['name'], version: current['version'], context: current['context'], lifeCycleStatus: current['lifeCycleStatus'] };
        this.apis.set(String(current['id']), updated);
        return new HttpAnswer(200, updated);
      }
      case 'publisher GET /apis/{apiId}/revisions': {
        const list = this.revisions.get(String(api()['id'])) ?? [];
        return new HttpAnswer(200, { count: list.length, list });
      }
      case 'publisher POST /apis/{apiId}/revisions': {
        const apiId = String(api()['id']);
        const list = this.revisions.get(apiId) ?? [];
        if (list.length >= 5) return new HttpAnswer(400, { code: 400, message: 'Maximum number of revisions per API has reached' });
        const revision = { id: this.id('revision'), displayName: `Revision ${list.length + 1}`, description: (body as Json)['description'], createdTime: String(Date.now() + this.counter), apiInfo: { id: apiId }, deploymentInfo: [] };
        this.revisions.set(apiId, [...list, revision]);
        return new HttpAnswer(201, revision);
      }
      case 'publisher DELETE /apis/{apiId}/revisions/{revisionId}': {
        const apiId = String(api()['id']);
        const list = this.revisions.get(apiId) ?? [];
        const revision = list.find((item) => item['id'] === params['revisionId']) ?? fail(404, { code: 404, message: 'revision not found' });
        if ((revision['deploymentInfo'] as unknown[]).length > 0) fail(400, { code: 400, message: 'cannot delete a deployed revision' });
        this.revisions.set(apiId, list.filter((item) => item !== revision));
        return new HttpAnswer(200, {});
      }
      case 'publisher POST /apis/{apiId}/deploy-revision': {
        const apiId = String(api()['id']);
        const revisionId = query.get('revisionId') ?? fail(400, { code: 400, message: 'revisionId required' });
        const revision = (this.revisions.get(apiId) ?? []).find((item) => item['id'] === revisionId) ?? fail(404, { code: 404, message: 'revision not found' });
        const targets = body as Json[];
        // A revision replaces the one deployed to the same environment.
        for (const other of this.revisions.get(apiId) ?? []) other['deploymentInfo'] = (other['deploymentInfo'] as Json[]).filter((info) => !targets.some((target) => target['name'] === info['name']));
        const kept = (this.deployments.get(apiId) ?? []).filter((info) => !targets.some((target) => target['name'] === info['name']));
        const added = targets.map((target) => ({ ...target, revisionUuid: revisionId, status: 'APPROVED', deployedTime: new Date().toISOString() }));
        revision['deploymentInfo'] = added;
        this.deployments.set(apiId, [...kept, ...added]);
        this.pendingPolls.set(revisionId, this.options.deploymentPolls ?? 1);
        // The spec says 200; the real server answers 201.
        return new HttpAnswer(201, added);
      }
      case 'publisher GET /apis/{apiId}/deployments': {
        const list = (this.deployments.get(String(api()['id'])) ?? []).map((info) => {
          const pending = this.pendingPolls.get(String(info['revisionUuid'])) ?? 0;
          if (pending > 0) {
            this.pendingPolls.set(String(info['revisionUuid']), pending - 1);
            return info;
          }
          info['successDeployedTime'] ??= new Date().toISOString();
          return info;
        });
        return new HttpAnswer(200, { list });
      }
      case 'publisher POST /apis/change-lifecycle': {
        const current = api();
        if (query.get('action') === 'Publish') current['lifeCycleStatus'] = 'PUBLISHED';
        return new HttpAnswer(200, { workflowStatus: 'APPROVED', lifecycleState: { state: 'Published' } });
      }
      case 'admin GET /environments':
        return new HttpAnswer(200, { count: 1, list: [{ id: 'env-default', name: 'Default', displayName: 'Default', type: 'hybrid', vhosts: [{ host: 'localhost', httpsPort: 8243 }] }] });
      case 'admin GET /key-managers': {
        const list = [...this.keyManagers.values()].map((item) => ({ id: item['id'], name: item['name'], type: item['type'], enabled: item['enabled'] }));
        return new HttpAnswer(200, { count: list.length, list });
      }
      case 'admin POST /key-managers': {
        const input = body as Json;
        if (!(input['additionalProperties'] as Json | undefined)?.['client_id'] || !(input['additionalProperties'] as Json | undefined)?.['client_secret']) {
          return new HttpAnswer(400, { code: 901401, message: 'Required connector configuration client_id/client_secret is missing' });
        }
        if ([...this.keyManagers.values()].some((item) => item['name'] === input['name'])) return new HttpAnswer(409, { code: 409, message: 'Key manager exists' });
        const id = this.id('km');
        this.keyManagers.set(id, { ...input, id });
        return new HttpAnswer(201, this.keyManagers.get(id));
      }
      case 'admin GET /key-managers/{keyManagerId}': {
        const found = this.keyManagers.get(params['keyManagerId'] ?? '') ?? fail(404, { code: 404, message: 'not found' });
        if (!this.options.maskKeyManagerSecrets) return new HttpAnswer(200, found);
        return new HttpAnswer(200, { ...found, additionalProperties: { ...(found['additionalProperties'] as Json), client_secret: '*****' } });
      }
      case 'admin PUT /key-managers/{keyManagerId}': {
        const id = params['keyManagerId'] ?? '';
        if (!this.keyManagers.has(id)) fail(404, { code: 404, message: 'not found' });
        this.keyManagers.set(id, { ...(body as Json), id });
        return new HttpAnswer(200, this.keyManagers.get(id));
      }
      case 'devportal GET /key-managers': {
        const list = [...this.keyManagers.values()].map((item) => ({ id: item['id'], name: item['name'], type: item['type'], enabled: item['enabled'] ?? true }));
        return new HttpAnswer(200, { count: list.length, list });
      }
      case 'devportal GET /applications': {
        const text = query.get('query');
        const list = [...this.applications.values()].filter((item) => !text || String(item['name']).includes(text));
        return new HttpAnswer(200, { count: list.length, list });
      }
      case 'devportal POST /applications': {
        const input = body as Json;
        if ([...this.applications.values()].some((item) => item['name'] === input['name'])) return new HttpAnswer(409, { code: 409, message: 'application exists' });
        const applicationId = this.id('app');
        this.applications.set(applicationId, { ...input, applicationId, status: 'APPROVED', owner: 'admin' });
        return new HttpAnswer(201, this.applications.get(applicationId));
      }
      case 'devportal GET /applications/{applicationId}/oauth-keys': {
        const list = this.applicationKeys.get(params['applicationId'] ?? '') ?? [];
        return new HttpAnswer(200, { count: list.length, list });
      }
      case 'devportal POST /applications/{applicationId}/map-keys': {
        const applicationId = params['applicationId'] ?? '';
        if (!this.applications.has(applicationId)) fail(404, { code: 404, message: 'application not found' });
        const input = body as Json;
        if (![...this.keyManagers.values()].some((item) => item['name'] === input['keyManager'])) fail(400, { code: 400, message: `key manager ${String(input['keyManager'])} not found` });
        const key = { keyMappingId: this.id('keymap'), keyManager: input['keyManager'], consumerKey: input['consumerKey'], keyType: input['keyType'], mode: 'MAPPED', keyState: 'COMPLETED' };
        this.applicationKeys.set(applicationId, [...(this.applicationKeys.get(applicationId) ?? []), key]);
        return new HttpAnswer(200, key);
      }
      case 'devportal GET /subscriptions': {
        const list = this.subscriptions.filter((item) => item['applicationId'] === query.get('applicationId'));
        return new HttpAnswer(200, { count: list.length, list });
      }
      case 'devportal POST /subscriptions': {
        const input = body as Json;
        const target = this.apis.get(String(input['apiId']));
        if (!target || target['lifeCycleStatus'] !== 'PUBLISHED') fail(400, { code: 400, message: 'the API is not published' });
        if (this.subscriptions.some((item) => item['apiId'] === input['apiId'] && item['applicationId'] === input['applicationId'])) fail(409, { code: 409, message: 'already subscribed' });
        const subscription = { ...input, subscriptionId: this.id('sub'), status: 'UNBLOCKED' };
        this.subscriptions.push(subscription);
        return new HttpAnswer(201, subscription);
      }
      default:
        return new HttpAnswer(501, { code: 501, message: `the contract server does not model ${key}` });
    }
  }
}

/** A client scope as Keycloak lists it among a realm's or client's default scopes. */
function scopeSummary(scope: Json): Json {
  return { id: scope['id'], name: scope['name'] };
}

function fail(status: number, body: unknown): never {
  throw new HttpAnswer(status, body);
}

async function parseBody(raw: Buffer, contentType: string, url: URL, request: IncomingMessage): Promise<unknown> {
  if (raw.length === 0) return undefined;
  if (contentType.startsWith('application/json')) {
    try {
      return JSON.parse(raw.toString('utf8')) as unknown;
    } catch {
      throw new HttpAnswer(400, { message: 'body is not JSON' });
    }
  }
  if (contentType.startsWith('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
  if (contentType.startsWith('multipart/form-data')) {
    const form = await new Request(url, { method: request.method ?? 'POST', headers: { 'content-type': contentType }, body: raw }).formData();
    const fields: Record<string, string> = {};
    for (const [name, value] of form.entries()) fields[name] = typeof value === 'string' ? value : await value.text();
    return fields;
  }
  return raw.toString('utf8');
}
