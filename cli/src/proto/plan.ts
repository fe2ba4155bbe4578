import { generatedPathOf, isWellKnown, type ProtoFile } from './descriptor.js';
import { eventsModuleName, renderEventsModule } from './events-module.js';
import { consumedDomains, protoFilesForService } from './service-domains.js';

/** A file `innover proto` owns, relative to the project root. */
export interface PlannedFile {
  path: string;
  content: string;
}

export interface ServiceProtoPlan {
  service: string;
  /** `services/<name>/src/generated`: everything in it belongs to `innover proto`. */
  directory: string;
  files: readonly PlannedFile[];
  /** Fully qualified event messages the service has codecs for. */
  events: readonly string[];
  /** The proto domains it gets, e.g. `payment`, `rule-engine`, `common`. */
  domains: readonly string[];
}

/** The generated folder of a service, relative to the root. */
export function generatedDirectoryOf(service: string): string {
  return `services/${service}/src/generated`;
}

/**
 * Distributes buf's output over the services: each gets the generated code of its own domain, of the
 * domains whose events it consumes, and of their imports, plus an `events.ts` of codecs. A service
 * without `protos/<service>/` gets nothing, and says so in `warnings`. Pure.
 *
 * @param generated protoc-gen-es output by path (`payment/v1/payment_pb.ts` → content).
 */
export function planProtoOutputs(input: {
  services: readonly string[];
  files: readonly ProtoFile[];
  generated: ReadonlyMap<string, string>;
  consumes?: Readonly<Record<string, readonly string[]>>;
}): { services: ServiceProtoPlan[]; warnings: string[] } {
  const consumes = input.consumes ?? consumedDomains;
  const warnings: string[] = [];
  const services = input.services.map((service): ServiceProtoPlan => {
    const directory = generatedDirectoryOf(service);
    if (!input.files.some((file) => file.domain === service)) {
      warnings.push(`service '${service}' has no protos/${service}/v1/${service}.proto: it gets no generated code (add one to give it messages)`);
      return { service, directory, files: [], events: [], domains: [] };
    }
    const chosen = protoFilesForService(service, input.files, consumes).filter((file) => !isWellKnown(file.name));
    const files: PlannedFile[] = chosen.map((file) => {
      const relative = generatedPathOf(file.name);
      const content = input.generated.get(relative);
      if (content === undefined) throw new Error(`buf generated no ${relative}`);
      return { path: `${directory}/${relative}`, content };
    });
    files.push({ path: `${directory}/${eventsModuleName}`, content: renderEventsModule(chosen) });
    return {
      service,
      directory,
      files,
      events: chosen.flatMap((file) => file.events.map((event) => `${file.packageName}.${event}`)),
      domains: [...new Set(chosen.map((file) => file.domain))],
    };
  });
  return { services, warnings };
}

/** How a file on disk compares with the plan. */
export type DriftKind = 'missing' | 'differs' | 'stale';

export interface Drift {
  path: string;
  kind: DriftKind;
}

/**
 * Compares the plan with what is on disk. `existing` maps each file found under the services'
 * generated folders (relative path) to its content. Pure.
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
