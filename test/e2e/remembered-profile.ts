/**
 * The e2e and the CLI bench run `innover up --profile lite` in the repository, and `up` remembers
 * its profile for later commands. Left behind, a developer's next plain `innover up` would act on
 * `lite` and remove the rest of their own stack as orphans. A real-engine run therefore puts back
 * the profile that was remembered before it (the build records it added stay: they are true).
 *
 * Plain erasable TypeScript so the bench (plain Node) can import it too, which is also why the
 * state path is spelled here rather than imported from cli/src/host/state.ts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function readState(file: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Notes the remembered profile of the project at `root`; the returned function puts it back. */
export function keepRememberedProfile(root: string): () => void {
  const file = join(root, '.innover', 'state.json');
  const before = readState(file)?.['profile'];
  return () => {
    const state = readState(file);
    if (!state || state['profile'] === before) return;
    if (before === undefined) delete state['profile'];
    else state['profile'] = before;
    writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`);
  };
}
