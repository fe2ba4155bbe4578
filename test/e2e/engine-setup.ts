/**
 * What the real-engine e2e needs before it starts: a Docker engine that answers, with Compose v2.
 * Nothing more: compose pulls the profile's images from their registries (innover's CI makes them
 * beforehand, in .ci/run). When the engine is missing the e2e fails in one line that says so and
 * how to fix it. The image tags come from the topology, their one home.
 */
import { resolve } from 'node:path';
import { execa } from 'execa';
import { compareVersions, minimumComposeVersion } from '../../cli/src/clients/compose-client.js';
import { dockerEndpoint, dockerPermissionDenied, dockerUnreachable, isConnectionError, isPermissionError } from '../../cli/src/clients/docker-errors.js';
import { standInBaseImages } from '../../cli/src/plan/base-images.js';
import { loadTopology } from '../../cli/src/topology/load.js';

export const repositoryRoot = resolve(import.meta.dirname, '..', '..');

/** `IMAGE=KIND` pairs: the base images a profile builds on or runs. */
export async function baseImages(profile: string): Promise<string[]> {
  return standInBaseImages(await loadTopology(repositoryRoot), profile);
}

/** What one `docker` call answered. */
export interface CallResult {
  exitCode: number;
  output: string;
  /** The spawn error code, e.g. ENOENT when there is no docker CLI. */
  spawnError?: string;
}

const installDocker = 'install Docker Engine with Compose v2 >= 2.20 (docs.docker.com/engine/install)';

/**
 * The one-line reason the e2e cannot run, from `docker version` and `docker compose version`
 * (undefined when both answered well enough). Pure.
 */
export function engineProblem(server: CallResult, compose: CallResult, env: Readonly<Record<string, string | undefined>>): string | undefined {
  const prefix = 'the e2e needs a running Docker engine with Compose v2';
  if (server.spawnError === 'ENOENT') return `${prefix}, and there is no docker CLI: ${installDocker}`;
  if (server.exitCode !== 0) {
    const error = new Error(server.output);
    if (isPermissionError(error)) return `${prefix}: ${dockerPermissionDenied(dockerEndpoint(env)).message}`;
    if (isConnectionError(error) || !server.output.trim()) return `${prefix}: ${dockerUnreachable(dockerEndpoint(env)).message}`;
    return `${prefix}: docker version failed: ${server.output.trim().split('\n').pop() ?? ''}`;
  }
  const version = compose.output.trim().split('\n').pop()?.trim().replace(/^v/, '') ?? '';
  if (compose.exitCode !== 0 || !version) return `${prefix}, and Compose v2 is missing: ${installDocker}`;
  if (compareVersions(version, minimumComposeVersion) < 0) return `${prefix}, and Compose ${version} is too old: ${installDocker}`;
  return undefined;
}

async function docker(args: string[]): Promise<CallResult> {
  const result = await execa('docker', args, { reject: false, all: true, stdin: 'ignore', env: { DOCKER_CLI_HINTS: 'false' } });
  const spawnError = (result as { code?: string }).code;
  return { exitCode: result.exitCode ?? 1, output: result.all ?? '', ...(typeof spawnError === 'string' && !result.exitCode ? { spawnError } : {}) };
}

/** An error that prints as its one line, without stack frames under it. */
export function oneLineError(message: string): Error {
  const error = new Error(message);
  error.stack = `Error: ${message}`;
  return error;
}

/** Resolves with the engine and Compose versions; throws one line when the e2e cannot run. */
export async function checkEngine(): Promise<string> {
  const server = await docker(['version', '--format', 'Docker Engine {{.Server.Version}}']);
  const compose = server.exitCode === 0 ? await docker(['compose', 'version', '--short']) : { exitCode: 1, output: '' };
  const problem = engineProblem(server, compose, process.env);
  if (problem) throw oneLineError(problem);
  return `${server.output.trim()}, Docker Compose ${compose.output.trim().replace(/^v/, '')}`;
}

/**
 * Checks the engine, then reports each base image of the profile: `present`, or `missing` (compose
 * pulls it), and which of the present ones are local stand-ins (labelled `innover.stand-in=true`,
 * as innover's CI builds them when no registry answers).
 */
export async function prepareEngine(profile: string): Promise<{ engine: string; images: string[]; standIns: string[] }> {
  const engine = await checkEngine();
  const images: string[] = [];
  const standIns: string[] = [];
  for (const pair of await baseImages(profile)) {
    const image = pair.slice(0, pair.lastIndexOf('='));
    const label = await docker(['image', 'inspect', '-f', '{{index .Config.Labels "innover.stand-in"}}', image]);
    if (label.exitCode !== 0) {
      images.push(`missing   ${image} (compose pulls it)`);
      continue;
    }
    images.push(`present   ${image}`);
    if (label.output.trim() === 'true') standIns.push(image);
  }
  return { engine, images, standIns };
}

