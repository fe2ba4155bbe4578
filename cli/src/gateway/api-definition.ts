import type { ApiEntry } from './api-config-schema.js';

/**
 * The WSO2 Publisher v4 `API` body for one api-config.yaml entry. Pure. Every API is the default
 * version, so the gateway serves it without a version segment (`/api/profile/health`).
 */
export function toWso2Api(entry: ApiEntry): Record<string, unknown> {
  const body: Record<string, unknown> = {
    name: entry.name,
    description: entry.description,
    context: entry.context,
    version: entry.version,
    isDefaultVersion: true,
    type: wso2Type(entry),
    transport: entry.kind === 'websocket' ? ['ws', 'wss'] : ['http', 'https'],
    tags: entry.tags,
    policies: entry.subscriptionPolicies,
    apiThrottlingPolicy: entry.throttlingPolicy,
    securityScheme: entry.security,
    visibility: entry.visibility,
    visibleRoles: entry.visibility === 'RESTRICTED' ? entry.visibleRoles : [],
    corsConfiguration: {
      corsConfigurationEnabled: entry.cors.enabled,
      accessControlAllowOrigins: entry.cors.allowOrigins,
      accessControlAllowCredentials: entry.cors.allowCredentials,
      accessControlAllowHeaders: entry.cors.allowHeaders,
      accessControlAllowMethods: entry.cors.allowMethods,
    },
    endpointConfig: endpointConfig(entry),
  };
  // GraphQL operations come from the schema; sending a list (even empty) would replace them.
  if (entry.kind !== 'graphql') body['operations'] = operations(entry);
  return body;
}

function wso2Type(entry: ApiEntry): string {
  switch (entry.kind) {
    case 'graphql':
      return 'GRAPHQL';
    case 'websocket':
      return 'WS';
    default:
      return 'HTTP';
  }
}

/** `endpointConfig` is a JSON object, never a string (the spec says object; WSO2 4.x agrees). */
function endpointConfig(entry: ApiEntry): Record<string, unknown> {
  const endpoint: Record<string, unknown> = { url: entry.endpoint };
  const timeouts = entry.kind === 'rest' || entry.kind === 'llm' ? entry.timeouts : undefined;
  if (timeouts) {
    // Synapse endpoint settings: wait this long, then fail the call (never suspend the endpoint
    // for a slow answer, which LLMs give routinely).
    endpoint['config'] = { actionDuration: String(timeouts.readMs), actionSelect: 'fault' };
  }
  return {
    endpoint_type: entry.kind === 'websocket' ? 'ws' : 'http',
    production_endpoints: endpoint,
    sandbox_endpoints: endpoint,
  };
}

function operations(entry: Exclude<ApiEntry, { kind: 'graphql' }>): Array<Record<string, unknown>> {
  if (entry.kind === 'websocket') return [{ target: '/*', verb: 'SUBSCRIBE', authType: 'Any', throttlingPolicy: 'Unlimited' }];
  return entry.operations.flatMap((operation) =>
    operation.verbs.map((verb) => ({
      target: operation.target,
      verb,
      authType: operation.authType,
      throttlingPolicy: operation.throttlingPolicy,
    })),
  );
}

/** Fields a PUT must never change: WSO2 ignores them, and a context change needs a new API. */
const immutable = new Set(['name', 'version', 'context']);

/**
 * The top-level fields of `desired` whose value differs from `current`. Only what innover sets is
 * compared, and only the parts it sets, so fields WSO2 adds (ids, timestamps, defaults) do not
 * count as drift.
 */
export function changedFields(desired: Record<string, unknown>, current: Record<string, unknown>): string[] {
  return Object.keys(desired).filter((key) => {
    if (immutable.has(key)) return false;
    return !covers(current[key], desired[key]);
  });
}

/** True when `actual` holds everything in `wanted` (objects: by key; arrays: same length, in any order). */
function covers(actual: unknown, wanted: unknown): boolean {
  if (Array.isArray(wanted)) {
    if (!Array.isArray(actual) || actual.length !== wanted.length) return false;
    const remaining: unknown[] = [...(actual as unknown[])];
    return wanted.every((item) => {
      const index = remaining.findIndex((candidate) => covers(candidate, item));
      if (index < 0) return false;
      remaining.splice(index, 1);
      return true;
    });
  }
  if (wanted && typeof wanted === 'object') {
    if (!actual || typeof actual !== 'object') return false;
    return Object.entries(wanted).every(([key, value]) => covers((actual as Record<string, unknown>)[key], value));
  }
  if (wanted === '' && (actual === undefined || actual === null)) return true;
  return actual === wanted;
}
