/** A `name | ` prefix per container, padded to the longest name, in a stable colour per name. */
export async function logPrefixer(names: readonly string[], colour: boolean): Promise<(name: string) => string> {
  const width = Math.max(...names.map((name) => name.length));
  if (!colour) return (name) => `${name.padEnd(width)} | `;
  const { default: chalk } = await import('chalk');
  const palette = [chalk.cyan, chalk.yellow, chalk.green, chalk.magenta, chalk.blue, chalk.redBright, chalk.cyanBright, chalk.greenBright];
  return (name) => {
    const index = names.indexOf(name);
    const paint = palette[(index < 0 ? 0 : index) % palette.length] ?? chalk.cyan;
    return paint(`${name.padEnd(width)} | `);
  };
}
