import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ContractServer } from '../contract-support/contract-server.js';
import { contractEnv, importRealm, projectWithApiConfig, runAgainst } from '../contract-support/harness.js';
import { defaultTopology } from '../../src/topology/default-topology.js';
import { topologySchema } from '../../src/topology/schema.js';

let server: ContractServer;
let root: string;

beforeEach(async () => {
  server = await new ContractServer().start();
  root = await projectWithApiConfig();
});
afterEach(async () => {
  await server.stop();
});

describe('innover configure-keycloak against the Keycloak 26.6 and WSO2 4.5 specs', () => {
  it('aligns the imported realm and creates the key manager, every request allowed by the specs', async () => {
    const env = contractEnv(server.url);
    importRealm(server, env);
    const run = await runAgainst(['configure-keycloak', '--json', '--timeout', '5'], env, root);
    expect(server.violations).toEqual([]);
    expect(run.stderr.filter((line) => line.startsWith('innover:'))).toEqual([]);
    expect(run.exitCode).toBe(0);
    const result = JSON.parse(run.stdout) as { actions: Array<{ target: string; action: string }>; changed: number };
    expect(result.actions).toContainEqual(expect.objectContaining({ target: 'WSO2 key manager Keycloak', action: 'created' }));
    expect(result.actions).toContainEqual(expect.objectContaining({ target: 'client scope default', action: 'created' }));
    expect(result.changed).toBe(2);
    const [keyManager] = [...server.keyManagers.values()];
    expect(keyManager).toMatchObject({
      type: 'KeyCloak',
      issuer: 'http://localhost/auth/realms/innover',
      tokenEndpoint: 'http://keycloak:8080/auth/realms/innover/protocol/openid-connect/token',
      introspectionEndpoint: 'http://keycloak:8080/auth/realms/innover/protocol/openid-connect/token/introspect',
      clientRegistrationEndpoint: 'http://keycloak:8080/auth/realms/innover/clients-registrations/openid-connect',
      certificates: { type: 'JWKS', value: 'http://keycloak:8080/auth/realms/innover/protocol/openid-connect/certs' },
      additionalProperties: { client_id: 'wso2am', client_secret: env.WSO2_AM_CLIENT_SECRET, self_validate_jwt: true },
    });
    // Secrets never reach the output.
    expect(run.stdout + run.stderr.join('\n')).not.toContain(env.WSO2_AM_CLIENT_SECRET);
  });

  it('changes nothing the second time, and says so: no POST, PUT or DELETE', async () => {
    const env = contractEnv(server.url);
    importRealm(server, env);
    expect((await runAgainst(['configure-keycloak', '--timeout', '5'], env, root)).exitCode).toBe(0);
    const before = server.requests.length;
    const second = await runAgainst(['configure-keycloak', '--timeout', '5'], env, root);
    expect(second.exitCode).toBe(0);
    expect(server.requests.slice(before).filter((request) => request.method !== 'GET' && !request.path.endsWith('/token') && !request.path.startsWith('/client-registration'))).toEqual([]);
    expect(second.stdout).toContain('nothing to change');
    expect(server.violations).toEqual([]);
  });

  it('sets the wso2am secret to the .env value with PUT /clients/{id} when the import lost it, never regenerating it', async () => {
    const env = contractEnv(server.url);
    importRealm(server, env, { wso2: 'a-different-secret-000' });
    const run = await runAgainst(['configure-keycloak', '--json', '--timeout', '5'], env, root);
    expect(run.exitCode).toBe(0);
    expect(server.violations).toEqual([]);
    const realm = server.realms.get('innover')!;
    expect([...realm.clients.values()].find((client) => client['clientId'] === 'wso2am')?.['secret']).toBe(env.WSO2_AM_CLIENT_SECRET);
    const writes = server.writes().map((request) => `${request.method} ${request.path.replace(/client-\d+/, '{id}')}`);
    expect(writes).toContain('PUT /admin/realms/innover/clients/{id}');
    expect(writes.filter((write) => write.endsWith('/client-secret'))).toEqual([]);
  });

  it("moves the wso2am console URIs to the topology's WSO2 port in one PUT, then leaves them", async () => {
    const env = contractEnv(server.url);
    importRealm(server, env);
    const moved = topologySchema.parse({ ...defaultTopology, infrastructure: { ...defaultTopology.infrastructure, wso2: { ...defaultTopology.infrastructure.wso2, managementHostPort: 9444 } } });
    const run = await runAgainst(['configure-keycloak', '--json', '--timeout', '5'], env, root, { topology: moved });
    expect(run.exitCode).toBe(0);
    expect(server.violations).toEqual([]);
    const result = JSON.parse(run.stdout) as { actions: Array<{ target: string; action: string; detail: string }> };
    expect(result.actions).toContainEqual({ target: 'client wso2am', action: 'updated', detail: 'console URIs set to https://localhost:9444/*' });
    const client = [...server.realms.get('innover')!.clients.values()].find((entry) => entry['clientId'] === 'wso2am')!;
    expect(client).toMatchObject({
      secret: env.WSO2_AM_CLIENT_SECRET,
      redirectUris: ['https://localhost:9444/*'],
      webOrigins: ['https://localhost:9444'],
      attributes: { 'post.logout.redirect.uris': 'https://localhost:9444/*' },
    });
    const before = server.requests.length;
    const again = await runAgainst(['configure-keycloak', '--timeout', '5'], env, root, { topology: moved });
    expect(again.exitCode).toBe(0);
    expect(server.requests.slice(before).filter((request) => request.method === 'PUT')).toEqual([]);
  });

  it('creates the roles and clients the topology gained since the import', async () => {
    const env = contractEnv(server.url);
    importRealm(server, env);
    const realm = server.realms.get('innover')!;
    realm.roles.delete('forex-read');
    for (const [id, client] of realm.clients) if (client['clientId'] === 'innover-smoke') realm.clients.delete(id);
    for (const [id, user] of realm.users) if (user['serviceAccountClientId'] === 'innover-smoke') realm.users.delete(id);
    const run = await runAgainst(['configure-keycloak', '--json', '--timeout', '5'], env, root);
    expect(server.violations).toEqual([]);
    expect(run.exitCode).toBe(0);
    const actions = (JSON.parse(run.stdout) as { actions: Array<{ target: string; action: string }> }).actions;
    expect(actions).toContainEqual(expect.objectContaining({ target: 'role forex-read', action: 'created' }));
    expect(actions).toContainEqual(expect.objectContaining({ target: 'client innover-smoke', action: 'created' }));
    const smoke = [...realm.users.values()].find((user) => user['serviceAccountClientId'] === 'innover-smoke')!;
    expect([...realm.userRoles.get(String(smoke['id']))!]).toEqual(expect.arrayContaining(['forex-read', 'forex-write', 'profile-read']));
  });

  describe('service identity: one client-credentials client per calling service (services[].calls)', () => {
    const clientNamed = (clientId: string) => [...server.realms.get('innover')!.clients.values()].find((client) => client['clientId'] === clientId);
    const accountRoles = (clientId: string) => {
      const realm = server.realms.get('innover')!;
      const account = [...realm.users.values()].find((user) => user['serviceAccountClientId'] === clientId)!;
      return [...realm.userRoles.get(String(account['id']))!].sort();
    };
    const dropClient = (clientId: string) => {
      const realm = server.realms.get('innover')!;
      for (const [id, client] of realm.clients) if (client['clientId'] === clientId) realm.clients.delete(id);
      for (const [id, user] of realm.users) if (user['serviceAccountClientId'] === clientId) realm.users.delete(id);
    };

    it('imports each caller with its .env secret and exactly the roles its calls grant', async () => {
      const env = contractEnv(server.url);
      importRealm(server, env);
      expect(clientNamed('payment-service')).toMatchObject({ secret: env['PAYMENT_CLIENT_SECRET'], serviceAccountsEnabled: true, standardFlowEnabled: false, directAccessGrantsEnabled: false, publicClient: false });
      expect(accountRoles('payment-service')).toEqual(['forex-read', 'forex-write', 'ledger-read', 'ledger-write', 'profile-read', 'rule-engine-read', 'rule-engine-write', 'wallet-read']);
      expect(accountRoles('wallet-service')).toEqual(['ledger-read', 'ledger-write', 'profile-read']);
    });

    it('creates a caller the topology gained since the import, with its .env secret and roles; a re-run sends no POST or PUT', async () => {
      const env = contractEnv(server.url);
      importRealm(server, env);
      dropClient('wallet-service');
      const run = await runAgainst(['configure-keycloak', '--json', '--timeout', '5'], env, root);
      expect(server.violations).toEqual([]);
      expect(run.exitCode).toBe(0);
      const actions = (JSON.parse(run.stdout) as { actions: Array<{ target: string; action: string; detail: string }> }).actions;
      expect(actions).toContainEqual({ target: 'client wallet-service', action: 'created', detail: 'secret from .env' });
      expect(actions).toContainEqual({ target: 'service-account-wallet-service roles', action: 'updated', detail: 'granted profile-read, ledger-read, ledger-write' });
      expect(clientNamed('wallet-service')).toMatchObject({
        secret: env['WALLET_CLIENT_SECRET'],
        serviceAccountsEnabled: true,
        standardFlowEnabled: false,
        directAccessGrantsEnabled: false,
        protocolMappers: [expect.objectContaining({ protocolMapper: 'oidc-audience-mapper', config: expect.objectContaining({ 'included.custom.audience': 'innover-api' }) })],
      });
      expect(accountRoles('wallet-service')).toEqual(['ledger-read', 'ledger-write', 'profile-read']);
      expect(run.stdout + run.stderr.join('\n')).not.toContain(env['WALLET_CLIENT_SECRET']);

      const before = server.writes().length;
      const again = await runAgainst(['configure-keycloak', '--json', '--timeout', '5'], env, root);
      expect(again.exitCode).toBe(0);
      expect(server.writes().slice(before)).toEqual([]);
      expect((JSON.parse(again.stdout) as { actions: unknown[] }).actions).toContainEqual({ target: 'client wallet-service', action: 'unchanged', detail: 'secret matches .env' });
      expect(server.violations).toEqual([]);
    });

    it("sets a caller's secret to the .env value with one PUT when Keycloak holds another", async () => {
      const env = contractEnv(server.url);
      importRealm(server, env, { payment: 'a-different-secret-000' });
      const run = await runAgainst(['configure-keycloak', '--json', '--timeout', '5'], env, root);
      expect(server.violations).toEqual([]);
      expect(run.exitCode).toBe(0);
      expect((JSON.parse(run.stdout) as { actions: unknown[] }).actions).toContainEqual({ target: 'client payment-service', action: 'updated', detail: 'secret set to the .env value' });
      expect(clientNamed('payment-service')?.['secret']).toBe(env['PAYMENT_CLIENT_SECRET']);
      const puts = server.writes().filter((request) => request.method === 'PUT' && /\/clients\/client-\d+$/.test(request.path));
      expect(puts).toHaveLength(1);
    });

    it('revokes the roles of a call the topology dropped, with one DELETE, and leaves other roles alone', async () => {
      const env = contractEnv(server.url);
      importRealm(server, env);
      const realm = server.realms.get('innover')!;
      const account = [...realm.users.values()].find((user) => user['serviceAccountClientId'] === 'payment-service')!;
      realm.userRoles.get(String(account['id']))!.add('auditor');
      const fewer = topologySchema.parse({
        ...defaultTopology,
        services: defaultTopology.services.map((service) => (service.name === 'payment' ? { ...service, calls: (service.calls ?? []).filter((call) => call.service !== 'forex') } : service)),
      });
      const run = await runAgainst(['configure-keycloak', '--json', '--timeout', '5'], env, root, { topology: fewer });
      expect(server.violations).toEqual([]);
      expect(run.exitCode).toBe(0);
      expect((JSON.parse(run.stdout) as { actions: unknown[] }).actions).toContainEqual({
        target: 'service-account-payment-service roles',
        action: 'updated',
        detail: 'revoked forex-read, forex-write (not in its calls)',
      });
      expect(accountRoles('payment-service')).toEqual(['auditor', 'ledger-read', 'ledger-write', 'profile-read', 'rule-engine-read', 'rule-engine-write', 'wallet-read']);
      expect(server.writes().filter((request) => request.method === 'DELETE').map((request) => request.path.replace(/user-\d+/, '{user}'))).toEqual(['/admin/realms/innover/users/{user}/role-mappings/realm']);

      const before = server.writes().length;
      expect((await runAgainst(['configure-keycloak', '--timeout', '5'], env, root, { topology: fewer })).exitCode).toBe(0);
      expect(server.writes().slice(before)).toEqual([]);
    });

    it('names the missing .env key in one line with the fix, before changing anything', async () => {
      const env = { ...contractEnv(server.url), WALLET_CLIENT_SECRET: undefined };
      importRealm(server, contractEnv(server.url));
      const run = await runAgainst(['configure-keycloak', '--timeout', '5'], env, root);
      expect(run.exitCode).toBe(1);
      expect(run.stderr.at(-1)).toBe('innover: .env: WALLET_CLIENT_SECRET: missing: run innover init (it appends the secrets the topology gained)');
      expect(server.writes()).toEqual([]);
    });
  });

  it('creates the realm from the topology when the import did not happen', async () => {
    const env = contractEnv(server.url);
    const run = await runAgainst(['configure-keycloak', '--json', '--timeout', '5'], env, root);
    expect(server.violations).toEqual([]);
    expect(run.stderr.filter((line) => line.startsWith('innover:'))).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(server.realms.get('innover')?.clients.size).toBeGreaterThanOrEqual(2);
  });

  it("grants wso2am's service account the realm-management roles WSO2's connector needs, once", async () => {
    const env = contractEnv(server.url);
    importRealm(server, env);
    const realm = server.realms.get('innover')!;
    const account = [...realm.users.values()].find((user) => user['serviceAccountClientId'] === 'wso2am')!;
    realm.userClientRoles.set(String(account['id']), new Map());
    const run = await runAgainst(['configure-keycloak', '--json', '--timeout', '5'], env, root);
    expect(server.violations).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect((JSON.parse(run.stdout) as { actions: unknown[] }).actions).toContainEqual({
      target: 'service-account-wso2am realm-management roles',
      action: 'updated',
      detail: 'granted view-clients, manage-clients',
    });
    const management = [...realm.clients.values()].find((client) => client['clientId'] === 'realm-management')!;
    expect([...realm.userClientRoles.get(String(account['id']))!.get(String(management['id']))!]).toEqual(['view-clients', 'manage-clients']);
  });

  it('takes a masked key manager secret as unchanged, but pushes a secret this run changed', async () => {
    await server.stop();
    server = await new ContractServer({ maskKeyManagerSecrets: true }).start();
    const env = contractEnv(server.url);
    importRealm(server, env);
    expect((await runAgainst(['configure-keycloak', '--timeout', '5'], env, root)).exitCode).toBe(0);
    const before = server.writes().length;
    expect((await runAgainst(['configure-keycloak', '--timeout', '5'], env, root)).exitCode).toBe(0);
    expect(server.writes().slice(before)).toEqual([]);
    const rotated = { ...env, WSO2_AM_CLIENT_SECRET: 'rotated-secret-value-456' };
    const run = await runAgainst(['configure-keycloak', '--json', '--timeout', '5'], rotated, root);
    expect(run.exitCode).toBe(0);
    const actions = (JSON.parse(run.stdout) as { actions: Array<{ target: string; action: string }> }).actions;
    expect(actions).toContainEqual(expect.objectContaining({ target: 'client wso2am', action: 'updated' }));
    expect(actions).toContainEqual(expect.objectContaining({ target: 'WSO2 key manager Keycloak', action: 'updated' }));
    expect(([...server.keyManagers.values()][0]!['additionalProperties'] as Record<string, string>)['client_secret']).toBe('rotated-secret-value-456');
    expect(server.violations).toEqual([]);
  });

  describe("the client scope `default` WSO2 4.5's Keycloak connector guide asks for", () => {
    const scopeWrites = () =>
      server
        .writes()
        .filter((request) => /client-scopes/.test(request.path))
        .map((request) => `${request.method} ${request.path.replace(/\/admin\/realms\/innover/, '').replace(/client-\d+/, '{client}').replace(/scope-\d+/, '{scope}')}`);
    const defaultScope = () => [...server.realms.get('innover')!.clientScopes.values()].find((scope) => scope['name'] === 'default');
    const clientHolds = (clientId: string) => {
      const realm = server.realms.get('innover')!;
      const client = [...realm.clients.values()].find((entry) => entry['clientId'] === clientId)!;
      return realm.clientDefaultScopes.get(String(client['id']))!.has(String(defaultScope()!['id']));
    };

    it('is created (openid-connect), made a realm default and a default of the realm clients; a re-run sends no POST or PUT', async () => {
      const env = contractEnv(server.url);
      importRealm(server, env);
      const run = await runAgainst(['configure-keycloak', '--json', '--timeout', '5'], env, root);
      expect(server.violations).toEqual([]);
      expect(run.exitCode).toBe(0);
      expect((JSON.parse(run.stdout) as { actions: unknown[] }).actions).toContainEqual({
        target: 'client scope default',
        action: 'created',
        detail: 'created (openid-connect); made a realm default scope; a default scope of wso2am, innover-smoke, payment-service, wallet-service',
      });
      expect(defaultScope()).toMatchObject({ name: 'default', protocol: 'openid-connect', attributes: { 'include.in.token.scope': 'true' } });
      expect(server.realms.get('innover')!.defaultClientScopes.has(String(defaultScope()!['id']))).toBe(true);
      expect(clientHolds('wso2am') && clientHolds('innover-smoke')).toBe(true);
      // Keycloak's built-in scopes are still there: the realm file did not replace them.
      expect([...server.realms.get('innover')!.clientScopes.values()].map((scope) => scope['name'])).toEqual(expect.arrayContaining(['profile', 'email', 'roles', 'web-origins']));
      expect(scopeWrites()).toEqual([
        'POST /client-scopes',
        'PUT /default-default-client-scopes/{scope}',
        ...Array.from({ length: 4 }, () => 'PUT /clients/{client}/default-client-scopes/{scope}'),
      ]);

      const before = server.writes().length;
      const again = await runAgainst(['configure-keycloak', '--json', '--timeout', '5'], env, root);
      expect(again.exitCode).toBe(0);
      expect(server.writes().slice(before)).toEqual([]);
      expect((JSON.parse(again.stdout) as { actions: unknown[] }).actions).toContainEqual({ target: 'client scope default', action: 'unchanged', detail: 'a realm default scope, and of 4 clients' });
      expect(server.violations).toEqual([]);
    });

    it('when someone made it by hand, only what is missing is added', async () => {
      const env = contractEnv(server.url);
      importRealm(server, env);
      server.realms.get('innover')!.clientScopes.set('scope-by-hand', { id: 'scope-by-hand', name: 'default', protocol: 'openid-connect' });
      const run = await runAgainst(['configure-keycloak', '--json', '--timeout', '5'], env, root);
      expect(server.violations).toEqual([]);
      expect(run.exitCode).toBe(0);
      expect((JSON.parse(run.stdout) as { actions: unknown[] }).actions).toContainEqual(expect.objectContaining({ target: 'client scope default', action: 'updated' }));
      expect(scopeWrites()).not.toContain('POST /client-scopes');
      expect(server.realms.get('innover')!.defaultClientScopes.has('scope-by-hand')).toBe(true);
    });

    it('a client this run creates gets it as a realm default, without a PUT of its own', async () => {
      const env = contractEnv(server.url);
      importRealm(server, env);
      const realm = server.realms.get('innover')!;
      for (const [id, client] of realm.clients) if (client['clientId'] === 'innover-smoke') realm.clients.delete(id);
      for (const [id, user] of realm.users) if (user['serviceAccountClientId'] === 'innover-smoke') realm.users.delete(id);
      expect((await runAgainst(['configure-keycloak', '--timeout', '5'], env, root)).exitCode).toBe(0);
      expect(server.violations).toEqual([]);
      expect(clientHolds('innover-smoke')).toBe(true);
      // One PUT for each of the three imported clients (wso2am, payment-service, wallet-service), none for innover-smoke.
      expect(scopeWrites().filter((write) => write.startsWith('PUT /clients/'))).toHaveLength(3);
    });

    it('one of another protocol is refused in one line with the fix', async () => {
      const env = contractEnv(server.url);
      importRealm(server, env);
      server.realms.get('innover')!.clientScopes.set('scope-saml', { id: 'scope-saml', name: 'default', protocol: 'saml' });
      const run = await runAgainst(['configure-keycloak', '--timeout', '5'], env, root);
      expect(run.exitCode).toBe(1);
      expect(run.stderr.at(-1)).toBe(
        "innover: client scope default in realm innover has protocol saml, but WSO2's key manager needs openid-connect: delete it in the Keycloak admin console, then rerun innover configure-keycloak",
      );
    });
  });

  it('says what happened, not "unreachable", when Keycloak answers in a way it cannot use', async () => {
    await server.stop();
    server = await new ContractServer({ omitKeycloakLocation: true }).start();
    const env = contractEnv(server.url);
    importRealm(server, env);
    const run = await runAgainst(['configure-keycloak', '--timeout', '5'], env, root);
    expect(run.exitCode).toBe(1);
    const errors = run.stderr.filter((line) => line.startsWith('innover:'));
    expect(errors).toEqual([
      expect.stringMatching(/^innover: Keycloak's answer to POST client scope default could not be used \(location header is not found in request: .*\): check `innover logs keycloak` and that KEYCLOAK_URL in \.env is Keycloak$/),
    ]);
    expect(errors.join('\n')).not.toMatch(/unreachable/);
  });

  it('reports a refused Keycloak login in one line with the fix', async () => {
    const env = contractEnv(server.url, { KEYCLOAK_ADMIN_PASSWORD: 'wrong-password-123' });
    importRealm(server, env);
    const run = await runAgainst(['configure-keycloak', '--timeout', '5'], env, root);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toEqual(expect.arrayContaining([expect.stringMatching(/^innover: Keycloak refused the admin login \(401\): check KEYCLOAK_ADMIN_USER and KEYCLOAK_ADMIN_PASSWORD in \.env$/)]));
  });

  it('reports refused WSO2 credentials in one line with the fix', async () => {
    const env = contractEnv(server.url, { WSO2_ADMIN_PASSWORD: 'not-admin' });
    importRealm(server, env);
    const run = await runAgainst(['configure-keycloak', '--timeout', '5'], env, root);
    expect(run.exitCode).toBe(1);
    expect(run.stderr.at(-1)).toMatch(/^innover: WSO2 refused the login \(401\): check WSO2_ADMIN_USER and WSO2_ADMIN_PASSWORD in \.env$/);
  });

  it('waits for readiness with a timeout, and names what was not ready', async () => {
    const env = contractEnv(server.url);
    server.wso2Ready = false;
    const started = Date.now();
    const run = await runAgainst(['configure-keycloak', '--timeout', '1'], env, root);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(run.exitCode).toBe(1);
    expect(run.stderr.at(-1)).toMatch(/^innover: WSO2 \(.*server-startup-healthcheck\) not ready after \d+ s: /);
  });
});
