import type KcAdminClientType from '@keycloak/keycloak-admin-client';
import type { CommandContext } from '../command.js';
import type { ClientRepresentation, ClientScopeRepresentation, RealmRepresentation, RoleRepresentation, UserRepresentation } from '../identity/realm-types.js';

/** The parts of a realm's OpenID discovery document innover uses. */
export interface OpenIdConfiguration {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  introspection_endpoint?: string;
  userinfo_endpoint?: string;
  end_session_endpoint?: string;
  revocation_endpoint?: string;
  jwks_uri: string;
  registration_endpoint?: string;
  [key: string]: unknown;
}

/** Keycloak could not be reached, or did not answer in time. */
export class KeycloakUnreachableError extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`Keycloak at ${url} is unreachable (${reason})`);
    this.name = 'KeycloakUnreachableError';
  }
}

/**
 * Keycloak answered (no connection error, no timeout), but not in a form innover can use: a 2xx
 * without the Location header a create needs, a body that is not JSON, and the like.
 */
export class KeycloakResponseError extends Error {
  constructor(
    readonly what: string,
    readonly reason: string,
  ) {
    super(`Keycloak's answer to ${what} could not be used (${reason})`);
    this.name = 'KeycloakResponseError';
  }
}

/** Keycloak answered outside 2xx. */
export class KeycloakHttpError extends Error {
  constructor(
    readonly status: number,
    readonly what: string,
  ) {
    super(`Keycloak answered ${status} to ${what}`);
    this.name = 'KeycloakHttpError';
  }
}

/**
 * Keycloak's admin REST API (through @keycloak/keycloak-admin-client) plus plain HTTP for health
 * and discovery. Every call names its realm; the client never switches realms behind your back.
 */
export interface KeycloakClient {
  /** `/health/ready` on the management port answers 200. Never throws. */
  isReady(): Promise<boolean>;
  /** The realm's `/.well-known/openid-configuration` on the public URL. */
  wellKnown(realm: string): Promise<OpenIdConfiguration>;
  realmExists(realm: string): Promise<boolean>;
  createRealm(realm: RealmRepresentation): Promise<void>;
  findClient(realm: string, clientId: string): Promise<ClientRepresentation | undefined>;
  /** Creates the client; resolves to its internal id (from the Location header). */
  createClient(realm: string, client: ClientRepresentation): Promise<string>;
  /** `PUT /clients/{id}`: a full representation, as Keycloak expects. */
  updateClient(realm: string, id: string, client: ClientRepresentation): Promise<void>;
  /** The current secret, read with `GET /clients/{id}/client-secret`. Never regenerates. */
  getClientSecret(realm: string, id: string): Promise<string | undefined>;
  listRealmRoles(realm: string): Promise<RoleRepresentation[]>;
  createRealmRole(realm: string, role: RoleRepresentation): Promise<void>;
  serviceAccountUser(realm: string, clientUuid: string): Promise<{ id: string; username: string }>;
  listUserRealmRoles(realm: string, userId: string): Promise<RoleRepresentation[]>;
  addUserRealmRoles(realm: string, userId: string, roles: RoleRepresentation[]): Promise<void>;
  /** `DELETE /users/{id}/role-mappings/realm`: takes the realm roles away from the user. */
  removeUserRealmRoles(realm: string, userId: string, roles: RoleRepresentation[]): Promise<void>;
  /** Roles defined by a client (e.g. realm-management's view-clients). */
  listClientRoles(realm: string, clientUuid: string): Promise<RoleRepresentation[]>;
  listUserClientRoles(realm: string, userId: string, clientUuid: string): Promise<RoleRepresentation[]>;
  addUserClientRoles(realm: string, userId: string, clientUuid: string, roles: RoleRepresentation[]): Promise<void>;
  findUser(realm: string, username: string): Promise<UserRepresentation | undefined>;
  createUser(realm: string, user: UserRepresentation): Promise<string>;
  /** Every client scope of the realm (`GET /client-scopes`). */
  listClientScopes(realm: string): Promise<ClientScopeRepresentation[]>;
  /** Creates a client scope; resolves to its id (from the Location header). */
  createClientScope(realm: string, scope: ClientScopeRepresentation): Promise<string>;
  /** The realm's default client scopes, which every new client gets (`GET /default-default-client-scopes`). */
  listRealmDefaultClientScopes(realm: string): Promise<ClientScopeRepresentation[]>;
  addRealmDefaultClientScope(realm: string, scopeId: string): Promise<void>;
  /** A client's default client scopes (`GET /clients/{id}/default-client-scopes`). */
  listClientDefaultClientScopes(realm: string, clientUuid: string): Promise<ClientScopeRepresentation[]>;
  addClientDefaultClientScope(realm: string, clientUuid: string, scopeId: string): Promise<void>;
}

export interface KeycloakClientOptions {
  /** Public base URL, e.g. http://localhost:8080 (admin API and discovery). */
  url: string;
  /** Management base URL, e.g. http://localhost:9000 (health). */
  managementUrl: string;
  adminUser: string;
  adminPassword: string;
  timeoutMs?: number;
}

/** Error codes of a connection that failed or broke off: Keycloak never answered. */
const connectionErrorCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ETIMEDOUT',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

/**
 * Why Keycloak could not be reached, when `error` is a connection failure or a timeout (fetch's
 * `TypeError: fetch failed` wraps the socket error in `cause`, sometimes as an AggregateError of
 * one per address); undefined when it is anything else, such as an answer innover cannot use.
 */
export function connectionFailure(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const current = queue.shift();
    if (!current || typeof current !== 'object' || seen.has(current)) continue;
    seen.add(current);
    const { code, name, message, cause, errors } = current as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
    if (typeof code === 'string' && connectionErrorCodes.has(code)) return typeof message === 'string' && message ? message : code;
    if (name === 'TimeoutError') return 'no answer in time';
    queue.push(cause, ...(Array.isArray(errors) ? (errors as unknown[]) : []));
  }
  return undefined;
}

/** The error as KeycloakUnreachableError when the connection failed, else as what happened. */
function classify(error: unknown, url: string, what: string): Error {
  const unreachable = connectionFailure(error);
  if (unreachable !== undefined) return new KeycloakUnreachableError(url, unreachable);
  const message = error instanceof Error ? error.message : String(error);
  return new KeycloakResponseError(what, message.split('\n')[0] || (error instanceof Error ? error.name : 'unknown error'));
}

function statusOf(error: unknown): number | undefined {
  const response = (error as { response?: { status?: unknown } } | undefined)?.response;
  return typeof response?.status === 'number' ? response.status : undefined;
}

/** Creates the client; the admin client library is imported, and the login made, on first use. */
export function createKeycloakHttpClient(resolveOptions: () => Promise<KeycloakClientOptions> | KeycloakClientOptions): KeycloakClient {
  let admin: Promise<KcAdminClientType> | undefined;
  let optionsPromise: Promise<KeycloakClientOptions> | undefined;
  const options = () => (optionsPromise ??= Promise.resolve(resolveOptions()));

  async function login(): Promise<KcAdminClientType> {
    const settings = await options();
    const { default: KcAdminClient } = await import('@keycloak/keycloak-admin-client');
    const client = new KcAdminClient({ baseUrl: settings.url, realmName: 'master', timeout: settings.timeoutMs ?? 30_000 });
    try {
      // Tokens are not refreshed by the library; a configure run is far shorter than their life.
      await client.auth({ grantType: 'password', clientId: 'admin-cli', username: settings.adminUser, password: settings.adminPassword });
    } catch (error) {
      const what = 'the admin login (admin-cli on realm master)';
      const status = statusOf(error);
      if (status !== undefined) throw new KeycloakHttpError(status, what);
      throw classify(error, settings.url, what);
    }
    return client;
  }

  /** Runs one admin call, turning library errors into the two error types above. */
  async function call<T>(what: string, run: (client: KcAdminClientType) => Promise<T>): Promise<T> {
    admin ??= login();
    let client: KcAdminClientType;
    try {
      client = await admin;
    } catch (error) {
      admin = undefined;
      throw error;
    }
    try {
      return await run(client);
    } catch (error) {
      if (error instanceof KeycloakHttpError || error instanceof KeycloakUnreachableError || error instanceof KeycloakResponseError) throw error;
      const status = statusOf(error);
      if (status !== undefined) throw new KeycloakHttpError(status, what);
      throw classify(error, (await options()).url, what);
    }
  }

  /**
   * A PUT that links two resources. The library would send a `{}` body, which Keycloak's spec does
   * not allow for these operations, so it goes out here without one, with the library's token.
   */
  function link(what: string, path: string): Promise<void> {
    return call(what, async (client) => {
      const settings = await options();
      const url = `${settings.url.replace(/\/$/, '')}/admin/realms${path}`;
      let response: Response;
      try {
        response = await fetch(url, {
          method: 'PUT',
          headers: { authorization: `Bearer ${await client.getAccessToken()}` },
          signal: AbortSignal.timeout(settings.timeoutMs ?? 30_000),
        });
      } catch (error) {
        throw classify(error, settings.url, what);
      }
      await response.body?.cancel();
      if (!response.ok) throw new KeycloakHttpError(response.status, what);
    });
  }

  async function getJson(url: string): Promise<unknown> {
    const settings = await options();
    let response: Response;
    const what = `GET ${url}`;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(settings.timeoutMs ?? 10_000) });
    } catch (error) {
      throw classify(error, url, what);
    }
    if (!response.ok) throw new KeycloakHttpError(response.status, what);
    try {
      return await response.json();
    } catch (error) {
      // A body cut off mid-way is a broken connection; anything else is an answer that is not JSON.
      const unreachable = connectionFailure(error);
      throw unreachable === undefined ? new KeycloakResponseError(what, 'the body is not JSON') : new KeycloakUnreachableError(url, unreachable);
    }
  }

  return {
    async isReady() {
      const settings = await options();
      try {
        const response = await fetch(`${settings.managementUrl.replace(/\/$/, '')}/health/ready`, {
          signal: AbortSignal.timeout(5_000),
        });
        await response.body?.cancel();
        return response.ok;
      } catch {
        return false;
      }
    },
    async wellKnown(realm) {
      const settings = await options();
      return (await getJson(`${settings.url.replace(/\/$/, '')}/realms/${encodeURIComponent(realm)}/.well-known/openid-configuration`)) as OpenIdConfiguration;
    },
    async realmExists(realm) {
      try {
        return await call(`GET realm ${realm}`, async (client) => (await client.realms.findOne({ realm })) != null);
      } catch (error) {
        if (error instanceof KeycloakHttpError && error.status === 404) return false;
        throw error;
      }
    },
    createRealm: (realm) => call(`POST realm ${realm.realm}`, async (client) => void (await client.realms.create(realm))),
    findClient: (realm, clientId) =>
      call(`GET client ${clientId}`, async (client) => {
        const found = await client.clients.find({ realm, clientId });
        return found.find((entry) => entry.clientId === clientId) as ClientRepresentation | undefined;
      }),
    createClient: (realm, representation) =>
      call(`POST client ${representation.clientId}`, async (client) => (await client.clients.create({ realm, ...representation })).id),
    updateClient: (realm, id, representation) =>
      call(`PUT client ${representation.clientId}`, (client) => client.clients.update({ realm, id }, representation)),
    getClientSecret: (realm, id) =>
      call('GET client secret', async (client) => (await client.clients.getClientSecret({ realm, id })).value),
    listRealmRoles: (realm) => call('GET realm roles', async (client) => (await client.roles.find({ realm })) as RoleRepresentation[]),
    createRealmRole: (realm, role) =>
      call(`POST role ${role.name}`, async (client) => void (await client.roles.create({ realm, ...role }))),
    serviceAccountUser: (realm, clientUuid) =>
      call('GET service account user', async (client) => {
        const user = await client.clients.getServiceAccountUser({ realm, id: clientUuid });
        return { id: user.id ?? '', username: user.username ?? '' };
      }),
    listUserRealmRoles: (realm, userId) =>
      call('GET user realm roles', async (client) => (await client.users.listRealmRoleMappings({ realm, id: userId })) as RoleRepresentation[]),
    addUserRealmRoles: (realm, userId, roles) =>
      call('POST user realm roles', (client) =>
        client.users.addRealmRoleMappings({ realm, id: userId, roles: roles.map((role) => ({ id: role.id ?? '', name: role.name })) }),
      ),
    removeUserRealmRoles: (realm, userId, roles) =>
      call('DELETE user realm roles', (client) =>
        client.users.delRealmRoleMappings({ realm, id: userId, roles: roles.map((role) => ({ id: role.id ?? '', name: role.name })) }),
      ),
    listClientRoles: (realm, clientUuid) =>
      call('GET client roles', async (client) => (await client.clients.listRoles({ realm, id: clientUuid })) as RoleRepresentation[]),
    listUserClientRoles: (realm, userId, clientUuid) =>
      call('GET user client roles', async (client) => (await client.users.listClientRoleMappings({ realm, id: userId, clientUniqueId: clientUuid })) as RoleRepresentation[]),
    addUserClientRoles: (realm, userId, clientUuid, roles) =>
      call('POST user client roles', (client) =>
        client.users.addClientRoleMappings({ realm, id: userId, clientUniqueId: clientUuid, roles: roles.map((role) => ({ id: role.id ?? '', name: role.name })) }),
      ),
    findUser: (realm, username) =>
      call(`GET user ${username}`, async (client) => {
        const found = await client.users.find({ realm, username, exact: true });
        return found.find((user) => user.username === username) as UserRepresentation | undefined;
      }),
    createUser: (realm, user) => call(`POST user ${user.username}`, async (client) => (await client.users.create({ realm, ...user })).id),
    listClientScopes: (realm) => call('GET client scopes', async (client) => (await client.clientScopes.find({ realm })) as ClientScopeRepresentation[]),
    createClientScope: (realm, scope) =>
      call(`POST client scope ${scope.name}`, async (client) => (await client.clientScopes.create({ realm, ...scope })).id),
    listRealmDefaultClientScopes: (realm) =>
      // The library types this payload as `void & { realm }`; the realm is its URL parameter.
      call('GET realm default client scopes', async (client) => (await client.clientScopes.listDefaultClientScopes({ realm } as never)) as ClientScopeRepresentation[]),
    addRealmDefaultClientScope: (realm, scopeId) =>
      link('PUT realm default client scope', `/${encodeURIComponent(realm)}/default-default-client-scopes/${encodeURIComponent(scopeId)}`),
    listClientDefaultClientScopes: (realm, clientUuid) =>
      call('GET client default scopes', async (client) => (await client.clients.listDefaultClientScopes({ realm, id: clientUuid })) as ClientScopeRepresentation[]),
    addClientDefaultClientScope: (realm, clientUuid, scopeId) =>
      link('PUT client default scope', `/${encodeURIComponent(realm)}/clients/${encodeURIComponent(clientUuid)}/default-client-scopes/${encodeURIComponent(scopeId)}`),
  };
}

/** The production client: URLs and admin login from `.env`. */
export function createKeycloakClient(ctx: CommandContext): KeycloakClient {
  return createKeycloakHttpClient(async () => {
    const env = await ctx.dotenv();
    return {
      url: env.KEYCLOAK_URL,
      managementUrl: env.KEYCLOAK_MANAGEMENT_URL,
      adminUser: env.KEYCLOAK_ADMIN_USER,
      adminPassword: env.KEYCLOAK_ADMIN_PASSWORD,
    };
  });
}
