#!/usr/bin/env node
// Prints the IMAGE=KIND arguments for innover CI's standin-images.sh (.ci/run): every image the
// tests run, with tags read from the topology: the base images the e2e profile builds on or runs,
// and the images of the integration tier's container peers (Redis, PostgreSQL, Redpanda as kafka).
//   node scripts/standin-images-args.js [profile]     (the e2e profile; default: lite)
import { findProjectRoot } from '../cli/dist/context.js';
import { testImages } from '../cli/dist/plan/base-images.js';
import { loadTopology } from '../cli/dist/topology/load.js';

const profile = process.argv[2] ?? 'lite';
const topology = await loadTopology(findProjectRoot(process.cwd()));
if (!topology.profiles[profile]) {
  console.error(`no profile '${profile}': use one of ${Object.keys(topology.profiles).join(', ')}`);
  process.exit(2);
}
console.log(testImages(topology, profile).join(' '));
