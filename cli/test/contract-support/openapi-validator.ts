import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

/** Where the official specs live: vendored at contracts/ (see contracts/README.md). */
export const contractsDirectory = new URL('../../../contracts/', import.meta.url);

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => void;

type Json = Record<string, unknown>;

export interface MatchedOperation {
  template: string;
  operation: Json;
  pathParams: Record<string, string>;
}

export interface RequestToValidate {
  method: string;
  /** Path below the spec's base path, e.g. `/apis/123`. */
  path: string;
  query: URLSearchParams;
  contentType?: string;
  /** Parsed JSON, or for multipart/form the fields as an object. */
  body?: unknown;
}

/**
 * One OpenAPI 3 document turned into request validators. Object schemas with declared properties
 * get `additionalProperties: false` (unless the spec says otherwise or they take part in allOf),
 * so a misspelt or unknown field is a violation, not silently accepted.
 */
export class OpenApiSpec {
  private readonly ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly routes: Array<{ template: string; pattern: RegExp; names: string[] }>;
  readonly doc: Json;

  constructor(
    readonly name: string,
    file: string,
  ) {
    const raw = JSON.parse(readFileSync(new URL(file, contractsDirectory), 'utf8')) as Json;
    this.doc = prepare(raw, name);
    addFormats(this.ajv);
    for (const format of ['int32', 'int64', 'float', 'double', 'byte', 'binary', 'password']) this.ajv.addFormat(format, true);
    this.ajv.addSchema(this.doc, name);
    const paths = Object.keys(this.doc['paths'] as Json);
    this.routes = paths
      .map((template) => {
        const names: string[] = [];
        const pattern = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([^}]+)\}/g, (_, name: string) => (names.push(name), '([^/]+)'))}$`);
        return { template, pattern, names };
      })
      // Literal segments beat parameters: /apis/change-lifecycle before /apis/{apiId}.
      .sort((left, right) => left.names.length - right.names.length);
  }

  /** The operation for method and path; `undefined` when the spec has no such path or method. */
  match(method: string, path: string): MatchedOperation | undefined {
    for (const route of this.routes) {
      const found = route.pattern.exec(path);
      if (!found) continue;
      const item = (this.doc['paths'] as Json)[route.template] as Json;
      const operation = item[method.toLowerCase()] as Json | undefined;
      if (!operation) continue;
      const pathParams: Record<string, string> = {};
      route.names.forEach((name, index) => (pathParams[name] = decodeURIComponent(found[index + 1] ?? '')));
      const parameters = [...((item['parameters'] as Json[] | undefined) ?? []), ...((operation['parameters'] as Json[] | undefined) ?? [])];
      return { template: route.template, operation: { ...operation, parameters }, pathParams };
    }
    return undefined;
  }

  /** Every way the request breaks the spec; empty when it conforms. */
  validateRequest(request: RequestToValidate): { errors: string[]; matched?: MatchedOperation } {
    const matched = this.match(request.method, request.path);
    if (!matched) return { errors: [`${this.name}: no operation ${request.method} ${request.path}`] };
    const errors: string[] = [];
    const parameters = (matched.operation['parameters'] as Json[]).map((parameter) => this.resolve(parameter));
    for (const parameter of parameters) {
      const name = String(parameter['name']);
      const where = parameter['in'];
      if (where === 'path') {
        const value = matched.pathParams[name];
        if (value === undefined) continue;
        errors.push(...this.check(parameter['schema'] as Json, coerce(value, parameter['schema'] as Json), `path parameter ${name}`));
      }
      if (where === 'query') {
        const value = request.query.get(name);
        if (value === null) {
          if (parameter['required'] === true) errors.push(`missing required query parameter ${name}`);
          continue;
        }
        errors.push(...this.check(parameter['schema'] as Json, coerce(value, parameter['schema'] as Json), `query parameter ${name}`));
      }
    }
    const known = new Set(parameters.filter((parameter) => parameter['in'] === 'query').map((parameter) => String(parameter['name'])));
    for (const key of request.query.keys()) if (!known.has(key)) errors.push(`query parameter ${key} is not in the spec`);

    const requestBody = matched.operation['requestBody'] ? this.resolve(matched.operation['requestBody'] as Json) : undefined;
    if (!requestBody) {
      if (request.body !== undefined) errors.push('a body was sent, but the operation takes none');
      return { errors, matched };
    }
    if (request.body === undefined) {
      if (requestBody['required'] === true) errors.push('the required body is missing');
      return { errors, matched };
    }
    const content = requestBody['content'] as Record<string, { schema?: Json }>;
    const type = (request.contentType ?? '').split(';')[0]?.trim() ?? '';
    const media = content[type];
    if (!media) {
      errors.push(`content type ${type || '(none)'} is not one of ${Object.keys(content).join(', ')}`);
      return { errors, matched };
    }
    // A `string`/`binary` JSON body means raw bytes (Keycloak's POST /admin/realms reads the realm
    // as a stream); the server validates such bodies against the representation it expects.
    const raw = media.schema?.['type'] === 'string' && media.schema['format'] === 'binary' && type === 'application/json';
    if (media.schema && !raw) errors.push(...this.check(media.schema, request.body, 'body'));
    return { errors, matched };
  }

  /** Validates a value against `#/components/schemas/<name>`. */
  validateSchema(schemaName: string, value: unknown): string[] {
    return this.check({ $ref: `${this.name}#/components/schemas/${schemaName}` }, value, schemaName);
  }

  private check(schema: Json, value: unknown, label: string): string[] {
    const key = JSON.stringify(schema);
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile(schema);
      this.compiled.set(key, validate);
    }
    if (validate(value)) return [];
    return (validate.errors ?? []).map((error) => `${label}${error.instancePath}: ${error.message ?? 'invalid'}${error.params && 'additionalProperty' in error.params ? ` (${String(error.params['additionalProperty'])})` : ''}`);
  }

  private resolve(node: Json): Json {
    let current = node;
    while (typeof current['$ref'] === 'string') {
      const pointer = (current['$ref']).replace(/^[^#]*#\//, '').split('/');
      let target: unknown = this.doc;
      for (const part of pointer) target = (target as Json)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
      current = target as Json;
    }
    return current;
  }
}

function coerce(value: string, schema: Json | undefined): unknown {
  const type = schema?.['type'];
  if (type === 'integer' || type === 'number') return value.trim() !== '' && !Number.isNaN(Number(value)) ? Number(value) : value;
  if (type === 'boolean') return value === 'true' ? true : value === 'false' ? false : value;
  return value;
}

/** Deep copy with refs made absolute (so inline schemas compile alone) and objects closed. */
function prepare(doc: Json, name: string): Json {
  const inAllOf = new Set<string>();
  const scan = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(scan);
    if (!node || typeof node !== 'object') return;
    const record = node as Json;
    if (Array.isArray(record['allOf'])) {
      for (const member of record['allOf'] as Json[]) if (typeof member['$ref'] === 'string') inAllOf.add(member['$ref']);
    }
    Object.values(record).forEach(scan);
  };
  scan(doc);
  const copy = (node: unknown, parentKey: string | undefined, path: string): unknown => {
    if (Array.isArray(node)) return node.map((item, index) => copy(item, parentKey === 'allOf' ? 'allOf-member' : undefined, `${path}/${index}`));
    if (!node || typeof node !== 'object') return node;
    const record = node as Json;
    const out: Json = {};
    for (const [key, value] of Object.entries(record)) {
      if (key === '$ref' && typeof value === 'string') out[key] = value.startsWith('#') ? `${name}${value}` : value;
      else if (key === 'example' || key === 'examples' || key === 'discriminator') continue;
      else out[key] = copy(value, key, `${path}/${key}`);
    }
    const properties = record['properties'];
    const closable =
      properties && typeof properties === 'object' && Object.keys(properties).length > 0 && record['additionalProperties'] === undefined && parentKey !== 'allOf-member' && !inAllOf.has(`#${path}`) && !record['allOf'];
    if (closable && path.includes('/schemas') ) out['additionalProperties'] = false;
    if (closable && (path.includes('/content/') || path.includes('/requestBody'))) out['additionalProperties'] = false;
    return out;
  };
  return copy(doc, undefined, '') as Json;
}
