import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EngineClient } from '../../src/clients/engine-client.js';
import { runCli, strictFake } from '../support/run-cli.js';
import { defaultStack } from '../topology/fixtures.js';
import { stackRoot, testEnv } from '../commands/stack-context.js';

const topology = defaultStack();

describe('innover smoke and wso2/api-config.yaml', () => {
  it('refuses a broken API config in one line per problem, exit 1, before any check (no internal error)', async () => {
    for (const [text, problem] of [
      ['apis: [\n  - name: x\n', /^innover: wso2\/api-config\.yaml: not valid YAML: /],
      ['apis: 5\n', /^innover: wso2\/api-config\.yaml: apis: /],
    ] as const) {
      const root = stackRoot(['full']);
      mkdirSync(join(root, 'wso2'));
      writeFileSync(join(root, 'wso2', 'api-config.yaml'), text);
      // Any engine call would mean a check started.
      const engine = strictFake<EngineClient>('engine', {});
      const run = await runCli(['smoke', '--profile', 'full'], { root, topology, dotenv: testEnv, clients: { engine }, env: {} });
      expect(run.exitCode).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr.length).toBeGreaterThan(0);
      for (const line of run.stderr) expect(line).toMatch(problem);
    }
  });
});
