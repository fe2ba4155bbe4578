import { profileFilePaths } from '../plan/files.js';
import { planStack } from '../plan/plan-stack.js';
import { renderCompose, stringifyCompose } from '../targets/compose/render.js';
import type { Topology } from '../topology/schema.js';
import { renderCollectorFile } from './collector.js';
import { renderJaegerFile } from './jaeger.js';
import { renderNginxConfig } from './nginx.js';

/** A file to write, relative to the project root. */
export interface RenderedFile {
  path: string;
  content: string;
}

/**
 * The files one profile needs that differ between profiles: its compose file and the configs
 * that depend on which containers it holds. Pure. For the default profile these are the committed
 * files; `up` writes the others' under `.innover/`.
 */
export function renderProfileFiles(topology: Topology, profileName: string): RenderedFile[] {
  const plan = planStack(topology, profileName);
  const paths = profileFilePaths(topology, profileName);
  const files: RenderedFile[] = [{ path: paths.compose, content: stringifyCompose(renderCompose(plan), plan) }];
  const committed = profileName === topology.defaultProfile;
  // The committed set always carries every config, so plain `docker compose` users have them all.
  if (committed || plan.components.includes('nginx')) files.push({ path: paths.nginx, content: renderNginxConfig(plan) });
  if (committed || plan.components.includes('otel-collector')) files.push({ path: paths.collector, content: renderCollectorFile(plan) });
  if (committed || plan.components.includes('jaeger')) files.push({ path: paths.jaeger, content: renderJaegerFile(topology) });
  return files;
}
