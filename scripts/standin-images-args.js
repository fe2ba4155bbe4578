#!/usr/bin/env node
// Prints the IMAGE=KIND arguments for ../shared/tools/standin-images.sh: the base images a profile
// builds on or runs that have a local stand-in, with tags read from the topology.
//   node scripts/standin-images-args.js [profile]     (default: lite)
import { findProjectRoot } from '../cli/dist/context.js';
import { standInBaseImages } from '../cli/dist/stack/base-images.js';
import { loadTopology } from '../cli/dist/topology/load.js';

const profile = process.argv[2] ?? 'lite';
const topology = await loadTopology(findProjectRoot(process.cwd()));
if (!topology.profiles[profile]) {
  console.error(`no profile '${profile}': use one of ${Object.keys(topology.profiles).join(', ')}`);
  process.exit(2);
}
console.log(standInBaseImages(topology, profile).join(' '));
