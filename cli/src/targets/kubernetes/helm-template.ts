import { stringify } from 'yaml';

/**
 * Helm template expressions inside plain manifest objects. A manifest is rendered as data, with
 * the values-driven parts as tokens; `stringifyTemplate` writes it as YAML and swaps each token
 * for its `{{ … }}`. The tokens carry the expression base64url-encoded, so they are plain YAML
 * scalars the stringifier never quotes, and rendering stays pure (no registry of expressions).
 */
const inlinePrefix = '__helm_';
const blockPrefix = '__helmblock_';
const suffix = '__';

function encode(expression: string): string {
  return Buffer.from(expression, 'utf8').toString('base64url');
}

function decode(token: string): string {
  return Buffer.from(token, 'base64url').toString('utf8');
}

/**
 * A scalar rendered by Helm: `{{ expression }}`. Typed as whatever the field expects (a number
 * for `replicas`, a string for an image), since the manifest types cannot know it is a template.
 */
export function helmValue<T = string>(expression: string): T {
  return `${inlinePrefix}${encode(expression)}${suffix}` as T;
}

/** A whole YAML value rendered by Helm: `key: {{- toYaml (expression) | nindent N }}`. */
export function helmBlock<T>(expression: string): T {
  return `${blockPrefix}${encode(expression)}${suffix}` as T;
}

const blockLine = new RegExp(`^(\\s*)((?:- )?)([^\\s:][^:]*): ${blockPrefix}([A-Za-z0-9_-]+)${suffix}$`, 'gm');
const inlineToken = new RegExp(`${inlinePrefix}([A-Za-z0-9_-]+)${suffix}`, 'g');

/** True when a manifest string is one of the tokens above. */
export function isHelmToken(value: string): boolean {
  return value.startsWith(inlinePrefix) || value.startsWith(blockPrefix);
}

/**
 * Strings from the plan must not carry `{{`: Helm would read them as template actions. They
 * never do today; this keeps it so (a config file with `{{` goes through `.Files.Get` instead).
 */
function assertNoTemplateText(value: unknown, path: string): void {
  if (typeof value === 'string') {
    if (value.includes('{{')) throw new Error(`${path}: '{{' would be read by Helm as a template action`);
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => assertNoTemplateText(item, `${path}[${index}]`));
  } else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) assertNoTemplateText(item, `${path}.${key}`);
  }
}

/** The YAML of a template file: documents separated by `---`, the tokens as Helm expressions. */
export function stringifyTemplate(documents: readonly unknown[]): string {
  documents.forEach((document, index) => assertNoTemplateText(document, `document ${index}`));
  const text = documents.map((document) => stringify(document, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
  return text
    .replace(blockLine, (_line, indent: string, dash: string, key: string, token: string) => {
      const depth = indent.length + dash.length + 2;
      return `${indent}${dash}${key}: {{- toYaml (${decode(token)}) | nindent ${depth} }}`;
    })
    .replace(inlineToken, (_token, encoded: string) => `{{ ${decode(encoded)} }}`);
}
