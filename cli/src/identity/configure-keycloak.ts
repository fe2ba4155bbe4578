import { UserError } from '../command.js';
import type { KeycloakClient } from '../clients/keycloak-client.js';
import type { Wso2Client } from '../clients/wso2-client.js';
import type { EnvConfig } from '../env/schema.js';
import type { Topology } from '../topology/schema.js';
import { changedFields } from '../gateway/api-definition.js';
import { Wso2Session } from '../gateway/session.js';
import { renderRealm } from '../render/realm.js';
import { keyManagerBody, keyManagerName } from './key-manager.js';
import { serviceClientSecretKey } from '../topology/service-calls.js';
import { clientSecretKeys, realmClients, realmRoles, realmUsers, wso2ClientId, wso2DefaultClientScope, wso2DefaultScopeName, type ClientSecrets } from './realm-model.js';
import type { ClientRepresentation, RealmRepresentation, RoleRepresentation } from './realm-types.js';

/** One thing configure-keycloak looked at, and what it did. Never holds a secret. */
export interface ConfigureAction {
  target: string;
  action: 'created' | 'updated' | 'unchanged';
  detail: string;
}

export interface ConfigureKeycloakDeps {
  topology: Topology;
  env: EnvConfig;
  keycloak: KeycloakClient;
  wso2: Wso2Client;
  progress?: (line: string) => void;
}

/** The value of a client secret's `.env` key; a UserError naming the key when `.env` lacks it. */
function envSecret(env: EnvConfig, key: string): string {
  const value = (env as Record<string, string | undefined>)[key];
  if (!value) throw new UserError(`.env: ${key}: missing: run innover init (it appends the secrets the topology gained)`);
  return value;
}

/**
 * Clients whose secret lives in `.env` (wso2am, innover-smoke, each calling service's): innover
 * keeps Keycloak's value equal to it.
 */
function managedSecrets(topology: Topology, env: EnvConfig): Map<string, string> {
  return new Map([...clientSecretKeys(topology)].map(([clientId, key]) => [clientId, envSecret(env, key)]));
}

/** The live secrets of the realm's clients, from `.env`. */
function liveSecrets(env: EnvConfig): ClientSecrets {
  return {
    wso2: env.WSO2_AM_CLIENT_SECRET,
    smoke: env.SMOKE_CLIENT_SECRET,
    service: (serviceName) => envSecret(env, serviceClientSecretKey(serviceName)),
  };
}

/**
 * Brings the live realm in line with the topology. Keycloak imports a realm only once, so roles,
 * clients and users the topology gained since are created here (a service that gained `calls`
 * gets its `<service>-service` client), as is the client scope `default` WSO2's key manager needs
 * (which the realm file cannot hold); secrets of wso2am, innover-smoke and the service clients
 * are set to the `.env` values when they differ (never regenerated, which would
 * break the lock-step with `.env`). A second run only reads.
 */
export async function alignRealm(deps: ConfigureKeycloakDeps): Promise<ConfigureAction[]> {
  const { keycloak, topology, env } = deps;
  const realm = topology.infrastructure.keycloak.realm;
  const actions: ConfigureAction[] = [];
  const secrets = managedSecrets(topology, env);

  deps.progress?.(`realm ${realm}`);
  if (!(await keycloak.realmExists(realm))) {
    await keycloak.createRealm(withSecrets(renderRealm(topology), topology, env));
    actions.push({ target: `realm ${realm}`, action: 'created', detail: 'imported from the topology' });
  } else {
    actions.push({ target: `realm ${realm}`, action: 'unchanged', detail: 'exists' });
  }

  const existingRoles = new Map((await keycloak.listRealmRoles(realm)).map((role) => [role.name, role]));
  const missingRoles = realmRoles(topology).filter((role) => !existingRoles.has(role.name));
  for (const role of missingRoles) {
    await keycloak.createRealmRole(realm, role);
    actions.push({ target: `role ${role.name}`, action: 'created', detail: 'new in the topology' });
  }
  if (missingRoles.length > 0) {
    for (const role of await keycloak.listRealmRoles(realm)) existingRoles.set(role.name, role);
  } else {
    actions.push({ target: 'realm roles', action: 'unchanged', detail: `${existingRoles.size} present` });
  }

  // Before the clients, so that a client created below gets the scope as a realm default.
  const scope = await ensureDefaultScope(keycloak, realm);
  const clientUuids: Array<{ clientId: string; id: string }> = [];

  for (const plan of realmClients(topology, liveSecrets(env))) {
    const clientId = plan.client.clientId;
    deps.progress?.(`client ${clientId}`);
    const found = await keycloak.findClient(realm, clientId);
    let id: string;
    if (!found?.id) {
      id = await keycloak.createClient(realm, plan.client);
      actions.push({ target: `client ${clientId}`, action: 'created', detail: plan.client.secret ? 'secret from .env' : 'new in the topology' });
    } else {
      id = found.id;
      let desired: ClientRepresentation = found;
      const changes: string[] = [];
      const wanted = secrets.get(clientId);
      if (wanted !== undefined && (await keycloak.getClientSecret(realm, id)) !== wanted) {
        desired = { ...desired, secret: wanted };
        changes.push('secret set to the .env value');
      }
      const uris = clientId === wso2ClientId ? consoleUriChanges(found, plan.client) : undefined;
      if (uris) {
        desired = { ...desired, ...uris };
        changes.push(`console URIs set to ${plan.client.redirectUris?.join(', ') ?? ''}`);
      }
      if (changes.length > 0) {
        // The whole representation goes back: Keycloak's PUT replaces the client.
        await keycloak.updateClient(realm, id, desired);
        actions.push({ target: `client ${clientId}`, action: 'updated', detail: changes.join('; ') });
      } else {
        actions.push({ target: `client ${clientId}`, action: 'unchanged', detail: wanted !== undefined ? 'secret matches .env' : 'exists' });
      }
    }
    clientUuids.push({ clientId, id });
    if (plan.serviceAccountClientRoles) actions.push(...(await alignServiceAccountClientRoles(keycloak, realm, id, plan.serviceAccountClientRoles)));
    if (plan.serviceAccountRealmRoles && plan.serviceAccountRealmRoles.length > 0) {
      const user = await keycloak.serviceAccountUser(realm, id);
      const held = new Set((await keycloak.listUserRealmRoles(realm, user.id)).map((role) => role.name));
      const missing = plan.serviceAccountRealmRoles.filter((name) => !held.has(name));
      // A service client holds exactly what its calls grant: a call the topology dropped loses its roles.
      const surplus = (plan.revokedRealmRoles ?? []).filter((name) => held.has(name));
      const done: string[] = [];
      if (missing.length > 0) {
        await keycloak.addUserRealmRoles(realm, user.id, resolveRoles(missing, existingRoles));
        done.push(`granted ${missing.join(', ')}`);
      }
      if (surplus.length > 0) {
        await keycloak.removeUserRealmRoles(realm, user.id, resolveRoles(surplus, existingRoles));
        done.push(`revoked ${surplus.join(', ')} (not in its calls)`);
      }
      if (done.length > 0) actions.push({ target: `${user.username} roles`, action: 'updated', detail: done.join('; ') });
      else actions.push({ target: `${user.username} roles`, action: 'unchanged', detail: `${held.size} roles held` });
    }
  }

  actions.push(await ensureClientsHaveScope(keycloak, realm, scope, clientUuids));

  for (const user of realmUsers(topology)) {
    const found = await keycloak.findUser(realm, user.username);
    if (found) {
      actions.push({ target: `user ${user.username}`, action: 'unchanged', detail: 'exists' });
      continue;
    }
    const { realmRoles: roles = [], ...representation } = user;
    const id = await keycloak.createUser(realm, representation);
    // The admin API ignores realmRoles on create; they are granted as mappings.
    if (roles.length > 0) await keycloak.addUserRealmRoles(realm, id, resolveRoles(roles, existingRoles));
    actions.push({ target: `user ${user.username}`, action: 'created', detail: 'no password yet: set a temporary one in the admin console' });
  }
  return actions;
}

/** The `default` client scope, and what was done to it so far (for its one action). */
interface ScopeState {
  id: string;
  created: boolean;
  done: string[];
}

/**
 * Creates the client scope `default` WSO2's key manager needs (see wso2DefaultClientScope) when
 * the realm lacks it, and makes it a realm default scope. Reads only when both hold.
 */
async function ensureDefaultScope(keycloak: KeycloakClient, realm: string): Promise<ScopeState> {
  const wanted = wso2DefaultClientScope();
  const found = (await keycloak.listClientScopes(realm)).find((scope) => scope.name === wanted.name);
  const done: string[] = [];
  let id = found?.id;
  if (found && found.protocol !== undefined && found.protocol !== wanted.protocol) {
    throw new UserError(
      `client scope ${wanted.name} in realm ${realm} has protocol ${found.protocol}, but WSO2's key manager needs ${wanted.protocol}: delete it in the Keycloak admin console, then rerun innover configure-keycloak`,
    );
  }
  const created = !id;
  if (!id) {
    id = await keycloak.createClientScope(realm, wanted);
    done.push(`created (${wanted.protocol})`);
  }
  if (!(await keycloak.listRealmDefaultClientScopes(realm)).some((scope) => scope.id === id || scope.name === wanted.name)) {
    await keycloak.addRealmDefaultClientScope(realm, id);
    done.push('made a realm default scope');
  }
  return { id, created, done };
}

/**
 * Makes `default` a default scope of the realm's own clients too (the guide's step 5): those the
 * realm import created before the scope existed did not get it as a realm default.
 */
async function ensureClientsHaveScope(
  keycloak: KeycloakClient,
  realm: string,
  scope: ScopeState,
  clients: ReadonlyArray<{ clientId: string; id: string }>,
): Promise<ConfigureAction> {
  const added: string[] = [];
  for (const client of clients) {
    const held = await keycloak.listClientDefaultClientScopes(realm, client.id);
    if (held.some((entry) => entry.id === scope.id || entry.name === wso2DefaultScopeName)) continue;
    await keycloak.addClientDefaultClientScope(realm, client.id, scope.id);
    added.push(client.clientId);
  }
  const done = [...scope.done, ...(added.length > 0 ? [`a default scope of ${added.join(', ')}`] : [])];
  const target = `client scope ${wso2DefaultScopeName}`;
  if (done.length === 0) return { target, action: 'unchanged', detail: `a realm default scope, and of ${clients.length} clients` };
  return { target, action: scope.created ? 'created' : 'updated', detail: done.join('; ') };
}

/**
 * The wso2am client's redirect, web-origin and post-logout URIs follow the WSO2 console's host
 * port in the topology. The realm is imported once, so a moved port is carried over here. Returns
 * the fields to change, or undefined when the live client already matches.
 */
function consoleUriChanges(found: ClientRepresentation, planned: ClientRepresentation): Partial<ClientRepresentation> | undefined {
  const postLogout = 'post.logout.redirect.uris';
  const sameList = (a: readonly string[] | undefined, b: readonly string[] | undefined) => JSON.stringify([...(a ?? [])].sort()) === JSON.stringify([...(b ?? [])].sort());
  const wantedPostLogout = planned.attributes?.[postLogout];
  if (
    sameList(found.redirectUris, planned.redirectUris) &&
    sameList(found.webOrigins, planned.webOrigins) &&
    found.attributes?.[postLogout] === wantedPostLogout
  ) {
    return undefined;
  }
  return {
    redirectUris: planned.redirectUris ?? [],
    webOrigins: planned.webOrigins ?? [],
    attributes: { ...found.attributes, ...(wantedPostLogout === undefined ? {} : { [postLogout]: wantedPostLogout }) },
  };
}

/** Grants a service account the client roles it lacks (wso2am: realm-management view/manage-clients). */
async function alignServiceAccountClientRoles(
  keycloak: KeycloakClient,
  realm: string,
  clientUuid: string,
  wanted: Record<string, string[]>,
): Promise<ConfigureAction[]> {
  const actions: ConfigureAction[] = [];
  const user = await keycloak.serviceAccountUser(realm, clientUuid);
  for (const [owner, names] of Object.entries(wanted)) {
    const ownerClient = await keycloak.findClient(realm, owner);
    if (!ownerClient?.id) throw new Error(`client ${owner} is missing from realm ${realm}`);
    const held = new Set((await keycloak.listUserClientRoles(realm, user.id, ownerClient.id)).map((role) => role.name));
    const missing = names.filter((name) => !held.has(name));
    const target = `${user.username} ${owner} roles`;
    if (missing.length === 0) {
      actions.push({ target, action: 'unchanged', detail: `${names.length} roles held` });
      continue;
    }
    const defined = new Map((await keycloak.listClientRoles(realm, ownerClient.id)).map((role) => [role.name, role]));
    await keycloak.addUserClientRoles(realm, user.id, ownerClient.id, resolveRoles(missing, defined));
    actions.push({ target, action: 'updated', detail: `granted ${missing.join(', ')}` });
  }
  return actions;
}

function resolveRoles(names: readonly string[], known: ReadonlyMap<string, RoleRepresentation>): RoleRepresentation[] {
  return names.map((name) => {
    const role = known.get(name);
    if (!role?.id) throw new Error(`realm role ${name} is missing after creation`);
    return { id: role.id, name };
  });
}

/** The rendered realm with its `${VAR}` placeholders replaced by the `.env` values. */
function withSecrets(realm: RealmRepresentation, topology: Topology, env: EnvConfig): RealmRepresentation {
  let text = JSON.stringify(realm);
  for (const key of clientSecretKeys(topology).values()) text = text.replaceAll(`\${${key}}`, envSecret(env, key));
  return JSON.parse(text) as RealmRepresentation;
}

/**
 * Creates WSO2's Keycloak key manager, or updates it when it differs: type KeyCloak, JWKS
 * certificate, client_id/client_secret, issuer and endpoints from the realm's well-known document.
 */
export async function ensureKeyManager(
  deps: ConfigureKeycloakDeps,
  options: { session?: Wso2Session; secretChanged?: boolean } = {},
): Promise<ConfigureAction> {
  const { env, topology } = deps;
  const realm = topology.infrastructure.keycloak.realm;
  deps.progress?.(`WSO2 key manager ${keyManagerName}`);
  const wellKnown = await deps.keycloak.wellKnown(realm);
  const desired = keyManagerBody({ realm, wellKnown, internalUrl: env.KEYCLOAK_INTERNAL_URL, clientSecret: env.WSO2_AM_CLIENT_SECRET });
  const wso2 = options.session ?? new Wso2Session(deps.wso2, { user: env.WSO2_ADMIN_USER, password: env.WSO2_ADMIN_PASSWORD });
  const listed = (await wso2.send('admin', { api: 'admin', method: 'GET', path: '/key-managers' })).data as { list?: Array<{ id?: string; name?: string }> };
  const existing = (listed.list ?? []).find((entry) => entry.name === keyManagerName);
  const target = `WSO2 key manager ${keyManagerName}`;
  if (!existing?.id) {
    await wso2.send('admin', { api: 'admin', method: 'POST', path: '/key-managers', json: desired });
    return { target, action: 'created', detail: `issuer ${String(desired['issuer'])}` };
  }
  const path = `/key-managers/${encodeURIComponent(existing.id)}`;
  const current = (await wso2.send('admin', { api: 'admin', method: 'GET', path })).data as Record<string, unknown>;
  const fields = changedFields(desired, unmaskSecret(current, desired, options.secretChanged === true)).filter((field) => field !== 'name');
  if (fields.length === 0) return { target, action: 'unchanged', detail: 'matches the realm' };
  await wso2.send('admin', { api: 'admin', method: 'PUT', path, json: desired });
  return { target, action: 'updated', detail: `changed ${fields.join(', ')}` };
}

/**
 * WSO2 may answer a connector's secret masked (`*****`). A masked secret cannot be compared, so it
 * counts as equal unless this run changed the secret in Keycloak, in which case WSO2 must get the
 * new one.
 */
function unmaskSecret(current: Record<string, unknown>, desired: Record<string, unknown>, secretChanged: boolean): Record<string, unknown> {
  const properties = current['additionalProperties'] as Record<string, unknown> | undefined;
  const secret = properties?.['client_secret'];
  if (secretChanged || typeof secret !== 'string' || !/^\*+$/.test(secret)) return current;
  const wanted = (desired['additionalProperties'] as Record<string, unknown>)['client_secret'];
  return { ...current, additionalProperties: { ...properties, client_secret: wanted } };
}
