import { describe, expect, it } from 'vitest';
import { renderRealm } from '../../src/render/realm.js';
import { specs } from '../contract-support/contract-server.js';
import { topology } from '../contract-support/harness.js';

describe('keycloak/realm-export.json against RealmRepresentation (Keycloak 26.6.0 admin OpenAPI)', () => {
  it('has no unknown fields and the right types', () => {
    expect(specs.keycloak.validateSchema('RealmRepresentation', renderRealm(topology))).toEqual([]);
  });

  it('the check has teeth: an unknown field or a wrong type is refused', () => {
    const realm = JSON.parse(JSON.stringify(renderRealm(topology))) as Record<string, unknown> & { clients: Array<Record<string, unknown>> };
    realm.clients[0]!['secrett'] = 'typo';
    realm['enabled'] = 'yes';
    const errors = specs.keycloak.validateSchema('RealmRepresentation', realm);
    expect(errors).toEqual(expect.arrayContaining([expect.stringContaining('(secrett)'), expect.stringMatching(/\/enabled: must be boolean/)]));
  });

  it('agrees with a real Keycloak 26 export in shape: the flows innover copies validate too', async () => {
    const { defaultAuthenticationFlows } = await import('../../src/identity/default-flows.js');
    for (const flow of defaultAuthenticationFlows) expect(specs.keycloak.validateSchema('AuthenticationFlowRepresentation', flow)).toEqual([]);
  });
});
