import type { OpenIdConfiguration } from '../clients/keycloak-client.js';
import { wso2ClientId } from './realm-model.js';

/** The key manager's name in WSO2; publish-apis maps application keys through it. */
export const keyManagerName = 'Keycloak';

export interface KeyManagerInput {
  realm: string;
  wellKnown: OpenIdConfiguration;
  /** Keycloak as WSO2 reaches it inside the network, e.g. http://keycloak:8080. */
  internalUrl: string;
  clientSecret: string;
}

/**
 * The WSO2 Admin v4 KeyManager body for Keycloak. Pure. `issuer` is the well-known's own (the
 * fixed public hostname every token carries); the URLs WSO2 calls itself are rebased on the
 * in-network URL, since `localhost` inside the WSO2 container is WSO2. The authorize endpoint is
 * opened by browsers, so it stays public.
 */
export function keyManagerBody(input: KeyManagerInput): Record<string, unknown> {
  const internal = input.internalUrl.replace(/\/$/, '');
  const rebase = (url: string) => `${internal}${new URL(url).pathname}`;
  const realmBase = `${internal}/realms/${encodeURIComponent(input.realm)}`;
  const known = input.wellKnown;
  return {
    name: keyManagerName,
    displayName: 'Keycloak',
    type: 'KeyCloak',
    description: `Keycloak realm ${input.realm} (configured by innover)`,
    enabled: true,
    wellKnownEndpoint: `${realmBase}/.well-known/openid-configuration`,
    issuer: known.issuer,
    tokenEndpoint: rebase(known.token_endpoint),
    displayTokenEndpoint: known.token_endpoint,
    introspectionEndpoint: known.introspection_endpoint ? rebase(known.introspection_endpoint) : `${realmBase}/protocol/openid-connect/token/introspect`,
    revokeEndpoint: known.revocation_endpoint ? rebase(known.revocation_endpoint) : `${realmBase}/protocol/openid-connect/revoke`,
    displayRevokeEndpoint: known.revocation_endpoint ?? `${known.issuer}/protocol/openid-connect/revoke`,
    userInfoEndpoint: known.userinfo_endpoint ? rebase(known.userinfo_endpoint) : `${realmBase}/protocol/openid-connect/userinfo`,
    authorizeEndpoint: known.authorization_endpoint,
    clientRegistrationEndpoint: `${realmBase}/clients-registrations/openid-connect`,
    certificates: { type: 'JWKS', value: rebase(known.jwks_uri) },
    consumerKeyClaim: 'azp',
    scopesClaim: 'scope',
    availableGrantTypes: ['client_credentials', 'password', 'refresh_token', 'authorization_code'],
    enableTokenGeneration: true,
    enableMapOAuthConsumerApps: true,
    enableOAuthAppCreation: true,
    enableSelfValidationJWT: true,
    tokenType: 'DIRECT',
    additionalProperties: { client_id: wso2ClientId, client_secret: input.clientSecret, self_validate_jwt: true },
  };
}
