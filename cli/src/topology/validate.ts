import type { z } from 'zod';
import { defaultModules } from '../components/index.js';
import type { ComponentModule } from '../components/module.js';
import { defaultTopologyFor, topologySchemaFor } from '../components/topology-schema.js';
import { isNetworkAddress } from '../plan/network.js';
import { consumesProblems } from './events.js';
import type { Topology } from './schema.js';
import { serviceClientId, serviceClientSecretKey, serviceUrlKey } from './service-calls.js';

/** True when a service name is one of the workload names a module reserves. */
function reservedBy(modules: readonly ComponentModule[], serviceName: string): boolean {
  return modules.some((module) => (module.reservedNames ?? []).some((reserved) => (typeof reserved === 'string' ? reserved === serviceName : reserved.test(serviceName))));
}

/** Validation result: a value or a list of problems, each `path: message`, plus warnings. */
export interface TopologyDiagnostics {
  value?: Topology;
  errors: string[];
  warnings: string[];
}

/** Deep merge for topology input: objects merge key by key, arrays and scalars replace. */
export function mergeTopology(base: unknown, override: unknown): unknown {
  if (isPlainObject(base) && isPlainObject(override)) {
    const merged: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(override)) {
      merged[key] = key in base ? mergeTopology(base[key], value) : value;
    }
    return merged;
  }
  return override === undefined ? base : override;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `services[3].port` from a zod path. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => {
    if (typeof key === 'number') return `${text}[${key}]`;
    return text ? `${text}.${String(key)}` : String(key);
  }, '');
}

export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    const path = formatPath(issue.path);
    const message =
      issue.code === 'unrecognized_keys'
        ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `'${key}'`).join(', ')}: remove or fix the spelling`
        : issue.message.replace(/^(Invalid input|Invalid option|Too small|Too big): /, '');
    return path ? `${path}: ${message}` : message;
  });
}

/**
 * Validates user topology input (merged over the defaults) and the cross-field rules zod
 * cannot express alone: unique names, free host ports, profiles that exist, and, given the event
 * topics protos/ defines, consumed events that exist.
 */
export function validateTopology(
  input: unknown,
  options: { eventTopics?: ReadonlySet<string>; modules?: readonly ComponentModule[] } = {},
): TopologyDiagnostics {
  const modules = options.modules ?? defaultModules;
  if (!isPlainObject(input)) {
    return { errors: ['the topology must be a mapping of fields (see innover.schema.json)'], warnings: [] };
  }
  const parsed = topologySchemaFor(modules).safeParse(mergeTopology(defaultTopologyFor(modules), input));
  if (!parsed.success) return { errors: formatIssues(parsed.error.issues), warnings: [] };
  const topology = parsed.data as Topology;
  const errors: string[] = [];
  const seen = new Map<string, number>();
  topology.services.forEach((service, index) => {
    const first = seen.get(service.name);
    if (first !== undefined) {
      errors.push(`services[${index}].name: '${service.name}' is already services[${first}]: give each service its own name`);
    }
    seen.set(service.name, index);
    if (reservedBy(modules, service.name)) {
      errors.push(`services[${index}].name: '${service.name}' is an infrastructure container's name: pick another name`);
    }
  });
  topology.services.forEach((service, index) => {
    const owner = service.name.endsWith('-worker') ? seen.get(service.name.slice(0, -'-worker'.length)) : undefined;
    if (owner !== undefined) {
      errors.push(`services[${index}].name: '${service.name}' is the worker container of services[${owner}]: pick another name`);
    }
  });
  errors.push(...callProblems(topology, seen));
  const ports = new Map<number, string>();
  const claim = (port: number, owner: string) => {
    const holder = ports.get(port);
    if (holder) errors.push(`${owner}: host port ${port} is already used by ${holder}: pick another port`);
    else ports.set(port, owner);
  };
  topology.services.forEach((service, index) => claim(service.hostPort, `services[${index}].hostPort`));
  for (const module of modules) for (const [path, port] of module.hostPorts?.(topology) ?? []) claim(port, path);
  Object.entries(topology.profiles).forEach(([profileName, profile]) => {
    for (const module of modules) {
      for (const problem of module.profileProblems?.(profile.components) ?? []) errors.push(`profiles.${profileName}.components: ${problem}`);
    }
  });
  if (!isNetworkAddress(topology.network.subnet)) {
    errors.push(`network.subnet: ${topology.network.subnet} has host bits set: use its network address (the host bits zero)`);
  }
  if (options.eventTopics) errors.push(...consumesProblems(topology, options.eventTopics));
  if (!topology.profiles[topology.defaultProfile]) {
    errors.push(`defaultProfile: no profile named '${topology.defaultProfile}': use one of ${Object.keys(topology.profiles).join(', ')}`);
  }
  return errors.length ? { errors, warnings: [] } : { value: topology, errors, warnings: [] };
}

/** Variables the stack sets in every service's environment: a callee's `<NAME>_URL` may not take one. */
const reservedUrlKeys: ReadonlySet<string> = new Set(['DATABASE_URL', 'REDIS_URL', 'OIDC_ISSUER_URL', 'OIDC_JWKS_URL', 'OIDC_TOKEN_URL']);
/** `.env` keys of the built-in clients' secrets: a caller's `<NAME>_CLIENT_SECRET` may not take one. */
const reservedSecretKeys: ReadonlySet<string> = new Set(['WSO2_AM_CLIENT_SECRET', 'SMOKE_CLIENT_SECRET']);

/**
 * `services[].calls`: each names another service of the topology, once; and the names derived
 * from a call (the callee's URL variable, the caller's client and secret) are free.
 */
function callProblems(topology: Topology, indexOf: ReadonlyMap<string, number>): string[] {
  const errors: string[] = [];
  const callers = new Map<string, number>();
  topology.services.forEach((service, index) => {
    const called = new Map<string, number>();
    service.calls.forEach((call, callIndex) => {
      const path = `services[${index}].calls[${callIndex}].service`;
      const earlier = called.get(call.service);
      if (call.service === service.name) {
        errors.push(`${path}: '${call.service}' is this service itself: remove the call (a service calls its own code directly)`);
      } else if (!indexOf.has(call.service)) {
        errors.push(`${path}: no service named '${call.service}': use one of ${[...indexOf.keys()].filter((other) => other !== service.name).join(', ')}`);
      } else if (earlier !== undefined) {
        errors.push(`${path}: '${call.service}' is already calls[${earlier}]: keep one entry (access 'write' grants read too)`);
      } else if (reservedUrlKeys.has(serviceUrlKey(call.service))) {
        errors.push(`${path}: '${call.service}' would be reached through ${serviceUrlKey(call.service)}, which the stack sets for another purpose: rename that service`);
      }
      called.set(call.service, callIndex);
    });
    if (service.calls.length > 0) {
      callers.set(serviceClientId(service.name), index);
      if (reservedSecretKeys.has(serviceClientSecretKey(service.name))) {
        errors.push(`services[${index}].name: a caller named '${service.name}' would keep its secret in ${serviceClientSecretKey(service.name)}, a built-in client's key: rename the service`);
      }
    }
  });
  topology.keycloak.extraClients.forEach((client, index) => {
    const owner = callers.get(client.clientId);
    if (owner !== undefined) {
      errors.push(`keycloak.extraClients[${index}].clientId: '${client.clientId}' is the client of services[${owner}] (its calls): pick another clientId`);
    }
  });
  return errors;
}
