import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateApiConfig } from '../../src/gateway/api-config-schema.js';
import { changedFields, toWso2Api } from '../../src/gateway/api-definition.js';
import { renderApiConfig } from '../../src/render/api-config.js';
import { topologySchema } from '../../src/topology/schema.js';
import { defaultTopology } from '../../src/topology/default-topology.js';

const topology = topologySchema.parse(defaultTopology);

describe('api-config.yaml', () => {
  it('publishes the six services by default, at the contexts the issue names', () => {
    const result = validateApiConfig(parse(renderApiConfig(topology, undefined)));
    expect(result.errors).toEqual([]);
    expect(result.value?.apis.map((api) => [api.name, api.context, api.endpoint])).toEqual([
      ['Profile', '/api/profile', 'http://profile:8000'],
      ['Payment', '/api/payment', 'http://payment:8000'],
      ['Ledger', '/api/ledger', 'http://ledger:8000'],
      ['Wallet', '/api/wallet', 'http://wallet:8000'],
      ['Rule Engine', '/api/rules', 'http://rule-engine:8000'],
      ['Forex', '/api/forex', 'http://forex:8000'],
    ]);
  });

  it('carries commented examples of the GraphQL, WebSocket and LLM kinds that validate once uncommented', () => {
    const text = renderApiConfig(topology, undefined);
    expect(text).toContain('#   kind: graphql');
    expect(text).toContain('#   kind: websocket');
    expect(text).toContain('#   kind: llm');
    const uncommented = text.replace(/^ {2}# (?= *[-a-z])/gm, '  ');
    const result = validateApiConfig(parse(uncommented));
    expect(result.errors).toEqual([]);
    expect(result.value?.apis.map((api) => api.kind)).toEqual(['rest', 'rest', 'rest', 'rest', 'rest', 'rest', 'graphql', 'websocket', 'llm']);
  });

  it('keeps the user file as it is, appending only the APIs of new services', () => {
    const existing = `# my comment\napis:\n  - name: Profile  # mine\n    context: /api/profile\n    endpoint: http://profile:8000\n`;
    const grown = topologySchema.parse({ ...defaultTopology, services: [{ name: 'profile', hostPort: 8101 }, { name: 'audit', hostPort: 8107 }] });
    const text = renderApiConfig(grown, existing);
    expect(text.startsWith(existing)).toBe(true);
    const apis = validateApiConfig(parse(text)).value?.apis ?? [];
    expect(apis.map((api) => api.context)).toEqual(['/api/profile', '/api/audit']);
    expect(renderApiConfig(grown, text)).toBe(text);
  });

  it('reports a bad entry with its path', () => {
    const result = validateApiConfig({ apis: [{ name: 'X', context: '/api/x', endpoint: 'http://x:1' }, { name: 'Y', context: 'api/y', endpoint: 'x' }] });
    expect(result.errors).toEqual([
      expect.stringMatching(/^apis\[1\]\.context: use a path/),
      expect.stringMatching(/^apis\[1\]\.endpoint: use an http\(s\) URL/),
    ]);
    expect(validateApiConfig({ apis: [{ name: 'X', context: '/a', endpoint: 'http://x:1', colour: 'red' }] }).errors[0]).toMatch(/^apis\[0\]/);
  });

  it('refuses two APIs on one context', () => {
    const result = validateApiConfig({ apis: [{ name: 'A', context: '/a', endpoint: 'http://a:1' }, { name: 'B', context: '/a', endpoint: 'http://b:1' }] });
    expect(result.errors).toEqual([expect.stringMatching(/^apis\[1\]\.context: '\/a' is also used by apis\[0\]/)]);
  });
});

describe('the WSO2 API body', () => {
  const config = validateApiConfig({
    apis: [
      { name: 'Profile', context: '/api/profile', endpoint: 'http://profile:8000' },
      { name: 'Events', kind: 'websocket', context: '/ws/events', endpoint: 'ws://events:8000' },
      { name: 'Assistant', kind: 'llm', context: '/api/assistant', endpoint: 'http://llm:8000' },
    ],
  }).value!;

  it('is the default version, with an endpointConfig object, security, CORS, throttling, visibility and every method', () => {
    const body = toWso2Api(config.apis[0]!);
    expect(body).toMatchObject({
      isDefaultVersion: true,
      type: 'HTTP',
      securityScheme: ['oauth2', 'api_key'],
      apiThrottlingPolicy: 'Unlimited',
      visibility: 'PUBLIC',
      corsConfiguration: { corsConfigurationEnabled: true },
      endpointConfig: { endpoint_type: 'http', production_endpoints: { url: 'http://profile:8000' }, sandbox_endpoints: { url: 'http://profile:8000' } },
    });
    expect((body['operations'] as Array<{ verb: string }>).map((operation) => operation.verb)).toEqual(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
  });

  it('makes WebSocket APIs WS with SUBSCRIBE on /* and AsyncUnlimited', () => {
    expect(toWso2Api(config.apis[1]!)).toMatchObject({ type: 'WS', policies: ['AsyncUnlimited'], operations: [{ target: '/*', verb: 'SUBSCRIBE' }] });
  });

  it('gives LLM APIs long endpoint timeouts', () => {
    expect(toWso2Api(config.apis[2]!)).toMatchObject({
      type: 'HTTP',
      endpointConfig: { production_endpoints: { config: { actionDuration: '300000', actionSelect: 'fault' } } },
    });
  });

  it('sees no change when WSO2 answers with extra fields, and sees a changed endpoint', () => {
    const body = toWso2Api(config.apis[0]!);
    const current = { ...body, id: 'x', lifeCycleStatus: 'PUBLISHED', operations: (body['operations'] as object[]).map((operation) => ({ ...operation, id: '', scopes: [] })) };
    expect(changedFields(body, current)).toEqual([]);
    expect(changedFields(body, { ...current, endpointConfig: { endpoint_type: 'http', production_endpoints: { url: 'http://old:1' } } })).toEqual(['endpointConfig']);
  });
});
