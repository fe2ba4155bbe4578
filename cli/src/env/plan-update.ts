import { parseDotenv } from './parse.js';
import { isPlaceholder } from './schema.js';

/** What `innover init` does to an existing `.env`: the new text and the keys it touched. */
export interface EnvUpdate {
  /** The new `.env` text; equal to the input when nothing changed. */
  text: string;
  /** Secrets whose placeholder (or empty) value got a fresh random one, in file order. */
  replaced: string[];
  /** Keys appended because a template has them and `.env` does not, in template order. */
  added: string[];
  /** Every key that got a fresh random value: `replaced` plus the added secrets. */
  generated: string[];
  /** Non-secret keys whose value the validator refuses, set to the template's value (e.g. an endpoint that moved). */
  refreshed: string[];
}

export interface EnvUpdateOptions {
  /** Keys whose values innover generates (placeholders are replaced, new ones drawn). */
  generatedKeys: ReadonlySet<string>;
  random: () => string;
  /**
   * True when the validator refuses `value` for `key`. A non-generated key whose value it refuses is
   * set to the last template's value when that one is accepted: the built-in template follows the
   * topology, so an endpoint that moved (Keycloak under /auth) is carried over instead of left broken.
   */
  refused?: (key: string, value: string) => boolean;
}

const assignment = /^(\s*(?:export\s+)?)([A-Za-z_][A-Za-z0-9_]*)(\s*=\s*)(.*?)(\s*)$/;

/**
 * Plans the update of an existing `.env` from its templates (`.env.example` first, then the
 * built-in one for keys a stale `.env.example` lacks). Pure given `random`.
 *
 * - A generated secret whose value is a placeholder (as the validator calls one) or empty gets a
 *   fresh value; only the value changes on that line (prefix, quotes and trailing comment stay).
 * - Every other byte of the file is kept: real values, comments, order, unknown keys, line endings.
 * - Keys a template has and `.env` lacks are appended with the template's comment, a fresh secret
 *   for generated keys and the template's value for the others.
 */
export function planEnvUpdate(current: string, templates: readonly string[], options: EnvUpdateOptions): EnvUpdate {
  const newline = current.includes('\r\n') ? '\r\n' : '\n';
  const lines = current.split('\n');
  const values = parseDotenv(current).values;

  // The line that defines each key's effective value: the last one, as Compose reads it.
  const definingLine = new Map<string, number>();
  lines.forEach((line, index) => {
    const match = assignment.exec(line.replace(/\r$/, ''));
    if (match) definingLine.set(match[2]!, index);
  });

  const replaced: string[] = [];
  for (const [key, index] of [...definingLine].sort((left, right) => left[1] - right[1])) {
    const value = values[key];
    if (!options.generatedKeys.has(key) || value === undefined || (value !== '' && !isPlaceholder(value))) continue;
    lines[index] = withValue(lines[index]!, options.random());
    replaced.push(key);
  }

  const refreshed: string[] = [];
  const authoritative = templates.length > 0 ? new Map(templateEntries(templates[templates.length - 1]!).map((entry) => [entry.key, entry.value])) : new Map<string, string>();
  for (const [key, index] of [...definingLine].sort((left, right) => left[1] - right[1])) {
    const value = values[key];
    const offered = authoritative.get(key);
    if (!options.refused || options.generatedKeys.has(key) || value === undefined || offered === undefined) continue;
    if (offered === value || !options.refused(key, value) || options.refused(key, offered)) continue;
    lines[index] = withValue(lines[index]!, offered);
    refreshed.push(key);
  }

  const added: string[] = [];
  const generated = [...replaced];
  const appended: string[] = [];
  const present = new Set(Object.keys(values));
  for (const template of templates) {
    for (const entry of templateEntries(template)) {
      if (present.has(entry.key)) continue;
      present.add(entry.key);
      const secret = options.generatedKeys.has(entry.key);
      if (entry.comments.length > 0 || appended.length === 0) appended.push('');
      appended.push(...entry.comments, `${entry.key}=${secret ? options.random() : entry.value}`);
      added.push(entry.key);
      if (secret) generated.push(entry.key);
    }
  }

  let text = lines.join('\n');
  if (appended.length > 0) {
    if (text !== '' && !text.endsWith('\n')) text += newline;
    if (text === '') appended.shift();
    text += appended.map((line) => `${line}${newline}`).join('');
  }
  return { text, replaced, added, generated, refreshed };
}

/** A key line of a template, with the comment lines right above it. */
interface TemplateEntry {
  key: string;
  /** The value as written (quotes kept). */
  value: string;
  comments: string[];
}

function templateEntries(template: string): TemplateEntry[] {
  const entries: TemplateEntry[] = [];
  let comments: string[] = [];
  for (const raw of template.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('#')) {
      // The generated-file header belongs to .env.example, not to .env.
      if (!line.startsWith('# generated by innover')) comments.push(line);
      continue;
    }
    const match = assignment.exec(line);
    if (match) entries.push({ key: match[2]!, value: match[4]!, comments });
    comments = [];
  }
  return entries;
}

/** The line with its value replaced, keeping the prefix, the quotes and a trailing ` # comment`. */
function withValue(line: string, value: string): string {
  const carriageReturn = line.endsWith('\r') ? '\r' : '';
  const match = assignment.exec(line.slice(0, line.length - carriageReturn.length))!;
  const [, prefix, key, equals, raw, trailing] = match;
  const quote = raw![0];
  let replacement: string;
  // Quoted exactly as parseDotenv unquotes: the whole value between one pair of quotes.
  if ((quote === '"' || quote === "'") && raw!.length >= 2 && raw!.endsWith(quote)) {
    replacement = `${quote}${value}${quote}`;
  } else {
    const comment = /\s+#.*$/.exec(raw!)?.[0] ?? '';
    replacement = `${value}${comment}`;
  }
  return `${prefix}${key}${equals}${replacement}${trailing}${carriageReturn}`;
}
