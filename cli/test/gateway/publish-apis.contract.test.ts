import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ContractServer, type ContractServerOptions } from '../contract-support/contract-server.js';
import { contractEnv, importRealm, projectWithApiConfig, runAgainst } from '../contract-support/harness.js';

let server: ContractServer;
let root: string;

async function start(options: ContractServerOptions = {}) {
  server = await new ContractServer(options).start();
  root = await projectWithApiConfig();
  // The key manager configure-keycloak registers, so map-keys can name it.
  server.keyManagers.set('km-1', { id: 'km-1', name: 'Keycloak', type: 'KeyCloak', enabled: true });
  return contractEnv(server.url);
}

afterEach(async () => {
  await server.stop();
});

const managementWrites = () => server.writes().map((request) => `${request.method} ${request.path.replace(/(api|revision|app)-\d+/g, '{$1}')}`);

describe('innover publish-apis against the WSO2 4.5 publisher, admin and devportal specs', () => {
  beforeEach(() => undefined);

  it('creates, deploys and publishes the six default APIs, then the smoke application, every request allowed by the specs', async () => {
    const env = await start();
    const run = await runAgainst(['publish-apis', '--json'], env, root);
    expect(server.violations).toEqual([]);
    expect(run.exitCode).toBe(0);
    const result = JSON.parse(run.stdout) as { apis: Array<{ name: string; action: string; gatewayUrl: string }>; application: { action: string; subscribed: string[] } };
    expect(result.apis.map((api) => [api.name, api.action, api.gatewayUrl])).toEqual([
      ['Profile', 'created', 'https://localhost:8243/api/profile'],
      ['Payment', 'created', 'https://localhost:8243/api/payment'],
      ['Ledger', 'created', 'https://localhost:8243/api/ledger'],
      ['Wallet', 'created', 'https://localhost:8243/api/wallet'],
      ['Rule Engine', 'created', 'https://localhost:8243/api/rules'],
      ['Forex', 'created', 'https://localhost:8243/api/forex'],
    ]);
    for (const api of server.apis.values()) {
      expect(api).toMatchObject({ lifeCycleStatus: 'PUBLISHED', isDefaultVersion: true, securityScheme: ['oauth2', 'api_key'], visibility: 'PUBLIC', apiThrottlingPolicy: 'Unlimited' });
      expect(server.deployments.get(String(api['id']))).toEqual([expect.objectContaining({ name: 'Default', vhost: 'localhost', successDeployedTime: expect.any(String) })]);
    }
    // The order per API: search, create, revision, deploy, then Publish.
    const profile = managementWrites().filter((write) => write.includes('{api-0') || write.endsWith('/apis'));
    expect(managementWrites().slice(0, 4)).toEqual(['POST /api/am/publisher/v4/apis', 'POST /api/am/publisher/v4/apis/{api}/revisions', 'POST /api/am/publisher/v4/apis/{api}/deploy-revision', 'POST /api/am/publisher/v4/apis/change-lifecycle']);
    expect(profile.length).toBeGreaterThan(0);
    expect(result.application.action).toBe('created');
    expect(result.application.subscribed).toHaveLength(6);
    const [application] = [...server.applications.values()];
    expect(server.applicationKeys.get(String(application!['applicationId']))).toEqual([expect.objectContaining({ consumerKey: 'innover-smoke', keyManager: 'Keycloak', keyType: 'PRODUCTION' })]);
    // Each token asked only for its family's scopes; the devportal's first, to find the key manager.
    const scopes = server.requests.filter((request) => request.path === '/oauth2/token').map((request) => (request.body as Record<string, string>)['scope']);
    expect(scopes).toEqual(['apim:subscribe apim:app_manage apim:sub_manage', 'apim:api_view apim:api_create apim:api_publish', 'apim:admin']);
  });

  it('creates nothing the second time: no POST, PUT or DELETE, every API unchanged', async () => {
    const env = await start();
    expect((await runAgainst(['publish-apis'], env, root)).exitCode).toBe(0);
    const before = server.writes().length;
    const second = await runAgainst(['publish-apis', '--json'], env, root);
    expect(second.exitCode).toBe(0);
    expect(server.writes().slice(before)).toEqual([]);
    const result = JSON.parse(second.stdout) as { apis: Array<{ action: string }>; application: { action: string } };
    expect(result.apis.map((api) => api.action)).toEqual(Array(6).fill('unchanged'));
    expect(result.application.action).toBe('unchanged');
    expect(server.violations).toEqual([]);
  });

  it('PUTs only the API whose entry changed, then deploys a new revision of it', async () => {
    const env = await start();
    await runAgainst(['publish-apis'], env, root);
    const text = (await import('node:fs/promises')).readFile(join(root, 'wso2', 'api-config.yaml'), 'utf8');
    await writeFile(join(root, 'wso2', 'api-config.yaml'), (await text).replace('endpoint: http://ledger:8000', 'endpoint: http://ledger-v2:8000'));
    const before = server.writes().length;
    const run = await runAgainst(['publish-apis', '--json'], env, root);
    expect(run.exitCode).toBe(0);
    const writes = server.writes().slice(before).map((request) => `${request.method} ${request.path.replace(/api-\d+/, '{id}').replace(/revision-\d+/, '{revision}')}`);
    expect(writes).toEqual(['PUT /api/am/publisher/v4/apis/{id}', 'POST /api/am/publisher/v4/apis/{id}/revisions', 'POST /api/am/publisher/v4/apis/{id}/deploy-revision']);
    const result = JSON.parse(run.stdout) as { apis: Array<{ name: string; action: string }> };
    expect(result.apis.filter((api) => api.action !== 'unchanged')).toEqual([expect.objectContaining({ name: 'Ledger', action: 'updated' })]);
    expect(server.violations).toEqual([]);
  });

  it('prunes the oldest undeployed revisions past the cap', async () => {
    const env = await start();
    await runAgainst(['publish-apis', '--only', 'Profile'], env, root);
    const [id] = [...server.apis.keys()];
    const revisions = server.revisions.get(id!)!;
    for (let index = 0; index < 4; index += 1) revisions.push({ id: `old-${index}`, createdTime: String(index), deploymentInfo: [] });
    const text = await (await import('node:fs/promises')).readFile(join(root, 'wso2', 'api-config.yaml'), 'utf8');
    await writeFile(join(root, 'wso2', 'api-config.yaml'), text.replace('description: Profile service (innover)', 'description: Profile, changed'));
    const run = await runAgainst(['publish-apis', '--only', 'Profile'], env, root);
    expect(run.exitCode).toBe(0);
    expect(server.requests.filter((request) => request.method === 'DELETE').map((request) => request.path.split('/').pop())).toEqual(['old-0']);
    expect(server.revisions.get(id!)).toHaveLength(5);
    expect(server.violations).toEqual([]);
  });

  it('publishes the four API kinds: REST, GraphQL (schema file), WebSocket and AI/LLM', async () => {
    const env = await start();
    await mkdir(join(root, 'wso2', 'schemas'), { recursive: true });
    await writeFile(join(root, 'wso2', 'schemas', 'accounts.graphql'), 'type Query { account(id: ID!): String }\n');
    await writeFile(
      join(root, 'wso2', 'api-config.yaml'),
      [
        'apis:',
        '  - { name: Profile, context: /api/profile, endpoint: "http://profile:8000" }',
        '  - { name: Accounts Graph, kind: graphql, context: /api/graph, endpoint: "http://graph:8000/graphql", schemaFile: schemas/accounts.graphql }',
        '  - { name: Payment Events, kind: websocket, context: /ws/payments, endpoint: "ws://payment:8000/events" }',
        '  - { name: Assistant, kind: llm, context: /api/assistant, endpoint: "http://llm:8000" }',
        '',
      ].join('\n'),
    );
    const run = await runAgainst(['publish-apis', '--json'], env, root);
    expect(server.violations).toEqual([]);
    expect(run.exitCode).toBe(0);
    const byName = new Map([...server.apis.values()].map((api) => [api['name'], api]));
    expect(byName.get('Accounts Graph')).toMatchObject({ type: 'GRAPHQL', lifeCycleStatus: 'PUBLISHED' });
    expect(byName.get('Payment Events')).toMatchObject({ type: 'WS', policies: ['AsyncUnlimited'], operations: [{ target: '/*', verb: 'SUBSCRIBE' }] });
    expect(byName.get('Assistant')).toMatchObject({ type: 'HTTP', endpointConfig: { production_endpoints: { url: 'http://llm:8000', config: { actionDuration: '300000' } } } });
    const graphql = server.requests.filter((request) => request.path.endsWith('graphql-schema'));
    expect(graphql.map((request) => request.path)).toEqual(['/api/am/publisher/v4/apis/validate-graphql-schema', '/api/am/publisher/v4/apis/import-graphql-schema']);
    expect((graphql[1]!.body as Record<string, string>)['file']).toContain('type Query');
    expect(server.subscriptions.find((subscription) => subscription['apiId'] === byName.get('Payment Events')?.['id'])).toMatchObject({ throttlingPolicy: 'AsyncUnlimited' });
  });

  it('--dry-run prints the requests with secrets masked, contacts no server and exits 0', async () => {
    const env = await start();
    const run = await runAgainst(['publish-apis', '--dry-run'], env, root);
    expect(run.exitCode).toBe(0);
    expect(server.requests).toEqual([]);
    expect(run.stdout).toContain('POST /client-registration/v0.17/register');
    expect(run.stdout).toContain('POST /api/am/publisher/v4/apis  [Bearer ***]');
    expect(run.stdout).toContain('GET /api/am/devportal/v3/key-managers  [Bearer ***]');
    expect(run.stdout).toContain('POST /api/am/devportal/v3/applications/dry-run-application/map-keys');
    expect(run.stdout).toMatch(/dry run: \d+ request\(s\) shown, none sent/);
    expect(run.stdout).not.toContain(env.SMOKE_CLIENT_SECRET);
    expect(run.stdout).not.toContain('"password":"admin"');
  });

  it('--file naming a folder or a missing file: one line with the fix, nothing sent', async () => {
    const env = await start();
    const folder = await runAgainst(['publish-apis', '--file', 'wso2'], env, root);
    expect(folder).toMatchObject({ exitCode: 1, stderr: ['innover: wso2: cannot be read (EISDIR): point --file at a readable YAML file'] });
    const missing = await runAgainst(['publish-apis', '--file', 'wso2/nope.yaml'], env, root);
    expect(missing).toMatchObject({ exitCode: 1, stderr: ['innover: wso2/nope.yaml: not found: run `innover generate` to write the default'] });
    expect(server.requests).toEqual([]);
  });

  it('--only publishes one API and leaves the application alone', async () => {
    const env = await start();
    const run = await runAgainst(['publish-apis', '--only', 'Forex', '--json'], env, root);
    expect(run.exitCode).toBe(0);
    expect([...server.apis.values()].map((api) => api['name'])).toEqual(['Forex']);
    expect((await runAgainst(['publish-apis', '--only', 'Nope'], env, root)).stderr.at(-1)).toMatch(/^innover: --only Nope: no such API in wso2\/api-config.yaml; names: Profile, /);
  });
});

describe('publish-apis failure paths, one line each with the fix', () => {
  it('401: check the admin credentials in .env', async () => {
    const env = await start();
    const run = await runAgainst(['publish-apis'], { ...env, WSO2_ADMIN_PASSWORD: 'wrong' }, root);
    expect(run.exitCode).toBe(1);
    expect(run.stderr.filter((line) => line.startsWith('innover:'))).toEqual(['innover: WSO2 refused the login (401): check WSO2_ADMIN_USER and WSO2_ADMIN_PASSWORD in .env']);
  });

  it('a context taken by another API: that API fails, the others are published, the exit code is non-zero', async () => {
    const env = await start();
    server.addApi({ name: 'Legacy Payments', version: '2.0.0', context: '/api/payment', endpointConfig: {} });
    const run = await runAgainst(['publish-apis'], env, root);
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/^Payment\s+failed\s+\/api\/payment/m);
    expect(run.stdout).toMatch(/^Forex\s+created/m);
    expect(run.stdout).toContain("error: Payment 1.0.0: context /api/payment is taken by API 'Legacy Payments 2.0.0': change its context in wso2/api-config.yaml, or delete that API");
    expect(server.violations).toEqual([]);
  });

  for (const status of [409, 500] as const) {
    it(`a duplicate context the search missed, answered ${status}: one line naming the context`, async () => {
      const env = await start({ duplicateContextStatus: status });
      server.addApi({ name: 'Hidden', version: '1.0.0', context: '/api/ledger', endpointConfig: {}, hiddenFromSearch: true });
      const run = await runAgainst(['publish-apis', '--json'], env, root);
      expect(run.exitCode).toBe(1);
      const result = JSON.parse(run.stdout) as { apis: Array<{ name: string; action: string; error?: string }> };
      expect(result.apis.find((api) => api.name === 'Ledger')).toMatchObject({
        action: 'failed',
        error: `Ledger 1.0.0: WSO2 refused to create it (${status}), most likely because context /api/ledger is taken by another API: change its context in wso2/api-config.yaml, or delete that API`,
      });
      expect(result.apis.filter((api) => api.action === 'created')).toHaveLength(5);
    });
  }

  it('a timeout: WSO2 did not answer in time', async () => {
    const env = await start({ wso2Delay: 400 });
    const run = await runAgainst(['publish-apis'], env, root, { wso2TimeoutMs: 150 });
    expect(run.exitCode).toBe(1);
    expect(run.stderr.at(-1)).toBe(`innover: WSO2 at ${env.WSO2_URL} did not answer in time: wait until \`innover health\` shows it healthy, then rerun`);
  });

  it('an unreachable host: start it or fix WSO2_URL', async () => {
    const env = await start();
    await server.stop();
    const run = await runAgainst(['publish-apis'], env, root);
    server = await new ContractServer().start();
    expect(run.exitCode).toBe(1);
    expect(run.stderr.at(-1)).toMatch(new RegExp(`^innover: WSO2 is unreachable at ${env.WSO2_URL} \\(ECONNREFUSED\\): start it with \`innover up\`, or fix WSO2_URL in \\.env$`));
  });

  it('no Keycloak key manager in WSO2: run configure-keycloak first, before anything is written', async () => {
    const env = await start();
    server.keyManagers.clear();
    const run = await runAgainst(['publish-apis'], env, root);
    expect(run.exitCode).toBe(1);
    expect(run.stderr.filter((line) => line.startsWith('innover:'))).toEqual([
      "innover: WSO2 has no key manager Keycloak, which the innover-smoke application's keys map to: run `innover configure-keycloak` first, then rerun innover publish-apis",
    ]);
    expect(server.writes()).toEqual([]);
    expect(server.violations).toEqual([]);
    // --only leaves the application, and so the key manager, alone.
    expect((await runAgainst(['publish-apis', '--only', 'Forex'], env, root)).exitCode).toBe(0);
  });

  it('a bad entry in api-config.yaml, reported with its path', async () => {
    const env = await start();
    await writeFile(join(root, 'wso2', 'api-config.yaml'), 'apis:\n  - name: X\n    context: /x\n    endpoint: ftp://x\n');
    const run = await runAgainst(['publish-apis'], env, root);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toEqual(['innover: wso2/api-config.yaml: apis[0].endpoint: use an http(s) URL such as http://profile:8000']);
    expect(server.requests).toEqual([]);
  });
});

describe('configure-keycloak then publish-apis', () => {
  it('maps the smoke application through the key manager configure-keycloak created', async () => {
    server = await new ContractServer().start();
    root = await projectWithApiConfig();
    const env = contractEnv(server.url);
    importRealm(server, env);
    expect((await runAgainst(['configure-keycloak', '--timeout', '5'], env, root)).exitCode).toBe(0);
    const run = await runAgainst(['publish-apis'], env, root);
    expect(run.exitCode).toBe(0);
    expect(server.violations).toEqual([]);
    expect(run.stdout).toMatch(/^application innover-smoke\s+created/m);
  });
});
