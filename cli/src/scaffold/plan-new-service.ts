import { Document, isNode, isSeq, parseDocument } from 'yaml';
import { UserError } from '../command.js';
import { defaultModules } from '../components/index.js';
import type { ComponentModule } from '../components/module.js';
import { planStack } from '../plan/plan-stack.js';
import type { Topology } from '../topology/schema.js';
import { topologyFileName } from '../topology/topology-file.js';
import { validateTopology } from '../topology/validate.js';
import { apiConfigPath } from '../generate/plan-files.js';
import { renderApiConfig } from '../render/api-config.js';
import { protoFile, serviceFolderFiles, serviceNames, type PackageVersions, type PlannedFile } from './service-files.js';

/** What `innover new service` was asked. */
export interface NewServiceInput {
  name: string;
  /** Host port of the API; default: the first free one from `freePortRange`. */
  port?: number;
  /** The worker's concurrency in the topology entry; default: the topology's default (1). */
  queueConcurrency?: number;
}

/** What the planner reads of the repository: file texts and the topology they validate to. */
export interface RepoSnapshot {
  /** innover.yaml. */
  topologyText: string;
  /** The topology innover.yaml validates to (merged over the defaults). */
  topology: Topology;
  /** Root package.json and tsconfig.json. */
  packageJson: string;
  tsconfigJson: string;
  /** wso2/api-config.yaml, absent when generate has not written it yet. */
  apiConfig: string | undefined;
  /** services/kit/package.json, for the dependency ranges of the new package. */
  kitPackageJson: string;
  /** Root-relative paths that exist already among those the plan would create. */
  existing: ReadonlySet<string>;
}

/** A file the plan changes: its text before and after. */
export interface PlannedEdit {
  path: string;
  before: string;
  after: string;
}

export interface NewServicePlan {
  name: string;
  hostPort: number;
  /** The topology with the new service, validated: what the derived files are regenerated from. */
  topology: Topology;
  writes: PlannedFile[];
  edits: PlannedEdit[];
}

/** Where a port is picked from when `--port` is not given: after the six defaults' 8101-8106. */
export const freePortRange = { first: 8101, last: 8199 } as const;

const kebabCase = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** Every host port the topology takes: the services' and each component's (Nginx, Redis, Keycloak...), by owner. */
export function takenHostPorts(topology: Topology, modules: readonly ComponentModule[] = defaultModules): Map<number, string> {
  const taken = new Map<number, string>();
  topology.services.forEach((service, index) => taken.set(service.hostPort, `services[${index}].hostPort (${service.name})`));
  for (const module of modules) for (const [path, port] of module.hostPorts?.(topology) ?? []) if (!taken.has(port)) taken.set(port, path);
  return taken;
}

/** The first port of `freePortRange` no one takes. */
export function pickFreePort(taken: ReadonlyMap<number, string>): number {
  for (let port = freePortRange.first; port <= freePortRange.last; port += 1) if (!taken.has(port)) return port;
  throw new UserError(`--port: every port of ${freePortRange.first}-${freePortRange.last} is taken in ${topologyFileName}: pass a free one with --port`);
}

/** Every container name of every profile (planStack's workloads), so a service cannot take one. */
export function workloadNames(topology: Topology, modules: readonly ComponentModule[] = defaultModules): Set<string> {
  const names = new Set<string>();
  for (const profile of Object.keys(topology.profiles)) for (const workload of planStack(topology, profile, modules).workloads) names.add(workload.name);
  return names;
}

/** The one-line refusals, checked before anything is planned: name, clashes, port. */
function refusals(input: NewServiceInput, snapshot: RepoSnapshot, modules: readonly ComponentModule[]): string[] {
  const { name } = input;
  if (!kebabCase.test(name)) {
    return [`name: '${name}' is not kebab-case: use lowercase words of letters and digits joined by single dashes, starting with a letter, e.g. ledger-audit`];
  }
  const problems: string[] = [];
  const { topology } = snapshot;
  if (topology.services.some((service) => service.name === name)) {
    problems.push(`name: '${name}' is already a service in ${topologyFileName}: pick another name (or innover remove service ${name} first)`);
  } else if (modules.some((module) => module.name === name)) {
    problems.push(`name: '${name}' is a component's name: pick another name`);
  } else {
    const containers = workloadNames(topology, modules);
    for (const container of [name, `${name}-worker`]) {
      if (containers.has(container)) problems.push(`name: '${name}' would make a container '${container}', which the stack already has: pick another name`);
    }
  }
  for (const path of problems.length ? [] : [`services/${name}`, `protos/${name}`]) {
    if (snapshot.existing.has(path)) problems.push(`name: ${path} exists already: pick another name or remove the folder`);
  }
  if (input.port !== undefined) {
    const holder = takenHostPorts(topology, modules).get(input.port);
    if (holder) problems.push(`--port: host port ${input.port} is already used by ${holder}: pick another, e.g. --port ${pickFreePort(takenHostPorts(topology, modules))}`);
  }
  return problems;
}

/**
 * innover.yaml with the new entry after the last service. The Document API finds where the list
 * ends and how it is indented; the entry is inserted there as text, so every other byte (comments,
 * flow mappings, quoting) stays as the user wrote it.
 */
export function topologyWithService(text: string, entry: Record<string, unknown>): string {
  const document = parseDocument(text);
  const services = document.get('services', true);
  const last = isSeq(services) ? services.items.at(-1) : undefined;
  const first = isSeq(services) ? services.items[0] : undefined;
  if (!isSeq(services) || services.flow || !isNode(last) || !isNode(first) || !last.range || !first.range) {
    throw new UserError(`${topologyFileName}: no block list of services to add to: list the services one per '- name:' entry (the six defaults are in innover.schema.json) and rerun`);
  }
  const lineStart = text.lastIndexOf('\n', first.range[0] - 1) + 1;
  const indent = /^[ ]*/.exec(text.slice(lineStart))?.[0] ?? '';
  const rendered = new Document([entry]).toString().trimEnd().split('\n').map((line) => `${indent}${line}`).join('\n');
  const at = last.range[1];
  const before = text.slice(0, at);
  return `${before}${before.endsWith('\n') ? '' : '\n'}${rendered}\n${text.slice(at)}`;
}

/** The root package.json with `services/<name>` after the last services/ workspace. */
function packageJsonWithWorkspace(text: string, name: string): string {
  const manifest = JSON.parse(text) as { workspaces?: unknown };
  if (!Array.isArray(manifest.workspaces)) throw new UserError(`package.json: no workspaces list: add "workspaces": ["services/${name}"] by hand`);
  const workspaces = manifest.workspaces as string[];
  const last = workspaces.findLastIndex((workspace) => workspace.startsWith('services/'));
  workspaces.splice(last + 1, 0, `services/${name}`);
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** The root tsconfig.json with a reference to the new folder after the last services/ one, in the file's own layout. */
function tsconfigWithReference(text: string, name: string): string {
  const lines = text.split('\n');
  const last = lines.findLastIndex((line) => /^\s*\{\s*"path":\s*"services\/[^"]+"\s*\},?\s*$/.test(line));
  const line = last >= 0 ? lines[last] : undefined;
  if (line === undefined) {
    const config = JSON.parse(text) as { references?: { path: string }[] };
    config.references = [...(config.references ?? []), { path: `services/${name}` }];
    return `${JSON.stringify(config, null, 2)}\n`;
  }
  const indent = /^\s*/.exec(line)?.[0] ?? '';
  lines.splice(last + 1, 0, `${indent}{ "path": "services/${name}" },`);
  if (!line.trimEnd().endsWith(',')) lines[last] = `${line.trimEnd()},`;
  // A reference inserted last must not end in a comma.
  const next = lines[last + 2]?.trim() ?? '';
  if (next.startsWith(']')) lines[last + 1] = (lines[last + 1] ?? '').replace(/,$/, '');
  return lines.join('\n');
}

function packageVersions(kitPackageJson: string): PackageVersions {
  const kit = JSON.parse(kitPackageJson) as { version?: string; dependencies?: Record<string, string> };
  return { kit: `^${kit.version ?? '0.1.0'}`, proto: `^${kit.version ?? '0.1.0'}`, zod: kit.dependencies?.['zod'] ?? '^4.0.0' };
}

/**
 * Plans `innover new service`: every file it creates and every file it edits, from the input and a
 * snapshot of the repository. Pure: reads nothing, writes nothing. Throws one UserError with a line
 * per refusal, before any file is planned.
 */
export function planNewService(input: NewServiceInput, snapshot: RepoSnapshot, modules: readonly ComponentModule[] = defaultModules): NewServicePlan {
  const problems = refusals(input, snapshot, modules);
  if (problems.length) throw new UserError(problems);
  const { name } = input;
  const hostPort = input.port ?? pickFreePort(takenHostPorts(snapshot.topology, modules));
  const entry: Record<string, unknown> = { name, hostPort };
  if (input.queueConcurrency !== undefined) entry['worker'] = { concurrency: input.queueConcurrency };
  const topologyText = topologyWithService(snapshot.topologyText, entry);
  // The new topology must validate as a whole: what it refuses is refused here, before any write.
  const diagnostics = validateTopology(parseDocument(topologyText).toJS(), { modules });
  if (diagnostics.errors.length) throw new UserError(diagnostics.errors.map((error) => `${topologyFileName} with ${name}: ${error}`));
  const names = serviceNames(name);
  const edits: PlannedEdit[] = [
    { path: topologyFileName, before: snapshot.topologyText, after: topologyText },
    { path: 'package.json', before: snapshot.packageJson, after: packageJsonWithWorkspace(snapshot.packageJson, name) },
    { path: 'tsconfig.json', before: snapshot.tsconfigJson, after: tsconfigWithReference(snapshot.tsconfigJson, name) },
  ];
  // The user's API config: generate's own renderer appends the new API and keeps the rest as written.
  const apiConfig = renderApiConfig(diagnostics.value!, snapshot.apiConfig);
  const writes = [...serviceFolderFiles(names, packageVersions(snapshot.kitPackageJson)), protoFile(names)];
  if (snapshot.apiConfig === undefined) writes.push({ path: apiConfigPath, content: apiConfig });
  else if (apiConfig !== snapshot.apiConfig) edits.push({ path: apiConfigPath, before: snapshot.apiConfig, after: apiConfig });
  return { name, hostPort, topology: diagnostics.value!, writes, edits };
}
