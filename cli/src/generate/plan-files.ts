import { renderEnvExample } from '../env/example.js';
import { renderApiConfig } from '../render/api-config.js';
import type { CommandSpec } from '../commands/registry.js';
import { renderCommandReference, spliceCommandReference } from '../render/command-reference.js';
import { renderCockroachBootstrap, renderPostgresInit } from '../render/database.js';
import { renderProfileFiles } from '../render/profile-files.js';
import { renderRealm } from '../render/realm.js';
import { renderTopologySchema } from '../render/topology-schema.js';
import { renderWso2Deployment } from '../render/wso2-deployment.js';
import { sharedFilePaths } from '../topology/plan-stack.js';
import type { Topology } from '../topology/schema.js';

/** The gateway API config: the user's file, which innover only creates and extends. */
export const apiConfigPath = 'wso2/api-config.yaml';

/**
 * A file `generate` produces. `generated` files are innover's: rewritten on every run and checked
 * for drift. `user` files belong to the user: written when absent or extended, never drift-checked.
 */
export interface PlannedFile {
  path: string;
  content: string;
  ownership: 'generated' | 'user';
  /** File mode for new files, e.g. 0o755 for scripts a container executes. */
  mode?: number;
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** The README as it is on disk, and the CLI's command specs its command reference is rendered from. */
export interface ReadmeInput {
  existing: string | undefined;
  commands: readonly CommandSpec[];
}

/**
 * Everything `innover generate` writes, as data. Pure: the inputs from disk (the user's existing
 * API config, the README) and the CLI's command specs are passed in. Without `readme`, the README
 * is not planned.
 */
export function planFiles(
  topology: Topology,
  existingApiConfig: string | undefined,
  readme?: ReadmeInput,
): PlannedFile[] {
  const generated = (path: string, content: string, mode?: number): PlannedFile => ({
    path,
    content,
    ownership: 'generated',
    ...(mode === undefined ? {} : { mode }),
  });
  return [
    ...renderProfileFiles(topology, topology.defaultProfile).map((file) => generated(file.path, file.content)),
    generated(sharedFilePaths.realm, json(renderRealm(topology))),
    generated(sharedFilePaths.wso2Deployment, renderWso2Deployment(topology)),
    generated(sharedFilePaths.cockroachBootstrap, renderCockroachBootstrap(topology)),
    generated(sharedFilePaths.postgresInit, renderPostgresInit(topology), 0o755),
    generated('innover.schema.json', json(renderTopologySchema())),
    generated('.env.example', renderEnvExample(topology)),
    { path: apiConfigPath, content: renderApiConfig(topology, existingApiConfig), ownership: 'user' },
    ...readmeReference(readme).map((content) => generated(readmePath, content)),
  ];
}

/** The README, whose command reference section is generated from the CLI's command specs. */
export const readmePath = 'README.md';

function readmeReference(readme: ReadmeInput | undefined): string[] {
  if (readme?.existing === undefined) return [];
  const spliced = spliceCommandReference(readme.existing, renderCommandReference(readme.commands));
  return spliced === undefined ? [] : [spliced];
}
