/** What forex reads from its environment beyond the kit's configuration. */
export interface ForexSettings {
  /** How long a quote is valid: QUOTE_TTL_SECONDS, 60 by default. */
  quoteTtlSeconds: number;
}

export const DEFAULT_QUOTE_TTL_SECONDS = 60;
const MAX_QUOTE_TTL_SECONDS = 86_400;

/** Parses the environment: the settings, or one line naming the variable and the fix. Pure. */
export function parseForexSettings(environment: Record<string, string | undefined>): { ok: true; settings: ForexSettings } | { ok: false; problem: string } {
  const text = environment['QUOTE_TTL_SECONDS'];
  if (text === undefined || text === '') return { ok: true, settings: { quoteTtlSeconds: DEFAULT_QUOTE_TTL_SECONDS } };
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 1 || value > MAX_QUOTE_TTL_SECONDS) {
    return { ok: false, problem: `QUOTE_TTL_SECONDS: must be a whole number of seconds from 1 to ${MAX_QUOTE_TTL_SECONDS}, e.g. QUOTE_TTL_SECONDS=60 (got "${text}")` };
  }
  return { ok: true, settings: { quoteTtlSeconds: value } };
}

/** Like the kit's loadConfigOrExit: one line on stderr and exit 1 before anything listens. */
export function forexSettingsOrExit(environment: Record<string, string | undefined>): ForexSettings {
  const parsed = parseForexSettings(environment);
  if (parsed.ok) return parsed.settings;
  process.stderr.write(`${environment['SERVICE_NAME'] || 'forex'} api: invalid configuration: ${parsed.problem}\n`);
  process.exit(1);
}
