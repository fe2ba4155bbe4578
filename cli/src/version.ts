import { readFileSync } from 'node:fs';

/** The CLI's version, from the root package.json (one source of truth for the release). */
export const version: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
