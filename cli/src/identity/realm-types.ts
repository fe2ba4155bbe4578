/**
 * The subset of Keycloak 26's admin representations innover writes or reads. Field names and
 * types follow RealmRepresentation and friends in the Keycloak 26.6.0 admin OpenAPI spec; the
 * realm test validates the rendered file against that spec, so a misspelt field fails there.
 */

export interface ProtocolMapper {
  name: string;
  protocol: 'openid-connect';
  protocolMapper: string;
  consentRequired?: boolean;
  config: Record<string, string>;
}

export interface ClientRepresentation {
  id?: string;
  clientId: string;
  name?: string;
  description?: string;
  enabled?: boolean;
  protocol?: 'openid-connect';
  publicClient?: boolean;
  clientAuthenticatorType?: string;
  secret?: string;
  redirectUris?: string[];
  webOrigins?: string[];
  standardFlowEnabled?: boolean;
  implicitFlowEnabled?: boolean;
  directAccessGrantsEnabled?: boolean;
  serviceAccountsEnabled?: boolean;
  fullScopeAllowed?: boolean;
  attributes?: Record<string, string>;
  protocolMappers?: ProtocolMapper[];
}

export interface ClientScopeRepresentation {
  id?: string;
  name: string;
  description?: string;
  protocol?: string;
  attributes?: Record<string, string>;
}

export interface RoleRepresentation {
  id?: string;
  name: string;
  description?: string;
  composite?: boolean;
  clientRole?: boolean;
}

export interface UserRepresentation {
  id?: string;
  username: string;
  enabled?: boolean;
  email?: string;
  emailVerified?: boolean;
  firstName?: string;
  lastName?: string;
  serviceAccountClientId?: string;
  realmRoles?: string[];
  clientRoles?: Record<string, string[]>;
  requiredActions?: string[];
}

export interface AuthenticationExecution {
  authenticator?: string;
  authenticatorConfig?: string;
  authenticatorFlow?: boolean;
  autheticatorFlow?: boolean;
  requirement: 'REQUIRED' | 'ALTERNATIVE' | 'DISABLED' | 'CONDITIONAL';
  priority: number;
  flowAlias?: string;
  userSetupAllowed?: boolean;
}

export interface AuthenticationFlow {
  alias: string;
  description?: string;
  providerId: string;
  topLevel: boolean;
  builtIn: boolean;
  authenticationExecutions: AuthenticationExecution[];
}

export interface AuthenticatorConfig {
  alias: string;
  config: Record<string, string>;
}

export interface RequiredAction {
  alias: string;
  name: string;
  providerId: string;
  enabled: boolean;
  defaultAction: boolean;
  priority: number;
  config?: Record<string, string>;
}

/** keycloak/realm-export.json: what innover puts in a RealmRepresentation. */
// A type alias, not an interface, so it is assignable to Record<string, unknown> for writers.
export type RealmRepresentation = {
  realm: string;
  displayName?: string;
  enabled: boolean;
  sslRequired?: string;
  accessTokenLifespan?: number;
  attributes?: Record<string, string>;
  roles?: { realm: RoleRepresentation[] };
  clients?: ClientRepresentation[];
  users?: UserRepresentation[];
  authenticationFlows?: AuthenticationFlow[];
  authenticatorConfig?: AuthenticatorConfig[];
  requiredActions?: RequiredAction[];
  browserFlow?: string;
  registrationFlow?: string;
  directGrantFlow?: string;
  resetCredentialsFlow?: string;
  clientAuthenticationFlow?: string;
  dockerAuthenticationFlow?: string;
  firstBrokerLoginFlow?: string;
};
