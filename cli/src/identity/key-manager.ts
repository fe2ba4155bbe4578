import type { OpenIdConfiguration } from '../clients/keycloak-client.js';
import { wso2ClientId } from './realm-model.js';

/** The key manager's name in WSO2; publish-apis maps application keys through it. */
export const keyManagerName = 'Keycloak';

export interface KeyManagerInput {
  realm: string;
  wellKnown: OpenIdConfiguration;
  /** Keycloak as WSO2 reaches it inside the network, e.g. http://keycloak:8080/auth. */
  internalUrl: string;
  clientSecret: string;
}

/**
 * The WSO2 Admin v4 KeyManager body for Keycloak. Pure. `issuer` is the well-known's own (the
 * fixed public URL every token carries, e.g. http://localhost/auth/realms/innover); the URLs
 * WSO2 calls itself are rebased from that public base onto the in-network URL (both end in
 * Keycloak's /auth), since `localhost` inside the WSO2 container is WSO2. The authorize endpoint
 * is opened by browsers, so it stays public.
 */
export function keyManagerBody(input: KeyManagerInput): Record<string, unknown> {
  const internal = input.internalUrl.replace(/\/$/, '');
  const known = input.wellKnown;
  // The public base: the issuer without /realms/<realm>, e.g. http://localhost/auth.
  const realmSuffix = `/realms/${encodeURIComponent(input.realm)}`;
  const publicBase = known.issuer.endsWith(realmSuffix) ? known.issuer.slice(0, -realmSuffix.length) : new URL(known.issuer).origin;
  const rebase = (url: string) => (url.startsWith(`${publicBase}/`) ? `${internal}${url.slice(publicBase.length)}` : `${internal}${new URL(url).pathname}`);
  const realmBase = `${internal}${realmSuffix}`;
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
