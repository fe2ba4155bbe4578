import { readdir, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { FileToWrite } from '../../generate/write-files.js';
import { findDrift, writeChangedFiles } from '../../generate/write-files.js';
import type { Topology } from '../../topology/schema.js';
import { version } from '../../version.js';
import { kubernetesInput, renderChartFiles } from './chart.js';
import { chartPath } from './names.js';

/** The chart of one profile, as files to write under `directory` (relative to the project root). */
export interface ChartPlan {
  profile: string;
  directory: string;
  files: FileToWrite[];
}

/** Plans the chart of a profile. Pure. `out` overrides where it goes (default: chartPath). */
export function planChart(topology: Topology, profileName: string, out?: string): ChartPlan {
  const files = renderChartFiles(kubernetesInput(topology, profileName), topology, version);
  return { profile: profileName, directory: out ?? chartPath(topology, profileName), files };
}

async function listFiles(directory: string): Promise<string[]> {
  try {
    const entries = await readdir(directory, { recursive: true, withFileTypes: true });
    return entries.filter((entry) => entry.isFile()).map((entry) => relative(directory, join(entry.parentPath, entry.name)));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Files in the chart's folder the plan no longer has (a removed component's template). */
async function staleFiles(root: string, plan: ChartPlan): Promise<string[]> {
  const planned = new Set(plan.files.map((file) => file.path));
  return (await listFiles(join(root, plan.directory))).filter((path) => !planned.has(path)).sort();
}

export interface ChartCheck {
  /** Differing or missing files, and files the chart no longer has, relative to the chart. */
  drifted: string[];
}

/** `--check`: what differs between the folder and the plan. Writes nothing. */
export async function checkChart(root: string, plan: ChartPlan): Promise<ChartCheck> {
  const directory = join(root, plan.directory);
  return { drifted: [...(await findDrift(directory, plan.files)), ...(await staleFiles(root, plan))] };
}

export interface ChartWrite {
  written: string[];
  removed: string[];
}

/** Writes the files that differ and removes the ones the chart no longer has. */
export async function writeChart(root: string, plan: ChartPlan): Promise<ChartWrite> {
  const directory = join(root, plan.directory);
  const removed = await staleFiles(root, plan);
  for (const path of removed) await rm(join(directory, path));
  return { written: await writeChangedFiles(directory, plan.files), removed };
}
