import { describe, expect, it } from 'vitest';
import { keptLine, reloadedLine, startFailure, waitingLine } from '../src/dev-reload.js';

// The texts are what Node 24 prints (or puts in error.stack) for each kind of failed start.
const root = '/app';

describe("the dev runner's one line for a failed start", () => {
  it('a type-stripping syntax error: the file and line of its first stack line, relative to the workspace', () => {
    const stack = [
      '/app/services/payment/src/domain/x.ts:12',
      'export const a: number = 1;',
      'const b = ;',
      '          ^',
      '',
      'SyntaxError [ERR_INVALID_TYPESCRIPT_SYNTAX]: Expression expected',
      '    at parseTypeScript (node:internal/modules/typescript:72:36)',
    ].join('\n');
    expect(startFailure(stack, root)).toBe('services/payment/src/domain/x.ts:12: SyntaxError: Expression expected');
  });

  it('a missing export: the importing file from its file: URL', () => {
    const stack = [
      'file:///app/services/payment/src/api.ts:1',
      'import { nope } from "node:fs";',
      '         ^^^^',
      "SyntaxError: The requested module 'node:fs' does not provide an export named 'nope'",
      '    at #asyncInstantiate (node:internal/modules/esm/module_job:455:21)',
    ].join('\n');
    expect(startFailure(stack, root)).toBe("services/payment/src/api.ts:1: SyntaxError: The requested module 'node:fs' does not provide an export named 'nope'");
  });

  it('a throw at start: the first frame in the sources, never node_modules or Node internals', () => {
    const stack = [
      'TypeError: Cannot read properties of undefined',
      '    at Object.parse (file:///app/node_modules/zod/v4/core/parse.js:10:3)',
      '    at file:///app/services/kit/src/runtime.ts:44:7',
      '    at ModuleJob.run (node:internal/modules/esm/module_job:561:25)',
    ].join('\n');
    expect(startFailure(stack, root)).toBe('services/kit/src/runtime.ts:44: TypeError: Cannot read properties of undefined');
  });

  it("the kit's own one-line start error, as the process printed it", () => {
    expect(startFailure('payment api: migrations failed: connect ECONNREFUSED 10.0.0.2:5432\n', root)).toBe('payment api: migrations failed: connect ECONNREFUSED 10.0.0.2:5432');
    expect(startFailure('', root)).toBe('exited before it served');
  });

  it('a place outside the workspace stays absolute', () => {
    expect(startFailure('/tmp/x/src/a.ts:3\nconst = 1\n\nSyntaxError: Unexpected token', root)).toBe('/tmp/x/src/a.ts:3: SyntaxError: Unexpected token');
  });

  it('the lines the CLI reads', () => {
    expect(reloadedLine(0.84, 'services/payment/src/x.ts')).toBe('innover-dev: reloaded in 0.8 s after services/payment/src/x.ts changed');
    expect(keptLine('src/x.ts:1: SyntaxError: y')).toBe('innover-dev: kept the last good code: src/x.ts:1: SyntaxError: y');
    expect(waitingLine('z')).toBe('innover-dev: nothing to serve until a good save: z');
  });
});
