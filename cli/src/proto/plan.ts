import { generatedPathOf, isWellKnown, type ProtoFile } from './descriptor.js';
import { eventsModuleName, eventTopicsOf, renderEventsModule, renderTopicsFile, topicsFileName, type EventTopic } from './events-module.js';

/** A file `innover proto` owns, relative to the project root. */
export interface PlannedFile {
  path: string;
  content: string;
}

/** The workspace package every service imports its messages and codecs from (`@innover/proto/...`). */
export const protoPackageDirectory = 'services/proto';
/** Its npm name. */
export const protoPackageName = '@innover/proto';
/** The folder inside it that belongs to `innover proto`: everything in it is generated. */
export const generatedDirectory = `${protoPackageDirectory}/src/generated`;

export interface ProtoPackagePlan {
  /** `services/proto/src/generated`. */
  directory: string;
  files: readonly PlannedFile[];
  /** Every event message and its topic. */
  events: readonly EventTopic[];
  /** The proto domains generated, e.g. `common`, `payment`, `rule-engine`. */
  domains: readonly string[];
}

/**
 * Lays buf's output out in the one generated package: the code of every domain (never the well-known
 * types, which `@bufbuild/protobuf/wkt` ships), `events.ts` of codecs and `topics.json`. A topology
 * service without `protos/<service>/` is named in `warnings`. Pure.
 *
 * @param generated protoc-gen-es output by path (`payment/v1/payment_pb.ts` → content).
 */
export function planProtoOutputs(input: {
  services: readonly string[];
  files: readonly ProtoFile[];
  generated: ReadonlyMap<string, string>;
}): ProtoPackagePlan & { warnings: string[] } {
  const warnings = input.services
    .filter((service) => !input.files.some((file) => file.domain === service))
    .map((service) => `service '${service}' has no protos/${service}/v1/${service}.proto: add one to give it messages and events`);
  const chosen = input.files.filter((file) => !isWellKnown(file.name));
  const files: PlannedFile[] = chosen.map((file) => {
    const relative = generatedPathOf(file.name);
    const content = input.generated.get(relative);
    if (content === undefined) throw new Error(`buf generated no ${relative}`);
    return { path: `${generatedDirectory}/${relative}`, content };
  });
  files.push({ path: `${generatedDirectory}/${eventsModuleName}`, content: renderEventsModule(chosen) });
  files.push({ path: `${generatedDirectory}/${topicsFileName}`, content: renderTopicsFile(chosen) });
  return {
    directory: generatedDirectory,
    files,
    events: eventTopicsOf(chosen),
    domains: [...new Set(chosen.map((file) => file.domain))],
    warnings,
  };
}

/** How a file on disk compares with the plan. */
export type DriftKind = 'missing' | 'differs' | 'stale';

export interface Drift {
  path: string;
  kind: DriftKind;
}

/**
 * Compares the plan with what is on disk. `existing` maps each file found under the generated
 * folder (relative path) to its content. Pure.
 */
export function findDrift(planned: readonly PlannedFile[], existing: ReadonlyMap<string, string>): Drift[] {
  const drift: Drift[] = [];
  const plannedPaths = new Set(planned.map((file) => file.path));
  for (const file of planned) {
    const current = existing.get(file.path);
    if (current === undefined) drift.push({ path: file.path, kind: 'missing' });
    else if (current !== file.content) drift.push({ path: file.path, kind: 'differs' });
  }
  for (const path of existing.keys()) if (!plannedPaths.has(path)) drift.push({ path, kind: 'stale' });
  return drift.sort((left, right) => left.path.localeCompare(right.path));
}
