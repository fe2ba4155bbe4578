import { describe, expect, it } from 'vitest';
import { specs } from '../contract-support/contract-server.js';

// The contract server is only as good as its refusals: these pin what it rejects.
describe('the spec validator', () => {
  const api = { name: 'Profile', context: '/api/profile', version: '1.0.0', endpointConfig: { endpoint_type: 'http', production_endpoints: { url: 'http://profile:8000' } } };

  it('accepts a valid create-API request', () => {
    expect(specs.publisher.validateRequest({ method: 'POST', path: '/apis', query: new URLSearchParams(), contentType: 'application/json', body: api }).errors).toEqual([]);
  });

  it('rejects endpointConfig sent as a string', () => {
    const body = { ...api, endpointConfig: JSON.stringify(api.endpointConfig) };
    expect(specs.publisher.validateRequest({ method: 'POST', path: '/apis', query: new URLSearchParams(), contentType: 'application/json', body }).errors).toEqual([expect.stringContaining('/endpointConfig: must be object')]);
  });

  it('rejects unknown fields, missing required fields, unknown query parameters and bad enums', () => {
    const post = (body: unknown, query = '') => specs.publisher.validateRequest({ method: 'POST', path: '/apis', query: new URLSearchParams(query), contentType: 'application/json', body }).errors;
    expect(post({ ...api, colour: 'red' })).toEqual([expect.stringContaining('(colour)')]);
    expect(post({ name: 'x', version: '1' })).toEqual([expect.stringContaining("must have required property 'context'")]);
    expect(post(api, 'force=true')).toEqual(['query parameter force is not in the spec']);
    expect(post({ ...api, visibility: 'EVERYONE' })).toEqual([expect.stringContaining('/visibility: must be equal to one of the allowed values')]);
  });

  it('rejects a path or method the spec does not have, and a lifecycle change without its required query', () => {
    expect(specs.publisher.validateRequest({ method: 'PATCH', path: '/apis/1', query: new URLSearchParams() }).errors).toEqual([expect.stringContaining('no operation PATCH /apis/1')]);
    expect(specs.publisher.validateRequest({ method: 'POST', path: '/apis/change-lifecycle', query: new URLSearchParams('apiId=1') }).errors).toEqual(['missing required query parameter action']);
    expect(specs.publisher.validateRequest({ method: 'POST', path: '/apis/change-lifecycle', query: new URLSearchParams('apiId=1&action=Go') }).errors).toEqual([expect.stringContaining('query parameter action')]);
  });

  it('rejects a key manager body of the wrong shape', () => {
    const errors = specs.admin.validateRequest({ method: 'POST', path: '/key-managers', query: new URLSearchParams(), contentType: 'application/json', body: { name: 'Keycloak', type: 'KeyCloak', certificates: { type: 'X509', value: 'x' } } }).errors;
    expect(errors).toEqual([expect.stringContaining('/certificates/type')]);
  });
});
