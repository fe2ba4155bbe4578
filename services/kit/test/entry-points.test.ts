import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The API process keeps its idle RSS ≤ 100 MiB by loading only what it uses: the correctness modules an API
// imports (transactions, outbox's enqueueEvent, inbox, idempotency) must not pull in a heavy client library
// at runtime. Type-only imports are erased, so they are allowed.
const source = join(import.meta.dirname, '..', 'src');
const heavy = ['kafkajs', 'express', 'bullmq', 'ioredis', 'jose', 'pg', 'pino'];

function runtimeImports(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return new Set();
  seen.add(file);
  const text = readFileSync(join(source, file), 'utf8');
  const specifiers = new Set<string>();
  for (const match of text.matchAll(/^(?:import|export)\s+(?!type\b)[^'";]*?from\s+'([^']+)'/gm)) {
    const specifier = match[1] ?? '';
    if (specifier.startsWith('./')) for (const inner of runtimeImports(specifier.slice(2).replace(/\.js$/, '.ts'), seen)) specifiers.add(inner);
    else specifiers.add(specifier);
  }
  return specifiers;
}

describe('correctness modules stay light', () => {
  it.each(['transactions.ts', 'outbox.ts', 'inbox.ts', 'idempotency.ts', 'faults.ts'])('%s loads no client library at runtime', (file) => {
    const loaded = [...runtimeImports(file)];
    expect(loaded.filter((specifier) => heavy.some((name) => specifier === name || specifier.startsWith(`${name}/`)))).toEqual([]);
  });

  it('are exported as their own subpaths', () => {
    const manifest = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as { exports: Record<string, { source?: string }> };
    for (const name of ['transactions', 'outbox', 'inbox', 'idempotency', 'faults']) expect(manifest.exports[`./${name}`]?.source).toBe(`./src/${name}.ts`);
  });
});
