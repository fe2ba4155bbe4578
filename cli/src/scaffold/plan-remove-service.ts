import { isMap, isNode, isSeq, parseDocument, type Node } from 'yaml';
import { UserError } from '../command.js';
import { apiConfigPath } from '../generate/plan-files.js';
import { appendedApisComment, serviceApiEntry } from '../render/api-config.js';
import type { Topology } from '../topology/schema.js';
import { topologyFileName } from '../topology/topology-file.js';
import { validateTopology } from '../topology/validate.js';
import type { PlannedEdit, RepoSnapshot } from './plan-new-service.js';

export interface RemoveServicePlan {
  name: string;
  /** The topology without the service, validated: what the derived files are regenerated from. */
  topology: Topology;
  /** Folders deleted whole (root-relative). */
  removes: string[];
  edits: PlannedEdit[];
}

/** `text` without the list item `item`: from the start of its `- ` line to the end of its value's line. */
function withoutItem(text: string, item: Node): string {
  const [start, end] = item.range ?? [0, 0];
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const lineEnd = text[end - 1] === '\n' ? end : text.indexOf('\n', end) + 1 || text.length;
  return text.slice(0, lineStart) + text.slice(lineEnd);
}

function withoutWorkspace(text: string, name: string): string {
  const manifest = JSON.parse(text) as { workspaces?: unknown };
  if (!Array.isArray(manifest.workspaces) || !manifest.workspaces.includes(`services/${name}`)) return text;
  manifest.workspaces = (manifest.workspaces as string[]).filter((workspace) => workspace !== `services/${name}`);
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

function withoutReference(text: string, name: string): string {
  const lines = text.split('\n');
  const index = lines.findIndex((line) => new RegExp(`^\\s*\\{\\s*"path":\\s*"services/${name}"\\s*\\},?\\s*$`).test(line));
  if (index < 0) return text;
  const removed = lines.splice(index, 1)[0] ?? '';
  // The reference was the last one: the one before it loses its comma.
  if (!removed.trimEnd().endsWith(',') && index > 0) lines[index - 1] = (lines[index - 1] ?? '').replace(/,\s*$/, '');
  return lines.join('\n');
}

/** The user's API config without the service's entry (by its context or endpoint host); the rest as written. */
function withoutApi(text: string, topology: Topology, name: string): string {
  const service = topology.services.find((candidate) => candidate.name === name);
  if (!service) return text;
  const context = serviceApiEntry(service).context;
  const document = parseDocument(text);
  const apis = document.get('apis', true);
  if (!isSeq(apis)) return text;
  const item = apis.items.find((candidate) => {
    if (!isMap(candidate)) return false;
    const endpoint = candidate.get('endpoint');
    let host: string | undefined;
    try {
      host = typeof endpoint === 'string' ? new URL(endpoint).hostname : undefined;
    } catch {
      host = undefined;
    }
    return candidate.get('context') === context || host === name;
  });
  if (!isNode(item) || apis.flow) return text;
  const rest = withoutItem(text, item);
  // The comment generate put above the entries it appended (after a blank line of its own) goes with
  // the last of them: when no entry follows the removed one, the file is as it was before they came.
  const start = item.range?.[0] ?? 0;
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const marker = new RegExp(`\\n\\n[ ]*${appendedApisComment}\\n$`).exec(text.slice(0, lineStart));
  const nextIsEntry = rest.slice(lineStart).replace(/^([ \t]*\n)*/, '').startsWith(text.slice(lineStart, start));
  return marker && !nextIsEntry ? rest.slice(0, lineStart - marker[0].length + 1) + rest.slice(lineStart) : rest;
}

/**
 * Plans `innover remove service`: the folders it deletes and the files it edits. Pure. Refuses, one
 * line each, a service the topology does not list and one whose events or API another service uses.
 */
export function planRemoveService(name: string, snapshot: RepoSnapshot): RemoveServicePlan {
  const { topology } = snapshot;
  if (!topology.services.some((service) => service.name === name)) {
    throw new UserError(`name: no service '${name}' in ${topologyFileName}: use one of ${topology.services.map((service) => service.name).join(', ')}`);
  }
  const problems: string[] = [];
  for (const service of topology.services) {
    if (service.name === name) continue;
    const consumed = service.consumes.filter((topic) => topic.startsWith(`${name}.`));
    if (consumed.length) problems.push(`name: ${service.name} consumes ${name}'s events (${consumed.join(', ')}): remove them from its consumes in ${topologyFileName} first`);
    if (service.calls.some((call) => call.service === name)) problems.push(`name: ${service.name} calls ${name}: remove the call from its calls in ${topologyFileName} first`);
  }
  if (problems.length) throw new UserError(problems);
  const document = parseDocument(snapshot.topologyText);
  const services = document.get('services', true);
  const item = isSeq(services) && !services.flow ? services.items.find((candidate) => isMap(candidate) && candidate.get('name') === name) : undefined;
  if (!isNode(item)) throw new UserError(`${topologyFileName}: '${name}' is not in its services list (it comes from the defaults): list the services you keep under services and rerun`);
  const topologyText = withoutItem(snapshot.topologyText, item);
  const diagnostics = validateTopology(parseDocument(topologyText).toJS());
  if (diagnostics.errors.length) throw new UserError(diagnostics.errors.map((error) => `${topologyFileName} without ${name}: ${error}`));
  const edits: PlannedEdit[] = [
    { path: topologyFileName, before: snapshot.topologyText, after: topologyText },
    { path: 'package.json', before: snapshot.packageJson, after: withoutWorkspace(snapshot.packageJson, name) },
    { path: 'tsconfig.json', before: snapshot.tsconfigJson, after: withoutReference(snapshot.tsconfigJson, name) },
  ];
  if (snapshot.apiConfig !== undefined) edits.push({ path: apiConfigPath, before: snapshot.apiConfig, after: withoutApi(snapshot.apiConfig, topology, name) });
  return {
    name,
    topology: diagnostics.value!,
    removes: [`services/${name}`, `protos/${name}`].filter((path) => snapshot.existing.has(path)),
    edits: edits.filter((edit) => edit.after !== edit.before),
  };
}
