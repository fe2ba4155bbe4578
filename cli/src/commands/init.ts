import type { CommandModule } from '../command.js';
import { initEnv, type InitResult } from '../env/init-env.js';

export type { InitResult } from '../env/init-env.js';

export const command: CommandModule<Record<string, unknown>, InitResult> = {
  handler: (_args, ctx) => initEnv(ctx),
  render(result) {
    if (result.created) return `wrote ${result.path} with fresh random ${result.secrets.join(', ')}`;
    const lines: string[] = [];
    const template = result.template === 'built-in' ? 'the built-in template' : '.env.example';
    if (!result.updated) {
      lines.push(`${result.path} is up to date: no placeholder to fill, no key missing from ${template}; left as is`);
    } else {
      lines.push(`updated ${result.path}; every other line is kept as it was`);
      if (result.replaced.length) lines.push(`  fresh random values for the placeholders ${result.replaced.join(', ')}`);
      if (result.refreshed.length) lines.push(`  set ${result.refreshed.join(', ')} to this topology's value (the old value is refused)`);
      if (result.added.length) {
        const fresh = result.added.filter((key) => result.secrets.includes(key));
        lines.push(`  added ${result.added.join(', ')} from ${template}${fresh.length ? ` (fresh random ${fresh.join(', ')})` : ''}`);
      }
    }
    if (result.downFirst.length) lines.push(downFirstLine(result.downFirst));
    lines.push(...result.problems.map((problem) => `still to fix by hand: ${problem}`));
    return lines.join('\n');
  },
};

/** The one line that says a volume holds the old value. */
export function downFirstLine(keys: readonly string[]): string {
  return `${keys.join(', ')} changed, but existing volumes keep the old value: run \`innover down\` (it removes the volumes) before \`innover up\``;
}
