import { randomBytes } from 'node:crypto';

/** A random secret: 32 URL-safe characters, safe in URLs, shells and `.env` without quoting. */
export function randomSecret(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * `.env` text from `.env.example` text: every secret key gets a fresh value from `random`,
 * everything else (comments, endpoints, order) is kept. Pure given `random`.
 */
export function fillSecrets(
  example: string,
  secretKeys: ReadonlySet<string>,
  random: () => string = randomSecret,
): { text: string; filled: string[] } {
  const filled: string[] = [];
  const text = example
    .split('\n')
    .map((line) => {
      const match = /^(\s*(?:export\s+)?)([A-Za-z_][A-Za-z0-9_]*)(\s*=).*$/.exec(line);
      if (!match || !secretKeys.has(match[2]!)) return line;
      filled.push(match[2]!);
      return `${match[1]}${match[2]}${match[3]}${random()}`;
    })
    .join('\n');
  return { text, filled };
}
