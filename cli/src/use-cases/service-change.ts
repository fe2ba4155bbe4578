import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { CommandContext } from '../command.js';
import { generateFiles } from '../generate/generate-files.js';
import { apiConfigPath, planFiles } from '../generate/plan-files.js';
import { protoPackageDirectory } from '../proto/plan.js';
import { runProto } from '../proto/run-proto.js';
import { FileJournal } from '../scaffold/file-journal.js';
import type { PlannedEdit, RepoSnapshot } from '../scaffold/plan-new-service.js';
import type { PlannedFile } from '../scaffold/service-files.js';
import { planChart, writeChart } from '../targets/kubernetes/render-chart.js';
import type { Topology } from '../topology/schema.js';
import { topologyFileName } from '../topology/topology-file.js';

/** What adding or removing a service changes in the tree, planned beforehand. */
export interface ServiceChange {
  name: string;
  /** The topology after the change: the derived files are regenerated from it. */
  topology: Topology;
  writes: readonly PlannedFile[];
  edits: readonly PlannedEdit[];
  /** Folders deleted whole. */
  removes: readonly string[];
}

/** The steps after the writes, as `--dry-run` lists them. */
export const derivedSteps = ['npm install (package-lock.json)', 'innover proto (services/proto)', 'innover generate', 'innover k8s render'];

/** Reads what the planners need; nothing here decides anything. */
export async function readSnapshot(ctx: CommandContext, name: string): Promise<RepoSnapshot> {
  const read = (path: string) => readFile(join(ctx.root, path), 'utf8');
  return {
    topologyText: await read(topologyFileName),
    topology: await ctx.topology(),
    packageJson: await read('package.json'),
    tsconfigJson: await read('tsconfig.json'),
    apiConfig: await read(apiConfigPath).catch(() => undefined),
    kitPackageJson: await read('services/kit/package.json'),
    existing: new Set([`services/${name}`, `protos/${name}`].filter((path) => existsSync(join(ctx.root, path)))),
  };
}

/** The workspace folders of the root package.json (plain paths only; globs are npm's to expand). */
function workspaceFolders(root: string, manifests: readonly string[]): string[] {
  const folders = manifests.flatMap((text) => {
    const workspaces = (JSON.parse(text) as { workspaces?: unknown }).workspaces;
    return Array.isArray(workspaces) ? workspaces.filter((folder): folder is string => typeof folder === 'string' && !folder.includes('*')) : [];
  });
  return [...new Set(folders)].filter((folder) => existsSync(join(root, folder)));
}

/** Every path the change and its later steps may touch, recorded before anything is written. */
function pathsTouched(ctx: CommandContext, change: ServiceChange): string[] {
  const { topology } = change;
  const generated = planFiles(topology, undefined, ctx.commands ? { existing: undefined, commands: ctx.commands } : undefined).map((file) => file.path);
  const charts = Object.keys(topology.profiles).map((profile) => planChart(topology, profile).directory);
  const manifests = change.edits.filter((edit) => edit.path === 'package.json').flatMap((edit) => [edit.before, edit.after]);
  return [
    `services/${change.name}`,
    `protos/${change.name}`,
    ...change.removes,
    ...change.writes.map((file) => file.path),
    ...change.edits.map((edit) => edit.path),
    'package-lock.json',
    `node_modules/@innover/${change.name}`,
    'node_modules/.package-lock.json',
    `${protoPackageDirectory}/src/generated`,
    ...generated,
    ...charts,
    // npm install may nest packages in a workspace that had none: those folders go again on a failure.
    ...workspaceFolders(ctx.root, manifests)
      .map((folder) => `${folder}/node_modules`)
      .filter((path) => !existsSync(join(ctx.root, path))),
  ];
}

/**
 * Applies a planned change, then regenerates what derives from it: the lockfile (npm install), the
 * protobuf package, the generated files and the chart. Any failure restores the tree as it was:
 * the originals of edited files come back, created files and folders go (the changesets way).
 */
export async function applyServiceChange(ctx: CommandContext, change: ServiceChange): Promise<void> {
  const journal = new FileJournal(ctx.root);
  await journal.record(pathsTouched(ctx, change));
  try {
    for (const folder of change.removes) await rm(join(ctx.root, folder), { recursive: true, force: true });
    for (const file of change.writes) {
      await mkdir(dirname(join(ctx.root, file.path)), { recursive: true });
      await writeFile(join(ctx.root, file.path), file.content);
    }
    for (const edit of change.edits) await writeFile(join(ctx.root, edit.path), edit.after);
    await (await ctx.client('npm')).install();
    // The derived steps read the new topology, not the one this context loaded before the edit.
    const updated: CommandContext = { ...ctx, topology: () => Promise.resolve(change.topology) };
    await runProto({}, updated);
    await generateFiles(updated, { check: false, ...(ctx.commands ? { commands: ctx.commands } : {}) });
    await writeChart(ctx.root, planChart(change.topology, change.topology.defaultProfile));
  } catch (error) {
    await journal.restore();
    throw error;
  }
}
