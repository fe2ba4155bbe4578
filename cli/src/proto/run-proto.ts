/** The use case behind `innover proto` (and the proto step of `new service`). */
import { existsSync } from 'node:fs';
import { mkdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { UserError, type CommandContext } from '../command.js';
import { readTree } from '../host/read-tree.js';
import { readProtoFiles } from './descriptor.js';
import { findDrift, planProtoOutputs, protoPackageDirectory, protoPackageName, type Drift } from './plan.js';
import { topologyFileName } from '../topology/topology-file.js';
import { consumersOf, consumesProblems } from '../topology/events.js';
import { loadTopology } from '../topology/load.js';

export interface ProtoArgs {
  check?: boolean;
}

export interface ProtoResult {
  mode: 'write' | 'check';
  /** The generated package: its folder and npm name. */
  package: { directory: string; name: string; files: number; domains: readonly string[] };
  /** Every event of protos/: its topic, message and the topology services that consume it. */
  events: { topic: string; typeName: string; consumers: string[] }[];
  /** Write mode: what was written or removed. Check mode: the drift found (nothing is written). */
  changes: Drift[];
  warnings: string[];
}

/** Where the protobuf module lives, relative to the root. */
export const protosDirectory = 'protos';

/**
 * Compiles protos/ with the npm-installed buf and generates TypeScript with the local
 * protoc-gen-es plugin, both through the context's `buf` client (in a temporary folder of its
 * own), and lays it out in the one generated package, `services/proto/src/generated`
 * (`@innover/proto`). Checks the topology's `services[].consumes` against the events just built. With
 * `check`, compares instead of writing.
 */
export async function runProto(args: ProtoArgs, ctx: CommandContext): Promise<ProtoResult> {
  if (!existsSync(join(ctx.root, protosDirectory, 'buf.yaml'))) {
    throw new UserError(`${protosDirectory}/buf.yaml not found in ${ctx.root}: run innover proto from the project root`);
  }
  if (!existsSync(join(ctx.root, protoPackageDirectory, 'package.json'))) {
    throw new UserError(
      `${protoPackageDirectory}/package.json not found: the generated package ${protoPackageName} is missing; restore it (git checkout ${protoPackageDirectory}) and rerun innover proto`,
    );
  }
  // The consumed events are checked below against this build, not against the topics.json it replaces.
  const topology = await loadTopology(ctx.root, { checkEvents: false });
  const buf = await ctx.client('buf');

  const compiled = await buf.compile(protosDirectory);
  if (!compiled.ok) throw new UserError(compiled.problems);
  const plan = planProtoOutputs({
    services: topology.services.map((service) => service.name),
    files: readProtoFiles(compiled.image),
    generated: compiled.generated,
  });
  const problems = consumesProblems(topology, new Set(plan.events.map((event) => event.topic)));
  if (problems.length) throw new UserError(problems.map((problem) => `${topologyFileName}: ${problem}`));
  for (const warning of plan.warnings) ctx.out.warn(warning);

  const existing = await readTree(join(ctx.root, plan.directory), plan.directory);
  const changes = findDrift(plan.files, existing);
  if (!args.check) await apply(ctx.root, plan.files, changes);
  return {
    mode: args.check ? 'check' : 'write',
    package: { directory: protoPackageDirectory, name: protoPackageName, files: plan.files.length, domains: plan.domains },
    events: plan.events.map((event) => ({ ...event, consumers: consumersOf(topology, event.topic) })),
    changes,
    warnings: plan.warnings,
  };
}

/** Writes what is missing or differs, removes what is stale, then prunes folders left empty. */
async function apply(root: string, planned: readonly { path: string; content: string }[], changes: readonly Drift[]): Promise<void> {
  const contentOf = new Map(planned.map((file) => [file.path, file.content]));
  for (const change of changes) {
    const target = join(root, change.path);
    if (change.kind === 'stale') {
      await rm(target, { force: true });
      await pruneEmpty(root, dirname(change.path));
    } else {
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, contentOf.get(change.path) ?? '');
    }
  }
}

/** Removes empty folders up to (not including) the `generated` folder. */
async function pruneEmpty(root: string, folder: string): Promise<void> {
  let current = folder;
  while (!current.endsWith('/generated') && current.includes('/generated/')) {
    try {
      await rmdir(join(root, current));
    } catch {
      return; // not empty
    }
    current = dirname(current);
  }
}

