import { z } from 'zod';
import { formatIssues } from '../topology/validate.js';

/**
 * wso2/api-config.yaml: the APIs `innover publish-apis` creates on the WSO2 gateway. The file
 * belongs to the user; `innover generate` only appends the APIs of new services. Every field but
 * name, context and endpoint has a default, so a minimal entry stays three lines long.
 */

export const httpMethods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

const context = z
  .string()
  .regex(/^\/[A-Za-z0-9/_-]*[A-Za-z0-9_-]$/, "use a path such as '/api/profile' (no trailing slash, no version)");

const corsSchema = z.strictObject({
  enabled: z.boolean().default(true),
  allowOrigins: z.array(z.string().min(1)).default(['*']),
  allowCredentials: z.boolean().default(false),
  allowHeaders: z
    .array(z.string().min(1))
    .default(['authorization', 'Access-Control-Allow-Origin', 'Content-Type', 'SOAPAction', 'apikey', 'Internal-Key']),
  allowMethods: z.array(z.enum(httpMethods)).default([...httpMethods]),
});

const operationSchema = z.strictObject({
  target: z.string().regex(/^\//, "start the target with '/', e.g. '/*'"),
  verbs: z.array(z.enum(httpMethods)).min(1).default([...httpMethods]),
  /** None makes the resource public; the default requires an application token or API key. */
  authType: z.enum(['Any', 'Application', 'Application User', 'None']).default('Any'),
  throttlingPolicy: z.string().min(1).default('Unlimited'),
});

const common = {
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/, 'use letters, digits, spaces, dots, dashes and underscores')
    .max(60),
  description: z.string().default(''),
  context,
  version: z.string().regex(/^[A-Za-z0-9._-]+$/, "use a version such as '1.0.0'").default('1.0.0'),
  security: z
    .array(z.enum(['oauth2', 'api_key', 'basic_auth', 'mutualssl']))
    .min(1)
    .default(['oauth2', 'api_key'])
    .describe('WSO2 securityScheme'),
  cors: corsSchema.default(corsSchema.parse({})),
  throttlingPolicy: z.string().min(1).default('Unlimited').describe('API-level throttling policy'),
  visibility: z.enum(['PUBLIC', 'PRIVATE', 'RESTRICTED']).default('PUBLIC'),
  visibleRoles: z.array(z.string().min(1)).default([]),
  tags: z.array(z.string().min(1)).default([]),
};

const timeoutsSchema = z.strictObject({
  /** How long the gateway waits for the backend before giving up. */
  readMs: z.number().int().min(1000).max(3_600_000),
});

const restSchema = z.strictObject({
  kind: z.literal('rest'),
  ...common,
  endpoint: z.url({ protocol: /^https?$/, error: 'use an http(s) URL such as http://profile:8000' }),
  subscriptionPolicies: z.array(z.string().min(1)).min(1).default(['Unlimited']),
  operations: z.array(operationSchema).min(1).default([operationSchema.parse({ target: '/*' })]),
  timeouts: timeoutsSchema.optional(),
});

const graphqlSchema = z.strictObject({
  kind: z.literal('graphql'),
  ...common,
  endpoint: z.url({ protocol: /^https?$/, error: 'use an http(s) URL such as http://graph:8000/graphql' }),
  /** SDL file, relative to api-config.yaml. */
  schemaFile: z.string().min(1),
  subscriptionPolicies: z.array(z.string().min(1)).min(1).default(['Unlimited']),
});

const websocketSchema = z.strictObject({
  kind: z.literal('websocket'),
  ...common,
  endpoint: z.url({ protocol: /^wss?$/, error: 'use a ws(s) URL such as ws://events:8000' }),
  subscriptionPolicies: z.array(z.string().min(1)).min(1).default(['AsyncUnlimited']),
});

const llmSchema = z.strictObject({
  kind: z.literal('llm'),
  ...common,
  endpoint: z.url({ protocol: /^https?$/, error: 'use an http(s) URL such as http://llm:8000' }),
  subscriptionPolicies: z.array(z.string().min(1)).min(1).default(['Unlimited']),
  operations: z.array(operationSchema).min(1).default([operationSchema.parse({ target: '/*' })]),
  /** LLM backends answer slowly: the default read timeout is five minutes. */
  timeouts: timeoutsSchema.default({ readMs: 300_000 }),
});

/** One API on the gateway; `kind` defaults to rest. */
export const apiEntrySchema = z.preprocess(
  (value) => (value && typeof value === 'object' && !('kind' in value) ? { ...value, kind: 'rest' } : value),
  z.discriminatedUnion('kind', [restSchema, graphqlSchema, websocketSchema, llmSchema]),
);

export const apiConfigSchema = z.strictObject({
  /** Gateway environment to deploy to (default: the first from the admin API, else Default). */
  gatewayEnvironment: z.string().min(1).optional(),
  /** Virtual host of the deployment. */
  vhost: z.string().min(1).default('localhost'),
  /** Revisions kept per API; older undeployed ones are deleted (WSO2 caps them at 5). */
  maxRevisions: z.number().int().min(1).max(5).default(5),
  apis: z.array(apiEntrySchema).default([]),
});

export type ApiEntry = z.infer<typeof apiEntrySchema>;
export type ApiConfig = z.infer<typeof apiConfigSchema>;

/** Validation result: the config, or one line per problem with its YAML path. */
export type ApiConfigResult = { value: ApiConfig; errors: [] } | { value: undefined; errors: string[] };

/** Validates parsed YAML; errors name the path, e.g. `apis[2].endpoint: use an http(s) URL ...`. */
export function validateApiConfig(input: unknown): ApiConfigResult {
  const result = apiConfigSchema.safeParse(input ?? {});
  if (result.success) {
    const errors = duplicates(result.data);
    return errors.length > 0 ? { value: undefined, errors } : { value: result.data, errors: [] };
  }
  return {
    value: undefined,
    errors: formatIssues(result.error.issues),
  };
}

function duplicates(config: ApiConfig): string[] {
  const errors: string[] = [];
  const names = new Map<string, number>();
  const contexts = new Map<string, number>();
  config.apis.forEach((api, index) => {
    const name = names.get(`${api.name}:${api.version}`);
    if (name !== undefined) errors.push(`apis[${index}].name: '${api.name}' ${api.version} is also apis[${name}]; give each API its own name`);
    names.set(`${api.name}:${api.version}`, index);
    const other = contexts.get(api.context);
    if (other !== undefined) errors.push(`apis[${index}].context: '${api.context}' is also used by apis[${other}]; give each API its own context`);
    contexts.set(api.context, index);
  });
  return errors;
}
