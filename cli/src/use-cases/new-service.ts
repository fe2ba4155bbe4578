import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { CommandContext } from '../command.js';
import { runProto } from '../proto/run-proto.js';
import { generateFiles } from '../generate/generate-files.js';
import { apiConfigPath, planFiles } from '../generate/plan-files.js';
import { protoPackageDirectory } from '../proto/plan.js';
import { FileJournal } from '../scaffold/file-journal.js';
import { planNewService, type NewServiceInput, type NewServicePlan, type RepoSnapshot } from '../scaffold/plan-new-service.js';
import { planChart, writeChart } from '../targets/kubernetes/render-chart.js';
import { topologyFileName } from '../topology/topology-file.js';

export interface NewServiceOptions extends NewServiceInput {
  /** Plan only: list what would be written and changed. */
  dryRun?: boolean;
}

export interface NewServiceResult {
  name: string;
  hostPort: number;
  dryRun: boolean;
  /** Files created (or, with dryRun, that would be). */
  writes: string[];
  /** Files edited (or that would be). */
  edits: string[];
  /** What follows from them: the steps run after the writes (or that would run). */
  steps: string[];
}

const steps = ['npm install (package-lock.json)', 'innover proto (services/proto)', 'innover generate', 'innover k8s render'];

/** Reads what the planner needs; nothing here decides anything. */
async function readSnapshot(ctx: CommandContext, name: string): Promise<RepoSnapshot> {
  const read = (path: string) => readFile(join(ctx.root, path), 'utf8');
  const optional = (path: string) => read(path).catch(() => undefined);
  return {
    topologyText: await read(topologyFileName),
    topology: await ctx.topology(),
    packageJson: await read('package.json'),
    tsconfigJson: await read('tsconfig.json'),
    apiConfig: await optional(apiConfigPath),
    kitPackageJson: await read('services/kit/package.json'),
    existing: new Set([`services/${name}`, `protos/${name}`].filter((path) => existsSync(join(ctx.root, path)))),
  };
}

/** Every path the apply may touch, recorded before it starts: the plan's and each later step's. */
async function pathsTouched(ctx: CommandContext, plan: NewServicePlan): Promise<string[]> {
  const topology = plan.topology;
  const generated = planFiles(topology, undefined, ctx.commands ? { existing: undefined, commands: ctx.commands } : undefined).map((file) => file.path);
  const charts = Object.keys(topology.profiles).map((profile) => planChart(topology, profile).directory);
  return [
    `services/${plan.name}`,
    `protos/${plan.name}`,
    ...plan.writes.map((file) => file.path),
    ...plan.edits.map((edit) => edit.path),
    'package-lock.json',
    `node_modules/@innover/${plan.name}`,
    'node_modules/.package-lock.json',
    `${protoPackageDirectory}/src/generated`,
    ...generated,
    ...charts,
    // npm install may nest packages in a workspace that had none: those folders go again on a failure.
    ...workspaceFolders(ctx.root, plan).map((folder) => `${folder}/node_modules`).filter((path) => !existsSync(join(ctx.root, path))),
  ];
}

/** The workspace folders of the root package.json after the edit (plain paths only; globs are npm's to expand). */
function workspaceFolders(root: string, plan: NewServicePlan): string[] {
  const edited = plan.edits.find((edit) => edit.path === 'package.json');
  const workspaces = edited ? (JSON.parse(edited.after) as { workspaces?: unknown }).workspaces : undefined;
  return Array.isArray(workspaces) ? workspaces.filter((folder): folder is string => typeof folder === 'string' && !folder.includes('*') && existsSync(join(root, folder))) : [];
}

/**
 * The use case behind `innover new service`: plans every write first (refusing before anything is
 * written), then applies the plan and regenerates what derives from it (the lockfile, the protobuf
 * package, the generated files, the chart). Any failure restores the tree as it was.
 */
export async function newService(ctx: CommandContext, options: NewServiceOptions): Promise<NewServiceResult> {
  const plan = planNewService(options, await readSnapshot(ctx, options.name));
  const result = { name: plan.name, hostPort: plan.hostPort, writes: plan.writes.map((file) => file.path), edits: plan.edits.map((edit) => edit.path), steps };
  if (options.dryRun) return { ...result, dryRun: true };
  const journal = new FileJournal(ctx.root);
  await journal.record(await pathsTouched(ctx, plan));
  try {
    for (const file of plan.writes) {
      await mkdir(dirname(join(ctx.root, file.path)), { recursive: true });
      await writeFile(join(ctx.root, file.path), file.content);
    }
    for (const edit of plan.edits) await writeFile(join(ctx.root, edit.path), edit.after);
    await (await ctx.client('npm')).install();
    // The derived steps read the new topology, not the one this context loaded before the edit.
    const updated: CommandContext = { ...ctx, topology: () => Promise.resolve(plan.topology) };
    await runProto({}, updated);
    await generateFiles(updated, { check: false, ...(ctx.commands ? { commands: ctx.commands } : {}) });
    for (const profile of [plan.topology.defaultProfile]) await writeChart(ctx.root, planChart(plan.topology, profile));
  } catch (error) {
    await journal.restore();
    throw error;
  }
  return { ...result, dryRun: false };
}
