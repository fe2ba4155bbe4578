/**
 * What the real-engine e2e needs before it starts: a running Docker engine with Compose v2 and
 * buildx, and the base images of the profile it runs. Both come from ../shared/tools (a sibling of
 * the repository, as CI checks it out); the image tags come from the topology, their one home.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { loadTopology } from '../../cli/src/topology/load.js';
import { standInBaseImages } from '../../cli/src/stack/base-images.js';

export const repositoryRoot = resolve(import.meta.dirname, '..', '..');
export const sharedTools = resolve(repositoryRoot, '..', 'shared', 'tools');

/** `IMAGE=KIND` pairs for standin-images.sh: the base images a profile builds on or runs. */
export async function baseImages(profile: string): Promise<string[]> {
  return standInBaseImages(await loadTopology(repositoryRoot), profile);
}

function requireTool(name: string): string {
  const path = join(sharedTools, name);
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: check out the shared tools beside the repository (../shared/tools)`);
  }
  return path;
}

/**
 * Starts the engine (installs it once: Debian docker.io, Compose v2 and buildx) and makes the base
 * images available; returns the lines of standin-images.sh (`present`, `pulled` or `stand-in`) and
 * which of the images are local stand-ins (labelled `innover.stand-in=true`), built now or before.
 */
export async function prepareEngine(profile: string): Promise<{ engine: string; images: string[]; standIns: string[] }> {
  const engine = await execa('bash', [requireTool('docker-engine.sh')], { reject: false, all: true });
  if (engine.exitCode !== 0) {
    throw new Error(`docker-engine.sh failed (it needs root and apt: apt-get install docker.io):\n${engine.all}`);
  }
  const pairs = await baseImages(profile);
  const images = await execa('bash', [requireTool('standin-images.sh'), ...pairs], { reject: false });
  if (images.exitCode !== 0) throw new Error(`standin-images.sh ${pairs.join(' ')} failed:\n${images.stderr}`);
  const lines = images.stdout.split('\n').filter(Boolean);
  // `present` may itself be a stand-in built by an earlier run: the label says so.
  const standIns: string[] = [];
  for (const pair of pairs) {
    const image = pair.slice(0, pair.lastIndexOf('='));
    const label = await execa('docker', ['image', 'inspect', '-f', '{{index .Config.Labels "innover.stand-in"}}', image], { reject: false });
    if (label.stdout.trim() === 'true') standIns.push(image);
  }
  return { engine: engine.stdout.trim(), images: lines, standIns };
}
