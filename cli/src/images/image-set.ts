import { UsageError } from '../command.js';
import { mirroredPath } from '../plan/image-references.js';
import type { Workload, StackPlan } from '../plan/types.js';

/**
 * One image a profile runs. A service's API and worker run one image, so it is listed once, under
 * the service's name; a third-party image (PostgreSQL, Redis, ...) once, however many containers
 * run it (CockroachDB's three nodes and its two jobs).
 */
export interface ProfileImage {
  kind: 'service' | 'third-party';
  /** The local reference, as the plan names it: `innover/payment:local`, `redis:7.4-bookworm`. */
  source: string;
  /** The service (`payment`) or the component (`redis`, `database`) it belongs to. */
  name: string;
  /** The plan's containers that run it. */
  containers: readonly string[];
}

function isServiceImage(container: Workload): boolean {
  return container.role === 'api' || container.role === 'worker';
}

/** Every image of a plan, service images first, each once, in plan order. Pure. */
export function profileImages(plan: StackPlan): ProfileImage[] {
  const images = new Map<string, ProfileImage & { containers: string[] }>();
  for (const container of [...plan.workloads.filter(isServiceImage), ...plan.workloads.filter((entry) => !isServiceImage(entry))]) {
    const known = images.get(container.image);
    if (known) {
      known.containers.push(container.name);
      continue;
    }
    const service = isServiceImage(container);
    images.set(container.image, {
      kind: service ? 'service' : 'third-party',
      source: container.image,
      name: service ? (container.service ?? container.name) : container.component,
      containers: [container.name],
    });
  }
  return [...images.values()];
}

/**
 * The images that the named containers run (all the profile's when none is named). A container
 * running a third-party image is refused without `--all`, since only `--all` pushes those. Pure.
 */
export function selectImages(plan: StackPlan, names: readonly string[], includeThirdParty: boolean): ProfileImage[] {
  const all = profileImages(plan);
  if (names.length === 0) return includeThirdParty ? all : all.filter((image) => image.kind === 'service');
  const known = plan.workloads.map((container) => container.name);
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new UsageError(`no container ${unknown.map((name) => `'${name}'`).join(', ')} in profile '${plan.profile}': use one of ${known.join(', ')}`);
  }
  const chosen = all.filter((image) => image.containers.some((container) => names.includes(container)));
  const thirdParty = chosen.filter((image) => image.kind === 'third-party');
  if (thirdParty.length > 0 && !includeThirdParty) {
    const named = names.filter((name) => thirdParty.some((image) => image.containers.includes(name)));
    throw new UsageError(`${named.map((name) => `'${name}'`).join(', ')} run${named.length === 1 ? 's' : ''} a third-party image: add --all to push third-party images too`);
  }
  return chosen;
}

const registryPattern = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;
const tagPattern = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/**
 * Checks `--registry`: a host with an optional port and path, as an image reference starts
 * (`registry.example.com:5000/team`). A scheme or credentials in it are refused with the fix. Pure.
 */
export function checkRegistry(registry: string): string {
  const value = registry.replace(/\/+$/, '');
  if (/^[a-z]+:\/\//i.test(value)) throw new UsageError(`--registry: drop the scheme ('${value.replace(/^[a-z]+:\/\/(?:[^@/]*@)?/i, '')}'): the engine chooses HTTPS, or plain HTTP for an insecure registry`);
  if (value.includes('@')) throw new UsageError('--registry: no credentials in the registry: set INNOVER_REGISTRY_USERNAME and INNOVER_REGISTRY_PASSWORD instead');
  if (!registryPattern.test(value)) throw new UsageError(`--registry: '${value}' is not a registry: use host[:port][/path], e.g. registry.example.com:5000/team`);
  return value;
}

/** Checks `--tag` against Docker's tag grammar. Pure. */
export function checkTag(tag: string): string {
  if (!tagPattern.test(tag)) throw new UsageError(`--tag: '${tag}' is not a Docker tag: use letters, digits, '_', '.' and '-' (at most 128, not starting with '.' or '-')`);
  return tag;
}

/**
 * Where an image goes in a registry; a Helm chart addresses the same references:
 * - a service image: `<registry>/innover/<service>:<tag>`;
 * - a third-party image keeps its path and tag, without its registry host:
 *   `quay.io/keycloak/keycloak:26.6.0` becomes `<registry>/keycloak/keycloak:26.6.0`,
 *   `redis:7.4-bookworm` becomes `<registry>/redis:7.4-bookworm`. Pure.
 */
export function pushedReference(registry: string, image: ProfileImage, tag: string): string {
  if (image.kind === 'service') return `${registry}/innover/${image.name}:${tag}`;
  return `${registry}/${mirroredPath(image.source)}`;
}

export { mirroredPath };
