/** A parsed dotenv file: the values, and one problem per line it could not read. */
export interface ParsedDotenv {
  values: Record<string, string>;
  problems: string[];
}

const line = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/;

/**
 * Parses the `.env` syntax Compose reads: `KEY=value`, optional `export `, `#` comments, values
 * optionally in single or double quotes. Pure.
 */
export function parseDotenv(text: string, fileName = '.env'): ParsedDotenv {
  const values: Record<string, string> = {};
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const trimmed = raw.trim();
    if (!trimmed || trimmed.startsWith('#')) return;
    const match = line.exec(trimmed);
    if (!match) {
      problems.push(`${fileName} line ${index + 1}: expected KEY=value: fix or remove the line`);
      return;
    }
    values[match[1]!] = unquote(match[2]!);
  });
  return { values, problems };
}

function unquote(value: string): string {
  const quote = value[0];
  if ((quote === '"' || quote === "'") && value.length >= 2 && value.endsWith(quote)) return value.slice(1, -1);
  // An unquoted value ends at ` #`, as in Compose.
  return value.replace(/\s+#.*$/, '').trim();
}
