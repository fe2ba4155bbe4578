#!/usr/bin/env node
// Prints the IMAGE=KIND arguments for ../shared/tools/standin-images.sh: the base images a profile
// builds on or runs that have a local stand-in (node, redis, postgres, nginx), with tags read from
// the topology, the one place that names them.
//   node scripts/standin-images-args.js [profile]     (default: lite)
import { loadTopology } from '../cli/dist/topology/load.js';
import { findProjectRoot } from '../cli/dist/context.js';

const profileName = process.argv[2] ?? 'lite';
const topology = await loadTopology(findProjectRoot(process.cwd()));
const profile = topology.profiles[profileName];
if (!profile) {
  console.error(`no profile '${profileName}': use one of ${Object.keys(topology.profiles).join(', ')}`);
  process.exit(2);
}
const has = (component) => profile.components.includes(component);
const engine = profile.database ?? topology.database.engine;
const pairs = [];
if (has('services')) pairs.push(`${topology.infrastructure.node.image}=node`);
if (has('redis')) pairs.push(`${topology.infrastructure.redis.image}=redis`);
if (has('database') && engine === 'postgres') pairs.push(`${topology.database.postgres.image}=postgres`);
if (has('nginx')) pairs.push(`${topology.infrastructure.nginx.image}=nginx`);
console.log(pairs.join(' '));
