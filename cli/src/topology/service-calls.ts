import type { Service, ServiceCall, Topology } from './schema.js';

/**
 * Service identity, derived from `services[].calls`: the names every part of innover (the realm,
 * `.env`, the service containers' environment) uses for one service calling another. Pure.
 */

/** `rule-engine` → `RULE_ENGINE`: a service name as an environment variable prefix. */
export function upperSnake(name: string): string {
  return name.toUpperCase().replaceAll('-', '_');
}

/** The Keycloak client a calling service gets its tokens with: `<service>-service`. */
export function serviceClientId(serviceName: string): string {
  return `${serviceName}-service`;
}

/** The `.env` key holding that client's secret: `<UPPER_SNAKE_SERVICE>_CLIENT_SECRET`. */
export function serviceClientSecretKey(serviceName: string): `${string}_CLIENT_SECRET` {
  return `${upperSnake(serviceName)}_CLIENT_SECRET`;
}

/** The variable a caller finds a callee's base URL in: `<UPPER_SNAKE_NAME>_URL`. */
export function serviceUrlKey(serviceName: string): string {
  return `${upperSnake(serviceName)}_URL`;
}

/** Services that call at least one other, in topology order: each has a client and a secret. */
export function callingServices(topology: Pick<Topology, 'services'>): Service[] {
  return topology.services.filter((service) => service.calls.length > 0);
}

/** The `.env` keys of every calling service's client secret, in topology order. */
export function serviceClientSecretKeys(topology: Pick<Topology, 'services'>): Array<`${string}_CLIENT_SECRET`> {
  return callingServices(topology).map((service) => serviceClientSecretKey(service.name));
}

/**
 * The realm roles a service's calls grant, in call order. `write` grants `-write` and `-read`:
 * the kit's auth asks `-read` for GET and `-write` for every other method, and a caller that
 * writes reads back what it wrote (payment polls the ledger transfer it created).
 */
export function callRoles(calls: readonly ServiceCall[]): string[] {
  const roles = calls.flatMap((call) => (call.access === 'write' ? [`${call.service}-read`, `${call.service}-write`] : [`${call.service}-read`]));
  return [...new Set(roles)];
}
