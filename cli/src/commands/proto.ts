import type { CommandModule } from '../command.js';
import { runProto, type ProtoArgs, type ProtoResult } from '../proto/run-proto.js';
import type { Drift } from '../proto/plan.js';

export { protosDirectory, runProto, type ProtoArgs, type ProtoResult } from '../proto/run-proto.js';

function render(result: ProtoResult): string {
  const { package: generated } = result;
  const width = Math.max(...result.events.map((event) => event.topic.length), 5);
  const lines = [
    `${generated.name} (${generated.directory}): ${generated.files} files, ${result.events.length} event codecs (${generated.domains.join(', ')})`,
    ...result.events.map((event) => `  ${event.topic.padEnd(width)}  ${event.consumers.length ? `consumed by ${event.consumers.join(', ')}` : 'no consumer'}`),
  ];
  if (result.mode === 'check') {
    if (!result.changes.length) return [...lines, 'generated code is up to date'].join('\n');
    return [
      ...result.changes.map((change) => `${change.path}: ${describeDrift(change)}`),
      `${result.changes.length} generated file(s) drift from protos/: run innover proto and commit the result`,
    ].join('\n');
  }
  const written = result.changes.filter((change) => change.kind !== 'stale').length;
  const removed = result.changes.length - written;
  return [...lines, result.changes.length ? `wrote ${written} file(s), removed ${removed}` : 'generated code is up to date'].join('\n');
}

function describeDrift(change: Drift): string {
  switch (change.kind) {
    case 'missing':
      return 'missing';
    case 'differs':
      return 'differs from what protos/ generates';
    case 'stale':
      return 'stale: protos/ no longer generates it';
  }
}

export const command: CommandModule<ProtoArgs, ProtoResult> = {
  handler: (args, ctx) => runProto(args, ctx),
  render: (result) => render(result),
  exitCode: (result) => (result.mode === 'check' && result.changes.length ? 1 : 0),
};
