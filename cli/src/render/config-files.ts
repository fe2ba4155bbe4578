import type { ConfigFile, StackPlan } from '../plan/types.js';
import type { Topology } from '../topology/schema.js';
import { renderCollectorFile } from './collector.js';
import { renderCockroachBootstrap, renderPostgresInit } from './database.js';
import { renderJaegerFile } from './jaeger.js';
import { renderNginxConfig } from './nginx.js';
import { renderRealm } from './realm.js';
import { renderWso2Deployment } from './wso2-deployment.js';

/** The renderer of each config file id a plan can mount (`StackPlan.files`). */
const renderers: Readonly<Record<string, (topology: Topology, plan: StackPlan) => string>> = {
  nginx: (_topology, plan) => renderNginxConfig(plan),
  collector: (_topology, plan) => renderCollectorFile(plan),
  jaeger: (topology) => renderJaegerFile(topology),
  realm: (topology) => `${JSON.stringify(renderRealm(topology), null, 2)}\n`,
  'wso2-deployment': (topology) => renderWso2Deployment(topology),
  'cockroach-bootstrap': (topology) => renderCockroachBootstrap(topology),
  'postgres-init': (topology) => renderPostgresInit(topology),
};

/**
 * The content of a config file of the plan, exactly as innover writes it at `file.path`: what a
 * target that cannot mount the project directory (Kubernetes: a ConfigMap) carries instead.
 * Pure. Throws for an id no renderer knows, a bug in a component module.
 */
export function renderConfigFile(topology: Topology, plan: StackPlan, file: ConfigFile): string {
  const render = renderers[file.id];
  if (!render) throw new Error(`no renderer for config file ${file.id} (${file.path})`);
  return render(topology, plan);
}
