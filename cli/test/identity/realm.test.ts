import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderRealm } from '../../src/render/realm.js';
import { topologySchema } from '../../src/topology/schema.js';
import { defaultTopology } from '../../src/topology/default-topology.js';
import { keyManagerBody } from '../../src/identity/key-manager.js';

const topology = topologySchema.parse(defaultTopology);
const realm = renderRealm(topology);

describe('the realm', () => {
  it('has read and write roles for every service, and the platform roles', () => {
    const names = realm.roles?.realm.map((role) => role.name) ?? [];
    for (const service of topology.services) expect(names).toEqual(expect.arrayContaining([`${service.name}-read`, `${service.name}-write`]));
    expect(names).toEqual(expect.arrayContaining(['platform-admin', 'payments-operator', 'auditor', 'customer']));
  });

  it('has a confidential wso2am client with a service account, a placeholder secret and URIs restricted to the console', () => {
    const client = realm.clients?.find((entry) => entry.clientId === 'wso2am');
    expect(client).toMatchObject({
      publicClient: false,
      clientAuthenticatorType: 'client-secret',
      serviceAccountsEnabled: true,
      secret: '${WSO2_AM_CLIENT_SECRET}',
      redirectUris: ['https://localhost:9443/*'],
      attributes: { 'post.logout.redirect.uris': 'https://localhost:9443/*' },
    });
  });

  it("follows the console's host port: the wso2am URIs name the port the topology publishes", () => {
    const moved = topologySchema.parse({ ...defaultTopology, infrastructure: { ...defaultTopology.infrastructure, wso2: { ...defaultTopology.infrastructure.wso2, managementHostPort: 9444 } } });
    const client = renderRealm(moved).clients?.find((entry) => entry.clientId === 'wso2am');
    expect(client).toMatchObject({
      redirectUris: ['https://localhost:9444/*'],
      webOrigins: ['https://localhost:9444'],
      attributes: { 'post.logout.redirect.uris': 'https://localhost:9444/*' },
    });
  });

  it('creates topology users without a password, who must choose their own at first login', () => {
    const withUser = topologySchema.parse({ ...defaultTopology, keycloak: { ...defaultTopology.keycloak, users: [{ username: 'ana', email: 'ana@example.test', realmRoles: ['auditor'] }] } });
    const user = renderRealm(withUser).users?.find((entry) => entry.username === 'ana');
    expect(user).toMatchObject({ enabled: true, email: 'ana@example.test', realmRoles: ['auditor'], requiredActions: ['UPDATE_PASSWORD'] });
    expect(user).not.toHaveProperty('credentials');
  });

  it('has innover-smoke for client credentials, its service account holding every service role', () => {
    const client = realm.clients?.find((entry) => entry.clientId === 'innover-smoke');
    expect(client).toMatchObject({ publicClient: false, serviceAccountsEnabled: true, secret: '${SMOKE_CLIENT_SECRET}', standardFlowEnabled: false });
    const account = realm.users?.find((user) => user.serviceAccountClientId === 'innover-smoke');
    expect(account?.username).toBe('service-account-innover-smoke');
    expect(account?.realmRoles).toEqual(topology.services.flatMap((service) => [`${service.name}-read`, `${service.name}-write`]));
  });

  describe('service identity: one client per calling service (services[].calls)', () => {
    it('gives each caller a confidential client-credentials-only client <service>-service with a placeholder secret', () => {
      const callers = (realm.clients ?? []).filter((client) => client.clientId.endsWith('-service')).map((client) => client.clientId);
      expect(callers).toEqual(['payment-service', 'wallet-service']);
      for (const [clientId, key] of [['payment-service', 'PAYMENT_CLIENT_SECRET'], ['wallet-service', 'WALLET_CLIENT_SECRET']] as const) {
        expect(realm.clients?.find((client) => client.clientId === clientId)).toMatchObject({
          enabled: true,
          publicClient: false,
          clientAuthenticatorType: 'client-secret',
          secret: `\${${key}}`,
          serviceAccountsEnabled: true,
          standardFlowEnabled: false,
          implicitFlowEnabled: false,
          directAccessGrantsEnabled: false,
        });
      }
    });

    it("holds exactly the roles its calls grant: read gives -read, write gives -write and -read", () => {
      const roles = (clientId: string) => realm.users?.find((user) => user.serviceAccountClientId === clientId)?.realmRoles;
      expect(roles('payment-service')).toEqual(['wallet-read', 'profile-read', 'rule-engine-read', 'rule-engine-write', 'forex-read', 'forex-write', 'ledger-read', 'ledger-write']);
      expect(roles('wallet-service')).toEqual(['profile-read', 'ledger-read', 'ledger-write']);
      expect(realm.users?.find((user) => user.serviceAccountClientId === 'wallet-service')?.username).toBe('service-account-wallet-service');
    });

    it('follows the topology: no calls, no service client', () => {
      const quiet = renderRealm(topologySchema.parse({ ...defaultTopology, services: defaultTopology.services.map(({ name, hostPort }) => ({ name, hostPort })) }));
      expect(quiet.clients?.map((client) => client.clientId)).toEqual(['wso2am', 'innover-smoke']);
      const reader = renderRealm(topologySchema.parse({ ...defaultTopology, services: [{ name: 'audit', hostPort: 8107, calls: [{ service: 'ledger', access: 'read' }] }, { name: 'ledger', hostPort: 8103 }] }));
      expect(reader.users?.find((user) => user.serviceAccountClientId === 'audit-service')?.realmRoles).toEqual(['ledger-read']);
    });
  });

  it('puts innover-api in access tokens', () => {
    for (const client of realm.clients ?? []) {
      expect(client.protocolMappers).toContainEqual(
        expect.objectContaining({ protocolMapper: 'oidc-audience-mapper', config: expect.objectContaining({ 'included.custom.audience': 'innover-api', 'access.token.claim': 'true' }) }),
      );
    }
  });

  it('has the default browser flow and an OTP-enforced copy, with CONFIGURE_TOTP enabled', () => {
    expect(realm.browserFlow).toBe('browser');
    const flows = new Map(realm.authenticationFlows?.map((flow) => [flow.alias, flow]));
    expect(flows.has('browser')).toBe(true);
    const otp = [...flows.values()].find((flow) => flow.topLevel && flow.alias !== 'browser' && flow.alias.includes('otp'));
    const forms = flows.get(otp?.authenticationExecutions.find((execution) => execution.flowAlias)?.flowAlias ?? '');
    expect(forms?.authenticationExecutions).toContainEqual(expect.objectContaining({ authenticator: 'auth-otp-form', requirement: 'REQUIRED' }));
    expect(realm.requiredActions?.find((action) => action.alias === 'CONFIGURE_TOTP')?.enabled).toBe(true);
    // Every flow a flow refers to exists: an import with a dangling alias fails.
    for (const flow of flows.values()) for (const execution of flow.authenticationExecutions) if (execution.flowAlias) expect(flows.has(execution.flowAlias)).toBe(true);
  });

  it('holds no client scopes: Keycloak creates its built-in ones only for a realm imported without them', () => {
    // The committed file and the render alike: configure-keycloak adds the scope `default` WSO2
    // needs through the admin API instead (see wso2DefaultClientScope).
    const committed = JSON.parse(readFileSync(new URL('../../../keycloak/realm-export.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    for (const representation of [realm as Record<string, unknown>, committed]) {
      expect(representation).not.toHaveProperty('clientScopes');
      expect(representation).not.toHaveProperty('defaultDefaultClientScopes');
      for (const client of representation['clients'] as Array<Record<string, unknown>>) expect(client).not.toHaveProperty('defaultClientScopes');
    }
  });

  it('holds no secret, only placeholders', () => {
    expect(JSON.stringify(realm)).not.toMatch(/"secret":"(?!\$\{)/);
  });

  it('grows with the topology: a new service brings its roles', () => {
    const grown = renderRealm(topologySchema.parse({ ...defaultTopology, services: [...defaultTopology.services, { name: 'audit', hostPort: 8107 }] }));
    expect(grown.roles?.realm.map((role) => role.name)).toEqual(expect.arrayContaining(['audit-read', 'audit-write']));
  });
});

describe('the key manager body', () => {
  it('keeps the issuer public and points the URLs WSO2 calls at Keycloak inside the network', () => {
    const body = keyManagerBody({
      realm: 'innover',
      internalUrl: 'http://keycloak:8080/auth',
      clientSecret: 's3cret-value-123',
      wellKnown: {
        issuer: 'http://localhost/auth/realms/innover',
        authorization_endpoint: 'http://localhost/auth/realms/innover/protocol/openid-connect/auth',
        token_endpoint: 'http://localhost/auth/realms/innover/protocol/openid-connect/token',
        introspection_endpoint: 'http://localhost/auth/realms/innover/protocol/openid-connect/token/introspect',
        jwks_uri: 'http://localhost/auth/realms/innover/protocol/openid-connect/certs',
      },
    });
    expect(body).toMatchObject({
      type: 'KeyCloak',
      issuer: 'http://localhost/auth/realms/innover',
      tokenEndpoint: 'http://keycloak:8080/auth/realms/innover/protocol/openid-connect/token',
      introspectionEndpoint: 'http://keycloak:8080/auth/realms/innover/protocol/openid-connect/token/introspect',
      clientRegistrationEndpoint: 'http://keycloak:8080/auth/realms/innover/clients-registrations/openid-connect',
      certificates: { type: 'JWKS', value: 'http://keycloak:8080/auth/realms/innover/protocol/openid-connect/certs' },
      consumerKeyClaim: 'azp',
      scopesClaim: 'scope',
      additionalProperties: { client_id: 'wso2am', client_secret: 's3cret-value-123', self_validate_jwt: true },
    });
    // The browser's endpoints stay public, under /auth through Nginx.
    expect(body).toMatchObject({
      authorizeEndpoint: 'http://localhost/auth/realms/innover/protocol/openid-connect/auth',
      displayTokenEndpoint: 'http://localhost/auth/realms/innover/protocol/openid-connect/token',
      wellKnownEndpoint: 'http://keycloak:8080/auth/realms/innover/.well-known/openid-configuration',
    });
    expect(JSON.stringify(body)).not.toContain('/auth/auth');
  });

  it('rebases a custom public hostname without /auth onto the internal /auth URL', () => {
    const body = keyManagerBody({
      realm: 'innover',
      internalUrl: 'http://keycloak:8080/auth',
      clientSecret: 's3cret-value-123',
      wellKnown: {
        issuer: 'https://id.example.test/realms/innover',
        authorization_endpoint: 'https://id.example.test/realms/innover/protocol/openid-connect/auth',
        token_endpoint: 'https://id.example.test/realms/innover/protocol/openid-connect/token',
        jwks_uri: 'https://id.example.test/realms/innover/protocol/openid-connect/certs',
      },
    });
    expect(body).toMatchObject({
      issuer: 'https://id.example.test/realms/innover',
      tokenEndpoint: 'http://keycloak:8080/auth/realms/innover/protocol/openid-connect/token',
      certificates: { type: 'JWKS', value: 'http://keycloak:8080/auth/realms/innover/protocol/openid-connect/certs' },
    });
  });
});
