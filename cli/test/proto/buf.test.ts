import { describe, expect, it } from 'vitest';
import { parseBufProblems, renderGenerateTemplate } from '../../src/clients/buf-client.js';

describe('parseBufProblems', () => {
  it('turns JSON annotations into file:line:column: message, once each, and keeps plain lines', () => {
    const output = [
      '{"path":"protos/x/v1/x.proto","start_line":4,"start_column":3,"end_line":4,"end_column":8,"type":"COMPILE","message":"cannot find `strin` in this scope"}',
      '{"path":"protos/x/v1/x.proto","start_line":4,"start_column":3,"end_line":4,"end_column":8,"type":"COMPILE","message":"cannot find `strin` in this scope"}',
      '{"path":"protos/x/v1/x.proto","start_line":6,"start_column":1,"type":"COMPILE","message":"unexpected `}` after definition"}',
      'Failure: Module "path: \\"protos\\"" had no .proto files',
      '',
    ].join('\n');
    expect(parseBufProblems(output)).toEqual([
      'protos/x/v1/x.proto:4:3: cannot find `strin` in this scope',
      'protos/x/v1/x.proto:6:1: unexpected `}` after definition',
      'Module "path: \\"protos\\"" had no .proto files',
    ]);
  });
});

describe('renderGenerateTemplate', () => {
  it('uses only the given local plugin, TypeScript with .js import extensions', () => {
    expect(JSON.parse(renderGenerateTemplate('/repo/node_modules/.bin/protoc-gen-es'))).toEqual({
      version: 'v2',
      plugins: [{ local: '/repo/node_modules/.bin/protoc-gen-es', out: '.', opt: ['target=ts', 'import_extension=ts', 'erasable_syntax=true'] }],
    });
  });
});
