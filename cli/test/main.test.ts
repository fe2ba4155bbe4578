import { describe, expect, it } from 'vitest';
import { buildProgram } from '../src/main.js';
import type { CommandSpec } from '../src/commands/registry.js';

const noModule = (): Promise<never> => Promise.reject(new Error('not loaded in this test'));

describe('buildProgram', () => {
  it('turns "<group> <command>" names into subcommands of one group, with their own flags', async () => {
    const specs: CommandSpec[] = [
      { name: 'up', description: 'start', load: noModule },
      { name: 'k8s render', description: 'write the chart', options: [{ flags: '--out <dir>', description: 'where' }], load: noModule },
      { name: 'k8s status', description: 'cluster health', load: noModule },
    ];
    const calls: Array<{ name: string; args: Record<string, unknown> }> = [];
    const program = buildProgram(async (spec, args) => void calls.push({ name: spec.name, args }), specs, { k8s: 'run the stack on Kubernetes' });

    const k8s = program.commands.find((command) => command.name() === 'k8s');
    expect(k8s?.description()).toBe('run the stack on Kubernetes');
    expect(k8s?.commands.map((command) => command.name())).toEqual(['render', 'status']);

    await program.parseAsync(['--json', 'k8s', 'render', '--out', 'chart'], { from: 'user' });
    expect(calls).toEqual([{ name: 'k8s render', args: { json: true, out: 'chart' } }]);
  });
});
