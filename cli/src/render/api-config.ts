import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Service, Topology } from '../topology/schema.js';

/** The api-config.yaml entry innover proposes for a service. */
export interface ServiceApiEntry {
  name: string;
  description: string;
  context: string;
  version: string;
  endpoint: string;
}

/** "rule-engine" → "Rule Engine", unless the topology names it. */
function displayName(service: Service): string {
  return service.displayName ?? service.name.split('-').map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join(' ');
}

export function serviceApiEntry(service: Service): ServiceApiEntry {
  const name = displayName(service);
  return {
    name,
    description: `${name} service (innover)`,
    context: service.apiContext ?? `/api/${service.name}`,
    version: '1.0.0',
    endpoint: `http://${service.name}:${service.port}`,
  };
}

const header = `# WSO2 API Manager: the APIs \`innover publish-apis\` creates, deploys and publishes.
# This file is yours: \`innover generate\` writes it once, then only appends the APIs of services
# added to the topology, keeping your entries and comments.
#
# Each API is the default version, so the gateway serves it without a version segment:
#   https://localhost:8243/api/profile/health
# Per API (defaults in brackets): kind [rest] | graphql | websocket | llm, description, version
# [1.0.0], security [oauth2, api_key], cors, throttlingPolicy [Unlimited], subscriptionPolicies
# [Unlimited; AsyncUnlimited for websocket], visibility [PUBLIC] | PRIVATE | RESTRICTED (with
# visibleRoles), tags, operations [every HTTP method on /*], timeouts.readMs (llm: 300000).
`;

function entryYaml(entry: ServiceApiEntry): string {
  return [
    `  - name: ${entry.name}`,
    `    kind: rest`,
    `    description: ${entry.description}`,
    `    context: ${entry.context}`,
    `    version: ${entry.version}`,
    `    endpoint: ${entry.endpoint}`,
    `    security: [oauth2, api_key]`,
    `    cors:`,
    `      enabled: true`,
    `      allowOrigins: ['*']`,
    `    throttlingPolicy: Unlimited`,
    `    subscriptionPolicies: [Unlimited]`,
    `    visibility: PUBLIC`,
    `    operations:`,
    `      - target: /*`,
    `        verbs: [GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS]`,
    '',
  ].join('\n');
}

const examples = `
  # The other API kinds, ready to uncomment.
  #
  # GraphQL: the schema file is relative to this file.
  # - name: Accounts Graph
  #   kind: graphql
  #   context: /api/graph
  #   endpoint: http://accounts-graph:8000/graphql
  #   schemaFile: schemas/accounts.graphql
  #
  # WebSocket: a ws:// backend; subscriptions use the AsyncUnlimited tier.
  # - name: Payment Events
  #   kind: websocket
  #   context: /ws/payments
  #   endpoint: ws://payment:8000/events
  #
  # AI/LLM: plain HTTP with long endpoint timeouts (LLMs answer slowly).
  # - name: Assistant
  #   kind: llm
  #   context: /api/assistant
  #   endpoint: http://llm-proxy:8000
  #   timeouts:
  #     readMs: 300000
  #   throttlingPolicy: 10KPerMin
`;

/** The comment above the APIs generate appends to the user's file (`remove service` drops it with the last of them). */
export const appendedApisComment = '# added by innover generate for new services';

/**
 * Renders wso2/api-config.yaml. The file belongs to the user: with no existing text, the full
 * default file (one REST API per service, commented examples of the other kinds); otherwise the
 * existing text with only the APIs of services it does not mention yet appended, leaving the
 * user's entries and comments as they were. A service counts as mentioned when an entry has its
 * context or its endpoint host.
 */
export function renderApiConfig(topology: Topology, existing: string | undefined): string {
  const entries = topology.services.map(serviceApiEntry);
  if (existing === undefined) {
    return `${header}\nvhost: localhost\nmaxRevisions: 5\n\napis:\n${entries.map(entryYaml).join('\n')}${examples}`;
  }
  const document = parseDocument(existing);
  const apis = isMap(document.contents) ? document.contents.get('apis') : undefined;
  const listed: unknown[] = isSeq(apis) ? apis.toJSON() : [];
  const contexts = new Set<string>();
  const hosts = new Set<string>();
  for (const item of listed) {
    if (!item || typeof item !== 'object') continue;
    const record = item as Record<string, unknown>;
    if (typeof record['context'] === 'string') contexts.add(record['context']);
    if (typeof record['endpoint'] === 'string') {
      try {
        hosts.add(new URL(record['endpoint']).hostname);
      } catch {
        // A bad URL is the validator's to report, not the renderer's.
      }
    }
  }
  const missing = topology.services.filter((service) => {
    const entry = serviceApiEntry(service);
    return !contexts.has(entry.context) && !hosts.has(service.name);
  });
  if (missing.length === 0) return existing;
  const appended = missing.map((service) => entryYaml(serviceApiEntry(service))).join('\n');
  const base = existing.endsWith('\n') ? existing : `${existing}\n`;
  if (isSeq(apis) && apis.items.length > 0) {
    // Appending text (not re-serialising the document) keeps every comment and quote as written.
    // The new entries go at the end of the file, which is inside `apis:` when it is the last key.
    const lastKey = isMap(document.contents) ? document.contents.items.at(-1)?.key : undefined;
    const apisLast = isScalar(lastKey) && lastKey.value === 'apis';
    if (apisLast) return `${base}\n  ${appendedApisComment}\n${appended}`;
  }
  if (!isSeq(apis)) {
    if (isMap(document.contents) && document.contents.has('apis')) {
      // `apis:` with nothing (null) under it: replace that line.
      return base.replace(/^apis:\s*(\[\s*\])?\s*$/m, `apis:\n${appended}`);
    }
    return `${base}\napis:\n${appended}`;
  }
  // `apis` is not the last key: re-serialise through the document, which keeps comments.
  for (const service of missing) {
    const entry = serviceApiEntry(service);
    (apis as { add(value: unknown): void }).add(document.createNode({ name: entry.name, kind: 'rest', description: entry.description, context: entry.context, version: entry.version, endpoint: entry.endpoint }));
  }
  return document.toString();
}
